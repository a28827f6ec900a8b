"""Convolutions: Conv1D/2D/3D, their transposes, DepthwiseConv1D/2D, SeparableConv1D/2D.

glassnet computes channels last (N, *spatial, C); ONNX's Conv wants channels
first, so a channels-last layer becomes

    Transpose(0, r+1, 1..r) -> Conv -> Transpose(0, 2..r+1, 1)

(r spatial axes). Kernels are rearranged once, at export:

    Conv:           (k..., C, F)  -> W (F, C, k...)       transpose (r+1, r, 0..r-1)
    ConvTranspose:  (k..., F, C)  -> W (C, F, k...)       the same transpose
    Depthwise:      (k..., C, M)  -> W (C*M, 1, k...)     group = C; output channel c*M + m, as Keras orders it
    Separable:      depthwise (no bias), then a 1x1 Conv with the pointwise kernel and the bias

Padding: "valid" -> no pads; "same" -> TensorFlow's pads (the odd pixel after),
written out when the size is known, else auto_pad SAME_UPPER (the same rule);
"causal" -> (k - 1) * dilation before. Transposed convolutions crop the full
output (size - 1) * stride + span by Keras' rule: pads (total // 2, the rest)
for "same", output_padding where Keras' output is longer than the full one.
"""

import numpy as np

from glassnet.export.activations import apply_activation
from glassnet.export.registry import converts, unsupported
from glassnet.layers.convolutional import (
    Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D,
)
from glassnet.layers.convolutional.conv3d import Conv3D
from glassnet.layers.convolutional.conv3d_transpose import Conv3DTranspose
from glassnet.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from glassnet.layers.convolutional.separable_conv1d import SeparableConv1D
from glassnet.ops.convolution import transpose_output_hw
from glassnet.ops.windows import same_padding


def channels_first(g, value, rank, data_format, hint):
    """``value`` as (N, C, *spatial): a Transpose for channels-last data."""
    if data_format == "channels_first":
        return value.name
    return g.op("Transpose", [value.name], f"{hint}/nchw", perm=[0, rank + 1, *range(1, rank + 1)])


def channels_last(g, name, rank, data_format, hint):
    """(N, C, *spatial) back to the layer's format."""
    if data_format == "channels_first":
        return name
    return g.op("Transpose", [name], hint, perm=[0, *range(2, rank + 2), 1])


def spatial_sizes(value, rank, data_format):
    shape = value.shape
    return shape[2:] if data_format == "channels_first" else shape[1:1 + rank]


def window_pads(layer, sizes, kernel_size, strides, dilation):
    """The pads attributes of a Conv or a pool: {"pads": [...]} or {"auto_pad": "SAME_UPPER"}."""
    rank = len(kernel_size)
    if layer.padding == "valid":
        return {"pads": [0] * (2 * rank)}
    if layer.padding == "causal":
        return {"pads": [(kernel_size[0] - 1) * dilation[0], 0]}
    if any(size is None for size in sizes):
        return {"auto_pad": "SAME_UPPER"}
    pairs = [same_padding(n, k, s, d) for n, k, s, d in zip(sizes, kernel_size, strides, dilation)]
    return {"pads": [p[0] for p in pairs] + [p[1] for p in pairs]}


def _kernel_to_onnx(kernel, rank):
    array = np.asarray(kernel.data)
    return array.transpose(rank + 1, rank, *range(rank))


def _finish(g, layer, y, rank, data_format):
    """Back to the layer's format, then the activation."""
    if layer.activation is None or getattr(layer.activation, "__name__", "") == "linear":
        return channels_last(g, y, rank, data_format, layer.name)
    y = channels_last(g, y, rank, data_format, f"{layer.name}/conv")
    return apply_activation(g, layer, layer.activation, y, layer.name)


def _bias(g, layer):
    return [g.const(layer.bias, f"{layer.name}/bias")] if layer.bias is not None else []


@converts(Conv1D, Conv2D, Conv3D)
def conv(g, layer, inputs, kwargs):
    """ConvND -> Conv with W = kernel transposed (r+1, r, 0..r-1)."""
    rank, data_format = layer.rank, getattr(layer, "data_format", "channels_last")
    x = channels_first(g, inputs[0], rank, data_format, layer.name)
    kernel = g.const(_kernel_to_onnx(layer.kernel, rank), f"{layer.name}/kernel")
    pads = window_pads(layer, spatial_sizes(inputs[0], rank, data_format), layer.kernel_size, layer.strides,
                       layer.dilation_rate)
    y = g.op("Conv", [x, kernel, *_bias(g, layer)], f"{layer.name}/conv_nchw", kernel_shape=list(layer.kernel_size),
             strides=list(layer.strides), dilations=list(layer.dilation_rate), group=1, **pads)
    return _finish(g, layer, y, rank, data_format)


