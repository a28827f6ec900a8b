"""Equalization: spread each channel's histogram evenly over the value range, in training."""

import numbers

import numpy as np

from glassnet.layers.preprocessing.keras_image_augmentation import ValueRangeAugmentation, rescale


class Equalization(ValueRangeAugmentation):
    """In training, histogram equalization of each channel (over the whole batch, as Keras): with pixels
    mapped to [0, 255] and counted in ``bins`` bins, a pixel in bin k becomes
    round(255 (cdf[k] - cdf_min) / (cdf[-1] - cdf_min)), then mapped back to ``value_range``. A channel
    whose values all fall in one bin is left as it is. Identity at inference.
    """

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(value_range=value_range, data_format=data_format, **kwargs)
        if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or bins < 1:
            raise ValueError(f"{self._who()}: `bins` must be a positive integer, got bins={bins!r}")
        self.bins = int(bins)
        self.value_range = sorted(value_range)

    def _equalize(self, channel):
        pixels = rescale(channel, self.value_range, (0, 255)) if tuple(self.value_range) != (0, 255) else channel
        index = np.clip((pixels * (self.bins - 1) / 255.0).astype(np.int32), 0, self.bins - 1)
        histogram = np.bincount(index.reshape(-1), minlength=self.bins)
        if np.count_nonzero(histogram) <= 1:
            return channel
        cdf = np.cumsum(histogram)
        cdf_min = cdf[np.nonzero(cdf)[0][0]]
        denominator = cdf[-1] - cdf_min or 1
        table = np.clip(np.round((cdf - cdf_min) * 255 / denominator), 0, 255).astype(channel.dtype)
        lookup = np.clip(pixels / 255.0 * (self.bins - 1), 0, self.bins - 1).astype(np.int32)
        equalized = table[lookup]
        return rescale(equalized, (0, 255), self.value_range) if tuple(self.value_range) != (0, 255) else equalized

    def transform(self, images):
        return np.stack([self._equalize(images[..., c]) for c in range(images.shape[-1])], axis=-1)

    def get_config(self):
        config = super().get_config()
        config.pop("seed")
        config["bins"] = self.bins
        return config
