"""MaxPooling1D and AveragePooling1D: pooling along the steps of (batch, steps, channels)."""

from glassnet import ops
from glassnet.layers.pooling.base_pooling import BasePooling


class _Pooling1D(BasePooling):
    rank = 1
    pool_op = None

    def call(self, inputs):
        x = ops.expand_dims(inputs, 1)
        pooled = type(self).pool_op(x, (1, self.pool_size[0]), (1, self.strides[0]), self.padding)
        return ops.squeeze(pooled, 1)


class MaxPooling1D(_Pooling1D):
    """``MaxPooling1D(pool_size=2)``: the largest value of each window of steps."""

    splits_batch = True  # its op computes parts of the batch in parallel threads

    pool_op = staticmethod(ops.max_pool)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(_Pooling1D):
    """``AveragePooling1D(pool_size=2)``: the mean of each window of steps."""

    splits_batch = True  # its op computes parts of the batch in parallel threads

    pool_op = staticmethod(ops.average_pool)

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)
