"""RandomColorDegeneration: blend images towards their greyscale version at random, in training."""

from glassnet.layers.preprocessing.keras_image_augmentation import FactorAugmentation
from glassnet.ops import image as image_ops


class RandomColorDegeneration(FactorAugmentation):
    """In training, y = clip(x + f (gray(x) - x)) per image, f drawn uniformly from ``factor`` (a number f
    gives [-f, f], as Keras). Identity at inference."""

    def transform(self, images):
        factor = self.draw_factor(images.shape[0]).astype(images.dtype)[:, None, None, None]
        gray = image_ops.rgb_to_grayscale(images, data_format="channels_last").data
        return self.clip(images + factor * (gray - images))
