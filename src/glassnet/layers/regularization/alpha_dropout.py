"""AlphaDropout: dropout that keeps a SELU network's mean and variance (Klambauer et al., 2017)."""

import numbers

from glassnet import ops
from glassnet.layers.layer import Layer
from glassnet.random import SeedGenerator

_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """In training, dropped values become SELU's negative saturation a' = -alpha * scale, then an affine
    map restores mean and variance::

        x' = x * keep + a' (1 - keep),   keep ~ Bernoulli(1 - rate) of ``noise_shape``
        y  = a x' + b,   a = ((1 - rate)(1 + rate a'^2))^(-1/2),   b = -a a' rate

    At inference it is the identity.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate <= 1:
            raise ValueError(f"AlphaDropout '{self.name}': `rate` must be a number in [0, 1], got rate={rate!r}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def _concrete_noise_shape(self, shape):
        if self.noise_shape is None:
            return tuple(shape)
        return tuple(size if value is None else value for size, value in zip(shape, self.noise_shape))

    def call(self, inputs, training=False):
        if not training or self.rate <= 0:
            return inputs
        draw = self._seed_generator.generator.random(self._concrete_noise_shape(inputs.shape))
        keep = (draw >= self.rate).astype(inputs.dtype)
        saturation = -_ALPHA * _SCALE
        a = ((1 - self.rate) * (1 + self.rate * saturation ** 2)) ** -0.5
        b = -a * saturation * self.rate
        dropped = ops.add(ops.multiply(inputs, keep), saturation * (1 - keep))
        return ops.add(ops.multiply(dropped, a), b)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed,
                       "noise_shape": None if self.noise_shape is None else list(self.noise_shape)})
        return config
