"""Dropout: randomly silence units during training (inverted dropout)."""

import numbers

from glassnet import ops
from glassnet.layers.layer import Layer
from glassnet.random import SeedGenerator


class Dropout(Layer):
    """Zero each input with probability ``rate`` in training and scale the rest by 1 / (1 - rate).

    At inference (``evaluate``, ``predict``, ``training=False``) it is the identity.
    ``noise_shape`` shares one mask along axes given as 1 (e.g. (batch, 1, features)).
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, numbers.Real) or not 0 <= rate <= 1:
            raise ValueError(f"Dropout '{self.name}': rate must be a number in [0, 1], got {rate!r}")
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        self._seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return ops.multiply(inputs, 0.0)
        return ops.dropout(inputs, self.rate, self._seed_generator.generator, self.noise_shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed})
        return config
