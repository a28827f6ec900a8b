"""UpSampling3D: enlarge each volume by whole factors along depth, height and width."""

from glassnet import ops
from glassnet.layers.channels_first import standardize_data_format
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.reshaping._arguments import int_tuple
from glassnet.layers.reshaping.cropping3d import spatial_axes


class UpSampling3D(Layer):
    """(batch, d, h, w, c) -> (batch, d * size[0], h * size[1], w * size[2], c) (channels first alike).

    Every position is repeated ``size`` times along each spatial axis (nearest neighbour); the gradient
    of an input position is the sum of the gradients of its copies.
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = int_tuple(self, size, 3, "size", allow_zero=False)
        self.data_format = standardize_data_format(self, data_format)
        self.input_spec = InputSpec(ndim=5)

    def call(self, inputs):
        for axis, factor in zip(spatial_axes(self.data_format), self.size):
            inputs = ops.repeat(inputs, factor, axis=axis)
        return inputs

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(spatial_axes(self.data_format), self.size):
            shape[axis] = None if shape[axis] is None else shape[axis] * factor
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"size": list(self.size), "data_format": self.data_format})
        return config
