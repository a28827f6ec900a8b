"""UpSampling1D: repeat each step of a sequence ``size`` times."""

from glassnet import ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.reshaping._arguments import int_tuple


class UpSampling1D(Layer):
    """(batch, steps, features) -> (batch, steps * size, features): [a, b] -> [a, a, b, b] for size 2.

    The gradient of each input step is the sum of the gradients of its copies.
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = int_tuple(self, size, 1, "size", allow_zero=False)[0]
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return ops.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        batch, steps, features = input_shape
        return (batch, None if steps is None else steps * self.size, features)

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        return config
