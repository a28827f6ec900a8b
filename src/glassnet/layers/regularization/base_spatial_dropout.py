"""The shared part of SpatialDropout1D and SpatialDropout2D: one dropout decision per channel."""

import numbers

from glassnet import ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.regularization.dropout import Dropout
from glassnet.random import SeedGenerator


class BaseSpatialDropout(Dropout):
    """Dropout whose mask has shape (batch, 1, ..., 1, channels): whole feature maps are kept or zeroed.

    In training each (sample, channel) pair is dropped with probability
    ``rate`` and the kept ones are scaled by 1 / (1 - rate); at inference the
    layer is the identity. Subclasses set the input rank.
    """

    rank = None

    def __init__(self, rate, seed=None, **kwargs):
        Layer.__init__(self, **kwargs)  # Dropout's own checks would name Dropout, not this layer
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate <= 1:
            raise ValueError(f"{type(self).__name__} '{self.name}': `rate` must be a number in [0, 1], "
                             f"got rate={rate!r}")
        self.rate = float(rate)
        self.noise_shape = None
        self.seed = seed
        self._seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=self.rank)

    def _noise_shape(self, shape):
        return (shape[0],) + (1,) * (len(shape) - 2) + (shape[-1],)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return ops.multiply(inputs, 0.0)
        return ops.dropout(inputs, self.rate, self._seed_generator.generator, self._noise_shape(inputs.shape))

    def get_config(self):
        config = Layer.get_config(self)
        config.update({"rate": self.rate, "seed": self.seed})
        return config
