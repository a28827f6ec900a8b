"""ZeroPadding2D: add rows and columns of zeros around each image."""

from glassnet import ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.reshaping._arguments import check_data_format, pairs_2d


class ZeroPadding2D(Layer):
    """(batch, h, w, c) -> (batch, top + h + bottom, left + w + right, c), the new border all zeros.

    ``padding`` is an int (the same on all four sides), a pair (symmetric
    height, symmetric width) or ``((top, bottom), (left, right))``. The
    gradient is the centre of the output gradient.
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = pairs_2d(self, padding, "padding")
        self.data_format = check_data_format(self, data_format)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        (top, bottom), (left, right) = self.padding
        if not (top or bottom or left or right):
            return inputs
        return ops.pad(inputs, ((0, 0), (top, bottom), (left, right), (0, 0)))

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        (top, bottom), (left, right) = self.padding
        return (batch, None if height is None else height + top + bottom,
                None if width is None else width + left + right, channels)

    def get_config(self):
        config = super().get_config()
        config.update({"padding": [list(p) for p in self.padding], "data_format": self.data_format})
        return config
