"""RandomPosterization: keep only the top bits of every 8-bit pixel value, in training."""

import numbers

import numpy as np

from glassnet.layers.preprocessing.keras_image_augmentation import FactorAugmentation, rescale


class RandomPosterization(FactorAugmentation):
    """In training, pixels are mapped to [0, 255], cast to 8 bits, and their lowest 8 - b bits cleared
    (y = (x >> (8 - b)) << (8 - b)), then mapped back. b is an integer drawn from [lower, upper) per
    image when the two differ (a number n gives (1, n)), else ``factor`` itself. Identity at inference.
    """

    FACTOR_BOUNDS = (1, 8)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor, value_range=value_range, data_format=data_format, seed=seed, **kwargs)
        if not all(isinstance(f, numbers.Integral) for f in self.factor):
            raise ValueError(f"{self._who()}: `factor` must be an integer or a pair of integers in [1, 8], "
                             f"got factor={factor!r}")

    def transform(self, images):
        batch = images.shape[0]
        lower, upper = self.factor
        bits = self.generator.integers(lower, upper, size=batch) if lower != upper else np.full(batch, lower)
        shift = (8 - bits).astype(np.uint8)[:, None, None, None]
        pixels = rescale(images, self.value_range, (0, 255)).astype(np.uint8)
        pixels = np.left_shift(np.right_shift(pixels, shift), shift)
        return rescale(pixels.astype(images.dtype), (0, 255), self.value_range)
