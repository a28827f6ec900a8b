"""RandomShear: slant images along x and/or y at random, in training."""

import numpy as np

from glassnet.layers.preprocessing.base_image_augmentation import BaseAffineAugmentationLayer
from glassnet.layers.preprocessing.keras_image_augmentation import _is_number


def _shear_factor(layer, factor, name):
    """Keras' shear factors: a number f in [0, 1] gives (-f, f); a pair is sorted."""
    values = list(factor) if isinstance(factor, (tuple, list)) else [factor]
    if len(values) not in (1, 2) or not all(_is_number(v) for v in values) or len(values) == 1 and not (
            0 <= values[0] <= 1):
        raise ValueError(f"{layer._who()}: `{name}` must be a number in [0, 1] or a pair of numbers, "
                         f"got {name}={factor!r}")
    return tuple(sorted(values)) if len(values) == 2 else (-abs(values[0]), abs(values[0]))


class RandomShear(BaseAffineAugmentationLayer):
    """In training, output pixel (x, y) reads the input at (x + s_x y, s_y x + y), with s_x, s_y drawn
    uniformly from ``x_factor`` and ``y_factor`` and a common random sign per image. Points outside the
    image follow ``fill_mode``. Identity at inference.
    """

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 data_format=None, seed=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         data_format=data_format, **kwargs)
        self.x_factor = _shear_factor(self, x_factor, "x_factor")
        self.y_factor = _shear_factor(self, y_factor, "y_factor")
        self._given = {"x_factor": x_factor, "y_factor": y_factor}

    def transforms(self, batch, height, width):
        generator = self.generator
        sign = np.where(generator.uniform(size=batch) > 0.5, -1.0, 1.0)
        shear_y = generator.uniform(self.y_factor[0], self.y_factor[1], size=batch)
        shear_x = generator.uniform(self.x_factor[0], self.x_factor[1], size=batch)
        one, zero = np.ones(batch), np.zeros(batch)
        return np.stack([one, sign * shear_x, zero, sign * shear_y, one, zero, zero, zero], axis=1)

    def get_config(self):
        config = super().get_config()
        # the factors as given: Keras' own from_config rejects the (-f, f) pairs its get_config writes
        config.update({key: list(value) if isinstance(value, tuple) else value for key, value in self._given.items()})
        return config
