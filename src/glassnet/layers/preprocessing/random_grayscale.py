"""RandomGrayscale: turn some images grey, in training."""

import numpy as np

from glassnet.layers.preprocessing.keras_image_augmentation import KerasImageAugmentation, _is_number
from glassnet.ops import image as image_ops


class RandomGrayscale(KerasImageAugmentation):
    """In training, each image becomes grey with probability ``factor``: every channel is set to
    0.2989 R + 0.5870 G + 0.1140 B (``ops.image.rgb_to_grayscale``), so the shape is kept. Identity at
    inference.
    """

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if not _is_number(factor) or not 0 <= factor <= 1:
            raise ValueError(f"{self._who()}: `factor` must be a number in [0, 1], got factor={factor!r}")
        self.factor = factor

    def transform(self, images):
        chosen = self.generator.uniform(size=images.shape[0]) < self.factor
        gray = image_ops.rgb_to_grayscale(images, data_format="channels_last").data
        return np.where(chosen[:, None, None, None], gray, images)

    def get_config(self):
        config = super().get_config()
        config.pop("seed")  # Keras' config has no seed
        config["factor"] = self.factor
        return config
