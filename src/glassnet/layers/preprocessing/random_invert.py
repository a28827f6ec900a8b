"""RandomInvert: invert some images (high - x), in training."""

from glassnet.layers.preprocessing.keras_image_augmentation import FactorAugmentation


class RandomInvert(FactorAugmentation):
    """In training, y = high - x for each image whose uniform draw falls below a probability drawn from
    ``factor`` (a number p in [0, 1] gives [0, p]); high is ``value_range[1]``. Identity at inference."""

    FACTOR_BOUNDS = (0.0, 1.0)

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(factor, value_range=value_range, seed=seed, data_format=data_format, **kwargs)

    def transform(self, images):
        return self.apply_some(images, self.value_range[1] - images, self.factor)
