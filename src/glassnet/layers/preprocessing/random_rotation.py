"""RandomRotation: turn each image about its centre by a random angle in training."""

import math

from glassnet.layers.preprocessing.base_image_augmentation import (
    BaseAffineAugmentationLayer, parse_factor, plain_factor,
)
from glassnet.ops import image as image_ops


class RandomRotation(BaseAffineAugmentationLayer):
    """In training, rotate each image by an angle drawn uniformly from [lower, upper] * 2 pi.

    ``factor`` is a fraction of a full turn: 0.1 means up to 36 degrees
    either way; a pair (lower, upper) gives the range (positive is counter-
    clockwise). Points that come from outside the image are filled per
    ``fill_mode`` ("reflect", "wrap", "constant" with ``fill_value``, or
    "nearest"); ``interpolation`` is "bilinear" or "nearest". Identity at
    inference; the output carries no gradient (see BaseAffineAugmentationLayer).
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         data_format=data_format, **kwargs)
        self.lower, self.upper = parse_factor(self, factor, "factor")
        self.factor = factor

    def transforms(self, batch, height, width):
        turns = self.generator.uniform(self.lower, self.upper, size=batch)
        return image_ops.rotation_matrix(turns * 2.0 * math.pi, height, width)

    def get_config(self):
        config = super().get_config()
        config["factor"] = plain_factor(self.factor)
        return config
