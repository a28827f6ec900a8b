"""RandomSharpness: sharpen or soften images at random, in training."""

import numpy as np

from glassnet.layers.preprocessing.keras_image_augmentation import FactorAugmentation

# a 3x3 smoothing kernel: 5/13 at the centre, 1/13 around it
SMOOTHING = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], dtype=np.float32) / 13.0


def smooth(images):
    """Each channel correlated with SMOOTHING, zero-padded to keep the size."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)))
    height, width = images.shape[1:3]
    return sum(SMOOTHING[i, j] * padded[:, i:i + height, j:j + width] for i in range(3) for j in range(3))


class RandomSharpness(FactorAugmentation):
    """In training, y = clip(x + (1 - 2f) (smooth(x) - x)) per image, f drawn uniformly from ``factor``
    (a number in [0, 1] gives [0, f]): f = 0.5 keeps the image, less blurs, more sharpens. Identity at
    inference.
    """

    FACTOR_BOUNDS = (0.0, 1.0)

    def transform(self, images):
        sharpness = (self.draw_factor(images.shape[0]) * 2).astype(images.dtype)[:, None, None, None]
        return self.clip(images + (1.0 - sharpness) * (smooth(images) - images))
