"""RandomTranslation: shift each image by a random fraction of its size in training."""

from glassnet.layers.preprocessing.base_image_augmentation import (
    BaseAffineAugmentationLayer, parse_factor, plain_factor,
)
from glassnet.ops import image as image_ops


class RandomTranslation(BaseAffineAugmentationLayer):
    """In training, move each image down by dy = u * height and right by dx = v * width pixels.

    u is drawn uniformly from ``height_factor``'s range and v from
    ``width_factor``'s: a number f means [-f, f], a pair (lower, upper) that
    range, each in [-1, 1] (negative moves up or left). Points that come from
    outside the image are filled per ``fill_mode``. Identity at inference;
    the output carries no gradient (see BaseAffineAugmentationLayer).
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         data_format=data_format, **kwargs)
        self.height_lower, self.height_upper = parse_factor(self, height_factor, "height_factor")
        self.width_lower, self.width_upper = parse_factor(self, width_factor, "width_factor")
        self.height_factor = height_factor
        self.width_factor = width_factor

    def transforms(self, batch, height, width):
        dy = self.generator.uniform(self.height_lower, self.height_upper, size=batch) * height
        dx = self.generator.uniform(self.width_lower, self.width_upper, size=batch) * width
        return image_ops.translation_matrix(dx, dy)

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": plain_factor(self.height_factor),
                       "width_factor": plain_factor(self.width_factor)})
        return config
