"""RepeatVector: repeat a vector n times, making a sequence."""

from glassnet import ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.reshaping._arguments import int_tuple


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features): every step is the same input vector.

    The gradient of the vector is the sum of the gradients of its n copies.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = int_tuple(self, n, 1, "n", allow_zero=False)[0]
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        batch, features = inputs.shape
        return ops.repeat(ops.reshape(inputs, (batch, 1, features)), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config
