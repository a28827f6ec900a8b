"""GaussianDropout: multiply by one-centred Gaussian noise in training."""

import math
import numbers

from glassnet import ops
from glassnet.autodiff.tensor import Tensor
from glassnet.layers.layer import Layer
from glassnet.random import SeedGenerator


class GaussianDropout(Layer):
    """y = x * n, n ~ N(1, rate / (1 - rate)) drawn afresh in every training step.

    The noise has the variance of Dropout(rate)'s scaled mask, without its
    zeros; the expectation of y is x. Identity at inference; dy/dx = n.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
            raise ValueError(f"GaussianDropout '{self.name}': `rate` must be a number in [0, 1) (the noise "
                             f"standard deviation sqrt(rate / (1 - rate)) is infinite at 1), got rate={rate!r}")
        self.rate = float(rate)
        self.seed = seed
        self._seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if inputs.dtype.kind != "f":  # integer data becomes float (as Keras' compute dtype) before the noise
            inputs = Tensor(inputs.data.astype(self.dtype))
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = self._seed_generator.generator.standard_normal(inputs.shape, dtype="float32")
        noise *= stddev
        noise += 1.0
        return ops.multiply(inputs, noise.astype(inputs.dtype, copy=False))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config
