"""RandomErasing: overwrite a random rectangle of some images, in training."""

import numpy as np

from glassnet.layers.preprocessing.keras_image_augmentation import FactorAugmentation, _is_number, keras_factor


def crop_bounds(generator, batch, length, ratio):
    """(start, end) of a span ``ratio * length`` long at a uniform random position, per image."""
    span = ratio * length
    start = generator.uniform(size=batch) * (length - span)
    return start, start + span


def box_masks(shape, x0, x1, y0, y1):
    """(batch, height, width, 1) masks of the pixels with x0 <= column < x1 and y0 <= row < y1."""
    _, height, width = shape[:3]
    rows = np.arange(height, dtype=np.float32)[None, :, None, None]
    cols = np.arange(width, dtype=np.float32)[None, None, :, None]
    x0, x1, y0, y1 = (v[:, None, None, None] for v in (x0, x1, y0, y1))
    return (cols >= x0) & (cols < x1) & (rows >= y0) & (rows < y1)


class RandomErasing(FactorAugmentation):
    """In training, each image chosen with a probability drawn from ``factor`` (a number p gives [0, p])
    gets a rectangle replaced by ``fill_value`` (a number, three per-channel numbers, or None: standard
    normal noise), clipped to ``value_range``. The rectangle's sides are sqrt(s) times the image's,
    s drawn uniformly from ``scale`` separately for width and height, at a uniform random position.
    Identity at inference.
    """

    FACTOR_BOUNDS = (0.0, 1.0)

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255), seed=None,
                 data_format=None, **kwargs):
        super().__init__(factor, value_range=value_range, seed=seed, data_format=data_format, **kwargs)
        self.scale = keras_factor(self, scale, self.FACTOR_BOUNDS, "scale")
        if not (fill_value is None or _is_number(fill_value) or isinstance(fill_value, (tuple, list))
                and len(fill_value) == 3 and all(_is_number(v) for v in fill_value)):
            raise ValueError(f"{self._who()}: `fill_value` must be None, a number or three numbers, "
                             f"got fill_value={fill_value!r}")
        self.fill_value = fill_value

    def transform(self, images):
        batch, height, width, _ = images.shape
        sides = np.sqrt(self.generator.uniform(self.scale[0], self.scale[1], size=(batch, 2)))
        x0, x1 = crop_bounds(self.generator, batch, width, sides[:, 0])
        y0, y1 = crop_bounds(self.generator, batch, height, sides[:, 1])
        masks = box_masks(images.shape, x0, x1, y0, y1)
        if self.fill_value is None:
            fill = self.generator.standard_normal(images.shape).astype(images.dtype)
        else:
            fill = np.broadcast_to(np.asarray(self.fill_value, dtype=images.dtype), images.shape)
        erased = np.where(masks, self.clip(fill), images)
        return self.apply_some(images, erased, self.factor)

    def get_config(self):
        config = super().get_config()
        config.update({"scale": list(self.scale), "fill_value": self.fill_value})
        return config
