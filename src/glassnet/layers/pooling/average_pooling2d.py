"""AveragePooling2D: the mean of each window."""

from glassnet import ops
from glassnet.layers.pooling.base_pooling import BasePooling


class AveragePooling2D(BasePooling):
    """``AveragePooling2D(pool_size=(2, 2))``; with "same" padding, edge windows average their real values."""

    rank = 2
    splits_batch = True  # its op computes parts of the batch in parallel threads

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)

    def call(self, inputs):
        return ops.average_pool(inputs, self.pool_size, self.strides, self.padding)
