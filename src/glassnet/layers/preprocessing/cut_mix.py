"""CutMix: paste a random rectangle of another image of the batch into each image, in training."""

import numpy as np

from glassnet.layers.preprocessing.keras_image_augmentation import keras_factor
from glassnet.layers.preprocessing.mix_up import LabelMixing
from glassnet.layers.preprocessing.random_erasing import box_masks, crop_bounds


class CutMix(LabelMixing):
    """In training, each image gets the pixels of a rectangle from image j (a random permutation of the
    batch) (Yun et al., 2019). With a ~ U(``factor``) + 1e-6 per call and w ~ Beta(a, a) per image, the
    rectangle's sides are sqrt(1 - w) times the image's, at a uniform random position; labels, when given
    in a dict, are mixed in proportion to the areas kept. Identity at inference.
    """

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = keras_factor(self, factor, (0.0, 1.0))

    def transform(self, images):
        batch, height, width, _ = images.shape
        alpha = self.generator.uniform(self.factor[0], self.factor[1]) + 1e-6
        ratio = np.sqrt(1.0 - self.generator.beta(alpha, alpha, size=batch))
        x0, x1 = crop_bounds(self.generator, batch, width, ratio)
        y0, y1 = crop_bounds(self.generator, batch, height, ratio)
        self._label_weight = 1.0 - (x1 - x0) * (y1 - y0) / (width * height)
        self._order = self.generator.permutation(batch)
        return np.where(box_masks(images.shape, x0, x1, y0, y1), images[self._order], images)

    def get_config(self):
        config = super().get_config()
        config["factor"] = list(self.factor)
        return config
