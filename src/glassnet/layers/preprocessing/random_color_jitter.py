"""RandomColorJitter: random brightness, contrast, saturation and hue in one layer, in training."""

from glassnet.autodiff.tensor import Tensor
from glassnet.layers.preprocessing.keras_image_augmentation import KerasImageAugmentation, check_value_range, plain
from glassnet.layers.preprocessing.random_brightness import RandomBrightness
from glassnet.layers.preprocessing.random_contrast import RandomContrast
from glassnet.layers.preprocessing.random_hue import RandomHue
from glassnet.layers.preprocessing.random_saturation import RandomSaturation


class RandomColorJitter(KerasImageAugmentation):
    """In training, RandomBrightness, RandomContrast, RandomSaturation and RandomHue in this order, each
    only when its factor is given (None skips it), all drawing from this layer's seed. Identity at inference.
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None, saturation_factor=None,
                 hue_factor=None, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = check_value_range(self, value_range)
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        steps = [(RandomBrightness, brightness_factor), (RandomContrast, contrast_factor),
                 (RandomSaturation, saturation_factor), (RandomHue, hue_factor)]
        self._steps = [cls(factor, value_range=value_range, name=f"{self.name}_{cls.__name__}")
                       for cls, factor in steps if factor is not None]
        for step in self._steps:  # every draw comes from this layer's generator
            step._seed_generator = self._seed_generator

    def transform(self, images):
        for step in self._steps:
            images = step.augment(Tensor(images)).data if isinstance(step, RandomContrast) else step.transform(images)
        return images

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": plain(self.value_range), "brightness_factor": plain(self.brightness_factor),
                       "contrast_factor": plain(self.contrast_factor),
                       "saturation_factor": plain(self.saturation_factor), "hue_factor": plain(self.hue_factor)})
        return config