def _transpose_pads(layer):
    """(pads, output_padding) turning ONNX's full transposed output into Keras' (the same for every size)."""
    size = 8
    extras = layer.output_padding or (0,) * layer.rank
    begins, ends, output_padding = [], [], []
    for k, s, d, o in zip(layer.kernel_size, layer.strides, layer.dilation_rate, extras):
        out = transpose_output_hw((size, size), (k, k), (s, s), layer.padding,
                                  None if layer.output_padding is None else (o, o), (d, d))[0]
        total = (size - 1) * s + (k - 1) * d + 1 - out  # what Keras crops off the full output
        if layer.padding == "same" and total >= 0:
            begins.append(total // 2)
            ends.append(total - total // 2)
            output_padding.append(0)
        else:
            begins.append(0)
            ends.append(0)
            output_padding.append(-total)
    return begins + ends, output_padding


@converts(Conv1DTranspose, Conv2DTranspose, Conv3DTranspose)
def conv_transpose(g, layer, inputs, kwargs):
    """ConvNDTranspose -> ConvTranspose with pads and output_padding giving Keras' output size."""
    rank, data_format = layer.rank, getattr(layer, "data_format", "channels_last")
    x = channels_first(g, inputs[0], rank, data_format, layer.name)
    kernel = g.const(_kernel_to_onnx(layer.kernel, rank), f"{layer.name}/kernel")
    pads, output_padding = _transpose_pads(layer)
    if any(p < 0 for p in output_padding):
        raise unsupported(layer, f"its output is shorter than ONNX's transposed convolution allows ({pads}, "
                          f"{output_padding})")
    y = g.op("ConvTranspose", [x, kernel, *_bias(g, layer)], f"{layer.name}/conv_nchw",
             kernel_shape=list(layer.kernel_size), strides=list(layer.strides), dilations=list(layer.dilation_rate),
             pads=pads, output_padding=output_padding)
    return _finish(g, layer, y, rank, data_format)


def _depthwise(g, layer, inputs, kernel, bias, hint):
    """The grouped Conv of a depthwise kernel (k..., C, M): W (C*M, 1, k...), group C."""
    rank, data_format = layer.rank, getattr(layer, "data_format", "channels_last")
    array = np.asarray(kernel.data)
    channels, multiplier = array.shape[-2:]
    weights = array.transpose(rank, rank + 1, *range(rank)).reshape(channels * multiplier, 1, *array.shape[:rank])
    x = channels_first(g, inputs[0], rank, data_format, layer.name)
    pads = window_pads(layer, spatial_sizes(inputs[0], rank, data_format), layer.kernel_size, layer.strides,
                       layer.dilation_rate)
    return g.op("Conv", [x, g.const(weights, f"{layer.name}/depthwise_kernel"), *bias], hint,
                kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
                dilations=list(layer.dilation_rate), group=int(channels), **pads)


@converts(DepthwiseConv1D, DepthwiseConv2D)
def depthwise_conv(g, layer, inputs, kwargs):
    """DepthwiseConvND -> Conv with group = channels."""
    y = _depthwise(g, layer, inputs, layer.kernel, _bias(g, layer), f"{layer.name}/conv_nchw")
    return _finish(g, layer, y, layer.rank, getattr(layer, "data_format", "channels_last"))


@converts(SeparableConv1D, SeparableConv2D)
def separable_conv(g, layer, inputs, kwargs):
    """SeparableConvND -> depthwise Conv (group = channels), then a 1x1 Conv with the pointwise kernel and bias."""
    rank = layer.rank
    depthwise = _depthwise(g, layer, inputs, layer.depthwise_kernel, [], f"{layer.name}/depthwise")
    pointwise = g.const(_kernel_to_onnx(layer.pointwise_kernel, rank), f"{layer.name}/pointwise_kernel")
    y = g.op("Conv", [depthwise, pointwise, *_bias(g, layer)], f"{layer.name}/conv_nchw",
             kernel_shape=[1] * rank)
    return _finish(g, layer, y, rank, getattr(layer, "data_format", "channels_last"))
