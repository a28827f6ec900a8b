"""ZeroPadding1D: add zeros at the start and end of each sequence."""

from glassnet import ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.reshaping._arguments import check_data_format, int_tuple


class ZeroPadding1D(Layer):
    """(batch, steps, features) -> (batch, left + steps + right, features), padded with zeros.

    ``padding`` is an int (both ends) or a pair ``(left, right)``.
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = int_tuple(self, padding, 2, "padding")
        self.data_format = check_data_format(self, data_format)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        if not any(self.padding):
            return inputs
        return ops.pad(inputs, ((0, 0), self.padding, (0, 0)))

    def compute_output_shape(self, input_shape):
        batch, steps, features = input_shape
        return (batch, None if steps is None else steps + sum(self.padding), features)

    def get_config(self):
        config = super().get_config()
        config.update({"padding": list(self.padding), "data_format": self.data_format})
        return config
