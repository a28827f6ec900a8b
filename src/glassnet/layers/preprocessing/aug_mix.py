"""AugMix: blend each batch with a mix of randomly augmented copies of it, in training."""

import numbers

import numpy as np

from glassnet.layers.preprocessing.augmentation_pool import COLOUR, GEOMETRIC_AND_TONAL, apply, make_pool
from glassnet.layers.preprocessing.keras_image_augmentation import (
    KerasImageAugmentation,
    check_value_range,
    keras_factor,
    plain,
)


class AugMix(KerasImageAugmentation):
    """In training (Hendrycks et al., 2020): ``num_chains`` chains of up to ``chain_depth`` augmentations
    each (every step picks one of the pool or none), chain weights w ~ Dirichlet(alpha), m ~ Beta(alpha,
    alpha); y = clip(m x + (1 - m) sum_k w_k chain_k(x), value_range). The pool is shear, translation,
    rotation, posterization, solarization, AutoContrast and Equalization, plus brightness, colour
    degeneration, contrast and sharpness with ``all_ops``; their strength is ``factor``. Identity at
    inference.
    """

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3, alpha=1.0, all_ops=True,
                 interpolation="bilinear", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = check_value_range(self, value_range)
        for name, value in (("num_chains", num_chains), ("chain_depth", chain_depth)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{self._who()}: `{name}` must be a positive integer, got {name}={value!r}")
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or alpha <= 0:
            raise ValueError(f"{self._who()}: `alpha` must be a positive number, got alpha={alpha!r}")
        self.num_chains, self.chain_depth, self.alpha, self.all_ops = int(num_chains), int(chain_depth), alpha, all_ops
        self.factor = keras_factor(self, factor, (0.0, 1.0))
        self.interpolation = interpolation
        self._names = GEOMETRIC_AND_TONAL + (COLOUR if all_ops else [])
        self._pool = make_pool(self, self.factor, value_range, interpolation, self._names)

    def transform(self, images):
        generator = self.generator
        weights = generator.dirichlet([self.alpha] * self.num_chains)
        keep = generator.beta(self.alpha, self.alpha)
        mixed = np.zeros_like(images)
        for weight in weights:
            chain = images
            for _ in range(self.chain_depth):
                pick = generator.integers(0, len(self._names) + 1)
                if pick < len(self._names):
                    chain = apply(self._pool[self._names[pick]], chain)
            mixed += chain * np.float32(weight)
        low, high = sorted(self.value_range)
        return np.clip(np.float32(keep) * images + np.float32(1 - keep) * mixed, low, high)

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": plain(self.value_range), "num_chains": self.num_chains,
                       "chain_depth": self.chain_depth, "factor": list(self.factor), "alpha": self.alpha,
                       "all_ops": self.all_ops, "interpolation": self.interpolation})
        return config
