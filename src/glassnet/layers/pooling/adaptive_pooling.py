"""Adaptive pooling: pool to a fixed ``output_size`` whatever the input size (PyTorch's bins).

Output i along an axis of size L pools the inputs [floor(i L / out), ceil((i + 1) L / out))
(ops.adaptive_average_pool / ops.adaptive_max_pool).
"""

from glassnet import ops
from glassnet.layers.channels_first import standardize_data_format
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.reshaping._arguments import int_tuple


class _AdaptivePooling(Layer):
    rank = None
    pool_op = None

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.output_size = int_tuple(self, output_size, self.rank, "output_size", allow_zero=False)
        self.data_format = standardize_data_format(self, data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        return type(self).pool_op(inputs, self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_first":
            return (input_shape[0], input_shape[1]) + self.output_size
        return (input_shape[0],) + self.output_size + (input_shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.update({"output_size": self.output_size, "data_format": self.data_format})
        return config


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """``AdaptiveAveragePooling1D(8)``: (N, L, C) -> (N, 8, C), each output the mean of its bin."""

    rank = 1
    pool_op = staticmethod(ops.adaptive_average_pool)


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """``AdaptiveAveragePooling2D((4, 4))``: (N, H, W, C) -> (N, 4, 4, C)."""

    rank = 2
    pool_op = staticmethod(ops.adaptive_average_pool)


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """``AdaptiveAveragePooling3D((2, 2, 2))``: (N, D, H, W, C) -> (N, 2, 2, 2, C)."""

    rank = 3
    pool_op = staticmethod(ops.adaptive_average_pool)


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """``AdaptiveMaxPooling1D(8)``: (N, L, C) -> (N, 8, C), each output the maximum of its bin."""

    rank = 1
    pool_op = staticmethod(ops.adaptive_max_pool)


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """``AdaptiveMaxPooling2D((4, 4))``: (N, H, W, C) -> (N, 4, 4, C)."""

    rank = 2
    pool_op = staticmethod(ops.adaptive_max_pool)


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """``AdaptiveMaxPooling3D((2, 2, 2))``: (N, D, H, W, C) -> (N, 2, 2, 2, C)."""

    rank = 3
    pool_op = staticmethod(ops.adaptive_max_pool)
