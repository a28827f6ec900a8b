"""Solarization: invert the pixels above a threshold, after adding a brightness, in training."""

import numpy as np

from glassnet.layers.preprocessing.keras_image_augmentation import ValueRangeAugmentation, _is_number, rescale


def _unit_factor(layer, factor, name):
    """Keras' Solarization factors: a number f in [0, 1] gives (0, f); a pair in [0, 1] is sorted."""
    values = list(factor) if isinstance(factor, (tuple, list)) else [factor]
    if len(values) not in (1, 2) or not all(_is_number(v) and 0 <= v <= 1 for v in values):
        raise ValueError(f"{layer._who()}: `{name}` must be a number or a pair of numbers in [0, 1], "
                         f"got {name}={factor!r}")
    return tuple(sorted(values)) if len(values) == 2 else (0, values[0])


class Solarization(ValueRangeAugmentation):
    """In training, with pixels mapped to [0, 255]: r = clip(x + a, 0, 255), y = r where r < t else 255 - r,
    mapped back to ``value_range``. Per image, a is drawn uniformly from [a0, 255 a1] and t from
    [t0, 255 t1] (``addition_factor`` = (a0, a1), ``threshold_factor`` = (t0, t1); a number f means (0, f)),
    Keras' ranges. With both factors 0 every pixel is inverted. Identity at inference.
    """

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.addition_factor = _unit_factor(self, addition_factor, "addition_factor")
        self.threshold_factor = _unit_factor(self, threshold_factor, "threshold_factor")
        self.value_range = sorted(value_range)

    def transform(self, images):
        shape = (images.shape[0], 1, 1, 1)
        additions = self.generator.uniform(self.addition_factor[0], self.addition_factor[1] * 255, size=shape)
        thresholds = self.generator.uniform(self.threshold_factor[0], self.threshold_factor[1] * 255, size=shape)
        pixels = rescale(images, self.value_range, (0, 255))
        results = np.clip(pixels + additions.astype(images.dtype), 0, 255)
        results = np.where(results < thresholds.astype(images.dtype), results, 255 - results)
        return rescale(results, (0, 255), self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"addition_factor": list(self.addition_factor),
                       "threshold_factor": list(self.threshold_factor)})
        return config
