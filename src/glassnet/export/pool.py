"""Pooling: Max/AveragePooling1D/2D/3D and the global poolings.

    MaxPoolingND     -> Transpose, MaxPool(kernel_shape=pool_size, strides, pads), Transpose
    AveragePoolingND -> the same with AveragePool(count_include_pad=0): a "same" window averages only the
                        pixels it covers, as Keras does
    GlobalAverage/GlobalMaxPoolingND -> ReduceMean/ReduceMax over the spatial axes (keepdims as the layer)

Pads follow the convolutions' rule (conv.window_pads).
"""

from glassnet.export.conv import channels_first, channels_last, spatial_sizes, window_pads
from glassnet.export.registry import converts, unsupported
from glassnet.layers.pooling import (
    AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D,
    GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D,
)
from glassnet.layers.pooling.global_pooling3d import GlobalAveragePooling3D, GlobalMaxPooling3D
from glassnet.layers.pooling.pooling3d import AveragePooling3D, MaxPooling3D

MAX_POOLS = (MaxPooling1D, MaxPooling2D, MaxPooling3D)
AVERAGE_POOLS = (AveragePooling1D, AveragePooling2D, AveragePooling3D)
GLOBAL_MAX = (GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D)
GLOBAL_AVERAGE = (GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D)


@converts(*MAX_POOLS, *AVERAGE_POOLS)
def pooling(g, layer, inputs, kwargs):
    """MaxPool / AveragePool between the two layout Transposes."""
    rank, data_format = layer.rank, layer.data_format
    x = channels_first(g, inputs[0], rank, data_format, layer.name)
    pads = window_pads(layer, spatial_sizes(inputs[0], rank, data_format), layer.pool_size, layer.strides,
                       (1,) * rank)
    extra = {"count_include_pad": 0} if isinstance(layer, AVERAGE_POOLS) else {}
    op_type = "AveragePool" if isinstance(layer, AVERAGE_POOLS) else "MaxPool"
    y = g.op(op_type, [x], f"{layer.name}/pool_nchw", kernel_shape=list(layer.pool_size),
             strides=list(layer.strides), **pads, **extra)
    return channels_last(g, y, rank, data_format, layer.name)


@converts(*GLOBAL_MAX, *GLOBAL_AVERAGE)
def global_pooling(g, layer, inputs, kwargs):
    """ReduceMean / ReduceMax over the spatial axes (axes as an attribute in opset 17)."""
    if kwargs.get("mask") is not None:
        raise unsupported(layer, "masked global pooling is not exported")
    rank = layer.rank
    axes = list(range(2, rank + 2)) if layer.data_format == "channels_first" else list(range(1, rank + 1))
    op_type = "ReduceMax" if isinstance(layer, GLOBAL_MAX) else "ReduceMean"
    return g.op(op_type, [inputs[0].name], layer.name, axes=axes, keepdims=int(bool(layer.keepdims)))
