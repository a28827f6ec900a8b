"""MaxPooling3D and AveragePooling3D: pooling boxes of (batch, depth, height, width, channels) volumes."""

from glassnet.layers.channels_first import ChannelsFirst, standardize_data_format
from glassnet.layers.pooling.base_pooling import BasePooling
from glassnet.ops.pooling3d import average_pool3d, max_pool3d


class _Pooling3D(ChannelsFirst, BasePooling):
    rank = 3
    pool_op = None

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, None, **kwargs)
        self.data_format = standardize_data_format(self, data_format)

    def call_channels_last(self, inputs):
        return type(self).pool_op(inputs, self.pool_size, self.strides, self.padding)


class MaxPooling3D(_Pooling3D):
    """``MaxPooling3D(pool_size=(2, 2, 2))``: the largest value of each box (strides default to pool_size)."""

    pool_op = staticmethod(max_pool3d)


class AveragePooling3D(_Pooling3D):
    """``AveragePooling3D(pool_size=(2, 2, 2))``; with "same" padding, edge boxes average their real values."""

    pool_op = staticmethod(average_pool3d)

MaxPool3D, AvgPool3D = MaxPooling3D, AveragePooling3D
