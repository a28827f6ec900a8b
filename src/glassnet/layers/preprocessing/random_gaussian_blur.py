"""RandomGaussianBlur: blur some images with a Gaussian of random width, in training."""

import numbers

import numpy as np

from glassnet.layers.preprocessing.keras_image_augmentation import FactorAugmentation, keras_factor
from glassnet.ops import image as image_ops


class RandomGaussianBlur(FactorAugmentation):
    """In training, each image chosen with a probability drawn from ``factor`` is blurred by
    ``ops.image.gaussian_blur`` with ``kernel_size`` and the two sigmas (columns, rows) drawn once per
    call uniformly from ``sigma`` (a number s gives [0, s]), then clipped to ``value_range``. Identity
    at inference.
    """

    FACTOR_BOUNDS = (0.0, 1.0)

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255), data_format=None, seed=None,
                 **kwargs):
        super().__init__(factor, value_range=value_range, data_format=data_format, seed=seed, **kwargs)
        sizes = (kernel_size, kernel_size) if isinstance(kernel_size, numbers.Integral) else tuple(kernel_size)
        if len(sizes) != 2 or not all(isinstance(k, numbers.Integral) and k > 0 for k in sizes):
            raise ValueError(f"{self._who()}: `kernel_size` must be a positive integer or a pair of them, "
                             f"got kernel_size={kernel_size!r}")
        self.kernel_size = tuple(int(k) for k in sizes)
        self.sigma = keras_factor(self, sigma, self.FACTOR_BOUNDS, "sigma")

    def transform(self, images):
        batch = images.shape[0]
        probability = self.generator.uniform(self.factor[0], self.factor[1], size=batch)
        chosen = self.generator.uniform(size=batch) < probability
        sigma = self.generator.uniform(self.sigma[0], self.sigma[1], size=2) + 1e-6
        blurred = image_ops.gaussian_blur(images, self.kernel_size, tuple(sigma), data_format="channels_last").data
        return self.clip(np.where(chosen[:, None, None, None], blurred, images))

    def get_config(self):
        config = super().get_config()
        config.update({"kernel_size": list(self.kernel_size), "sigma": list(self.sigma)})
        return config
