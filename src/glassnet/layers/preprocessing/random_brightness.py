"""RandomBrightness: add a random amount to every pixel of an image, in training."""

from glassnet.layers.preprocessing.keras_image_augmentation import FactorAugmentation


class RandomBrightness(FactorAugmentation):
    """In training, y = clip(x + d (high - low), low, high) with d drawn uniformly from ``factor`` per image.

    ``factor`` is a number f in [-1, 1] (d in [-|f|, |f|]) or a pair (lower, upper); (low, high) is
    ``value_range``. Identity at inference.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor, value_range=value_range, seed=seed, **kwargs)

    def transform(self, images):
        delta = self.draw_factor(images.shape[0]) * (self.value_range[1] - self.value_range[0])
        return self.clip(images + delta[:, None, None, None])
