"""RandomPerspective: tilt some images as if seen from another viewpoint, in training."""

import numbers

import numpy as np

from glassnet.layers.preprocessing.keras_image_augmentation import KerasImageAugmentation, keras_factor
from glassnet.ops import image as image_ops


class RandomPerspective(KerasImageAugmentation):
    """In training, each image chosen with a probability drawn from ``factor`` is warped by
    ``ops.image.perspective_transform`` moving its corners c to c + c d, d drawn uniformly from
    [-scale / 2, scale / 2] per coordinate; outside points read ``fill_value``. Identity at inference.
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0, seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = keras_factor(self, factor, (0.0, 1.0))
        if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not 0 <= scale <= 1:
            raise ValueError(f"{self._who()}: `scale` must be a number in [0, 1], got scale={scale!r}")
        if interpolation not in image_ops.INTERPOLATIONS:
            raise ValueError(f"{self._who()}: `interpolation` must be one of {image_ops.INTERPOLATIONS}, "
                             f"got interpolation={interpolation!r}")
        self.scale, self.interpolation, self.fill_value = scale, interpolation, fill_value

    def transform(self, images):
        batch, height, width, _ = images.shape
        probability = self.generator.uniform(self.factor[0], self.factor[1], size=batch)
        chosen = self.generator.uniform(size=batch) < probability
        shift = self.generator.uniform(-0.5 * self.scale, 0.5 * self.scale, size=(batch, 4, 2))
        start = np.array([[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]])
        start = np.broadcast_to(start, (batch, 4, 2))
        warped = image_ops.perspective_transform(images, start, start + start * shift, self.interpolation,
                                                 self.fill_value, data_format="channels_last").data
        return np.where(chosen[:, None, None, None], warped, images)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": list(self.factor), "scale": self.scale, "interpolation": self.interpolation,
                       "fill_value": self.fill_value})
        return config
