from glassnet.layers.pooling.average_pooling2d import AveragePooling2D
from glassnet.layers.pooling.global_pooling import (
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D,
)
from glassnet.layers.pooling.max_pooling2d import MaxPooling2D
from glassnet.layers.pooling.pooling1d import AveragePooling1D, MaxPooling1D
