"""GaussianNoise: add zero-centred Gaussian noise in training."""

import numbers

from glassnet import ops
from glassnet.autodiff.tensor import Tensor
from glassnet.layers.layer import Layer
from glassnet.random import SeedGenerator


class GaussianNoise(Layer):
    """y = x + n, n ~ N(0, stddev^2) drawn afresh for every value at every training step.

    At inference it is the identity. The gradient with respect to x is 1.
    Any non-negative ``stddev`` is accepted (Keras 3 refuses values above 1,
    which suits inputs scaled to [0, 1] only).
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, numbers.Real) or not stddev >= 0:
            raise ValueError(f"GaussianNoise '{self.name}': `stddev` must be a non-negative number, "
                             f"got stddev={stddev!r}")
        self.stddev = float(stddev)
        self.seed = seed
        self._seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        if inputs.dtype.kind != "f":  # integer data becomes float (as Keras' compute dtype) before the noise
            inputs = Tensor(inputs.data.astype(self.dtype))
        noise = self._seed_generator.generator.standard_normal(inputs.shape, dtype="float32")
        noise *= self.stddev
        return ops.add(inputs, noise.astype(inputs.dtype, copy=False))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config
