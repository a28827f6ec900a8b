"""RandomSaturation: make an image's colours more or less vivid at random, in training."""

import numpy as np

from glassnet import config
from glassnet.layers.preprocessing.keras_image_augmentation import FactorAugmentation
from glassnet.ops import image as image_ops


class RandomSaturation(FactorAugmentation):
    """In training, saturation s -> clip(s f / (1 - f + epsilon)) per image, with f drawn uniformly from
    ``factor`` (as Keras: a number f gives [-f, f]; f = 0.5 keeps the saturation, 0 greys the image, 1
    saturates it fully); hue and value are kept. Identity at inference.
    """

    def transform(self, images):
        factor = self.draw_factor(images.shape[0])
        factor = (factor / (1 - factor + config.epsilon())).astype(images.dtype)[:, None, None]
        hsv = image_ops.rgb_to_hsv(images, data_format="channels_last").data
        saturation = self.clip(hsv[..., 1] * factor)
        return image_ops.hsv_to_rgb(np.stack([hsv[..., 0], saturation, hsv[..., 2]], axis=-1),
                                    data_format="channels_last").data
