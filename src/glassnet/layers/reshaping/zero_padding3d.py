"""ZeroPadding3D: add zeros around each volume."""

from glassnet import ops
from glassnet.layers.channels_first import standardize_data_format
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.reshaping._arguments import pairs_nd
from glassnet.layers.reshaping.cropping3d import spatial_axes


class ZeroPadding3D(Layer):
    """(batch, d, h, w, c) -> (batch, d1 + d + d2, h1 + h + h2, w1 + w + w2, c) (channels first alike).

    ``padding`` is an int (every side), a triple (symmetric per axis) or
    ``((d1, d2), (h1, h2), (w1, w2))``. The gradient is the centre of the output gradient.
    """

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = pairs_nd(self, padding, "padding", 3)
        self.data_format = standardize_data_format(self, data_format)
        self.input_spec = InputSpec(ndim=5)

    def call(self, inputs):
        widths = [(0, 0)] * 5
        for axis, pair in zip(spatial_axes(self.data_format), self.padding):
            widths[axis] = pair
        return ops.pad(inputs, tuple(widths))

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(spatial_axes(self.data_format), self.padding):
            shape[axis] = None if shape[axis] is None else shape[axis] + before + after
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"padding": [list(p) for p in self.padding], "data_format": self.data_format})
        return config
