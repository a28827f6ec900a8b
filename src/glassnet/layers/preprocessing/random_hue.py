"""RandomHue: turn the colour wheel of an image by a random angle, in training."""

import numpy as np

from glassnet.layers.preprocessing.keras_image_augmentation import FactorAugmentation, rescale
from glassnet.ops import image as image_ops


class RandomHue(FactorAugmentation):
    """In training, hue h -> (h + s f / 2) mod 1 per image, with f drawn uniformly from ``factor`` (a number
    in [0, 1] gives [0, f]) and a random sign s; saturation and value are kept. Images are mapped from
    ``value_range`` to [0, 1] for the HSV round trip and back. Identity at inference.
    """

    FACTOR_BOUNDS = (0.0, 1.0)

    def transform(self, images):
        batch = images.shape[0]
        sign = np.where(self.generator.uniform(size=batch) > 0.5, -1.0, 1.0)
        shift = (sign * self.draw_factor(batch) * 0.5).astype(images.dtype)[:, None, None]
        hsv = image_ops.rgb_to_hsv(rescale(images, self.value_range, (0, 1)), data_format="channels_last").data
        hue = hsv[..., 0] + shift
        hue = np.where(hue > 1.0, hue - 1.0, np.where(hue < 0.0, hue + 1.0, hue))
        rgb = image_ops.hsv_to_rgb(np.stack([hue, hsv[..., 1], hsv[..., 2]], axis=-1),
                                   data_format="channels_last").data
        return rescale(np.clip(rgb, 0, 1), (0, 1), self.value_range)
