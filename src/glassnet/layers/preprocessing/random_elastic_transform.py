"""RandomElasticTransform: bend some images by a smooth random displacement field, in training."""

import numpy as np

from glassnet.layers.preprocessing.keras_image_augmentation import FactorAugmentation, keras_factor
from glassnet.ops import image as image_ops


class RandomElasticTransform(FactorAugmentation):
    """In training, each image chosen with a probability drawn from ``factor`` goes through
    ``ops.image.elastic_transform`` with alpha = 0.1 s max(height, width) and sigma = 0.05 s
    min(height, width), s drawn uniformly from ``scale`` once per call, then is clipped to
    ``value_range``. Identity at inference.
    """

    FACTOR_BOUNDS = (0.0, 1.0)

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(factor, value_range=value_range, seed=seed, data_format=data_format, **kwargs)
        self.scale = keras_factor(self, scale, self.FACTOR_BOUNDS, "scale")
        if interpolation not in image_ops.INTERPOLATIONS:
            raise ValueError(f"{self._who()}: `interpolation` must be one of {image_ops.INTERPOLATIONS}, "
                             f"got interpolation={interpolation!r}")
        if fill_mode not in image_ops.MAP_COORDINATES_FILL_MODES:
            raise ValueError(f"{self._who()}: `fill_mode` must be one of {image_ops.MAP_COORDINATES_FILL_MODES}, "
                             f"got fill_mode={fill_mode!r}")
        self.interpolation, self.fill_mode, self.fill_value = interpolation, fill_mode, fill_value

    def transform(self, images):
        if self.scale[1] == 0 or self.factor[1] == 0:
            return images
        batch, height, width, _ = images.shape
        probability = self.generator.uniform(self.factor[0], self.factor[1], size=batch)
        chosen = self.generator.uniform(size=batch) < probability
        distortion = self.generator.uniform(self.scale[0], self.scale[1])
        alpha, sigma = max(height, width) * 0.1 * distortion, min(height, width) * 0.05 * distortion
        warped = image_ops.elastic_transform(images, alpha, sigma, self.interpolation, self.fill_mode,
                                             self.fill_value, seed=self._seed_generator,
                                             data_format="channels_last").data
        return self.clip(np.where(chosen[:, None, None, None], warped, images))

    def get_config(self):
        config = super().get_config()
        config.update({"scale": list(self.scale), "interpolation": self.interpolation, "fill_mode": self.fill_mode,
                       "fill_value": self.fill_value})
        return config
