"""MaxPooling2D: the largest value of each window."""

from glassnet import ops
from glassnet.layers.pooling.base_pooling import BasePooling


class MaxPooling2D(BasePooling):
    """``MaxPooling2D(pool_size=(2, 2))``: halves height and width (strides default to pool_size)."""

    rank = 2
    splits_batch = True  # its op computes parts of the batch in parallel threads

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)

    def call(self, inputs):
        return ops.max_pool(inputs, self.pool_size, self.strides, self.padding)
