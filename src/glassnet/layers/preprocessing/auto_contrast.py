"""AutoContrast: stretch each image's channels to the full value range."""

import numpy as np

from glassnet.layers.preprocessing.keras_image_augmentation import ValueRangeAugmentation, rescale


class AutoContrast(ValueRangeAugmentation):
    """y = (x - min) * 255 / (max - min) per image and channel, with pixels mapped to [0, 255] and back to
    ``value_range``; a constant channel is left as it is. Deterministic, so applied in training and at
    inference alike (as Keras applies it).
    """

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(value_range=value_range, **kwargs)
        self.value_range = sorted(value_range)

    def call(self, inputs, training=None):
        return super().call(inputs, training=True)

    def transform(self, images):
        pixels = rescale(images, self.value_range, (0, 255))
        low = pixels.min(axis=(1, 2), keepdims=True)
        high = pixels.max(axis=(1, 2), keepdims=True)
        spread = high - low
        stretched = (pixels - low) * (255.0 / np.where(spread > 0, spread, 1))
        results = rescale(np.clip(stretched, 0.0, 255.0), (0, 255), self.value_range)
        return np.where(spread > 0, results, images)

    def get_config(self):
        config = super().get_config()
        config.pop("seed")
        return config
