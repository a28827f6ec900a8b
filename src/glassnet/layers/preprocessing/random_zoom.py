"""RandomZoom: zoom each image in or out about its centre by a random amount in training."""

from glassnet.layers.preprocessing.base_image_augmentation import (
    BaseAffineAugmentationLayer, parse_factor, plain_factor,
)
from glassnet.ops import image as image_ops


class RandomZoom(BaseAffineAugmentationLayer):
    """In training, scale each image about its centre: by 1 + u vertically and 1 + v horizontally.

    u is drawn uniformly from ``height_factor``'s range: a number f means
    [-f, f], a pair (lower, upper) that range, each in (-1, 1]. Positive
    values zoom out (the image shrinks, the border is filled per
    ``fill_mode``), negative values zoom in. v comes from ``width_factor``
    the same way, or equals u when ``width_factor`` is None (the aspect
    ratio is kept). Identity at inference; the output carries no gradient
    (see BaseAffineAugmentationLayer).
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         data_format=data_format, **kwargs)
        self.height_lower, self.height_upper = parse_factor(self, height_factor, "height_factor",
                                                            low_inclusive=False)
        if width_factor is not None:
            self.width_lower, self.width_upper = parse_factor(self, width_factor, "width_factor",
                                                              low_inclusive=False)
        self.height_factor = height_factor
        self.width_factor = width_factor

    def transforms(self, batch, height, width):
        zoom_y = 1.0 + self.generator.uniform(self.height_lower, self.height_upper, size=batch)
        if self.width_factor is None:
            zoom_x = zoom_y
        else:
            zoom_x = 1.0 + self.generator.uniform(self.width_lower, self.width_upper, size=batch)
        return image_ops.zoom_matrix(zoom_x, zoom_y, height, width)

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": plain_factor(self.height_factor),
                       "width_factor": plain_factor(self.width_factor)})
        return config
