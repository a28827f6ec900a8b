"""RandAugment: apply a few augmentations chosen at random from a fixed pool, in training."""

import numbers

from glassnet.layers.preprocessing.augmentation_pool import apply, make_pool
from glassnet.layers.preprocessing.keras_image_augmentation import (
    KerasImageAugmentation,
    check_value_range,
    keras_factor,
    plain,
)

KERAS_ORDER = ["random_shear", "random_translation", "random_rotation", "random_brightness",
               "random_color_degeneration", "random_contrast", "random_sharpness", "random_posterization",
               "solarization", "auto_contrast", "equalization"]


class RandAugment(KerasImageAugmentation):
    """In training, ``num_ops`` augmentations drawn (with replacement) per call from shear, translation,
    rotation, brightness, colour degeneration, contrast, sharpness, posterization, solarization,
    AutoContrast and Equalization, each with strength ``factor`` (a number f in [0, 1] gives [0, f]),
    applied one after the other to the whole batch (Cubuk et al., 2020). Identity at inference.
    """

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = check_value_range(self, value_range)
        if isinstance(num_ops, bool) or not isinstance(num_ops, numbers.Integral) or num_ops < 0:
            raise ValueError(f"{self._who()}: `num_ops` must be an integer >= 0, got num_ops={num_ops!r}")
        self.num_ops = int(num_ops)
        self.factor = keras_factor(self, factor, (0.0, 1.0))
        self.interpolation = interpolation
        self._pool = make_pool(self, self.factor, value_range, interpolation, KERAS_ORDER)

    def transform(self, images):
        chosen = self.generator.integers(0, len(KERAS_ORDER), size=self.num_ops)
        for index in chosen:
            images = apply(self._pool[KERAS_ORDER[index]], images)
        return images

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": plain(self.value_range), "num_ops": self.num_ops,
                       "factor": list(self.factor), "interpolation": self.interpolation})
        return config
