"""3-D convolutions of NDHWC volumes, composed from the 2-D ones (ops/convolution.py).

A 3-D convolution is a 2-D convolution over the stack of depth windows: the
kd depth slices a kernel reads for output depth t are placed side by side
along the channels, and the kernel (kd, kh, kw, C, F) becomes (kh, kw, kd*C, F):

    y[:, t] = conv2d(concat_a x[:, t*sd + a*dd], K reshaped) + b

A transposed 3-D convolution is the 2-D transposed convolution of every depth
slice with kd*F output channels, each block a then added at depth i*sd + a*dd:

    full[:, i*sd + a*dd] += conv_transpose2d(x[:, i], K[a]),  then cropped like the 2-D one

Both are built from recorded ops, so their gradients come from the 2-D ops' backward passes.
"""

from glassnet.ops import math, shaping
from glassnet.ops._convert import as_input, data_of
from glassnet.ops.convolution import _check_padding, _transpose_same_padding, conv, conv_transpose
from glassnet.ops.windows import output_length, same_padding


def _triple(value, name):
    values = (value,) * 3 if isinstance(value, int) else tuple(int(v) for v in value)
    if len(values) != 3:
        raise ValueError(f"{name} must be an integer or a tuple of 3 integers, got {value!r}")
    return values


def _depth_windows(x, kernel_depth, stride, dilation, padding):
    """(N*OD, H, W, kd*C): the depth slices each output depth reads, stacked along the channels."""
    depth = x.shape[1]
    if padding == "same":
        x = shaping.pad(x, ((0, 0), same_padding(depth, kernel_depth, stride, dilation), (0, 0), (0, 0), (0, 0)))
    out_depth = output_length(x.shape[1], kernel_depth, stride, dilation, "valid")
    if out_depth <= 0:
        raise ValueError(f"The kernel depth {kernel_depth} (dilation {dilation}) is larger than the input depth "
                         f"{depth} with '{padding}' padding; use padding='same' or a smaller kernel")
    slices = [shaping.get_item(x, (slice(None), slice(a * dilation, a * dilation + (out_depth - 1) * stride + 1,
                                                         stride)))
              for a in range(kernel_depth)]
    stacked = slices[0] if kernel_depth == 1 else shaping.concatenate(slices, axis=-1)
    n, _, h, w, c = stacked.shape
    return shaping.reshape(stacked, (n * out_depth, h, w, c)), out_depth


def conv3d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, activation=None):
    """3-D convolution of NDHWC ``x`` with ``kernel`` (kd, kh, kw, C, F); "valid" or "same" padding."""
    padding = _check_padding(padding)
    strides, dilation = _triple(strides, "strides"), _triple(dilation_rate, "dilation_rate")
    x = as_input(x)
    kd, kh, kw, channels, filters = kernel.shape
    n = x.shape[0]
    stacked, out_depth = _depth_windows(x, kd, strides[0], dilation[0], padding)
    flat_kernel = shaping.reshape(shaping.transpose(kernel, (1, 2, 0, 3, 4)), (kh, kw, kd * channels, filters))
    y = conv(stacked, flat_kernel, bias, strides=strides[1:], padding=padding, dilation_rate=dilation[1:],
             activation=activation)
    return shaping.reshape(y, (n, out_depth) + tuple(y.shape[1:]))


def _spread(z, stride):
    """(N, D, ...) -> (N, (D - 1) * stride + 1, ...): stride - 1 zeros between neighbouring depths."""
    if stride == 1:
        return z
    n, depth = z.shape[:2]
    rest = tuple(z.shape[2:])
    zeros = shaping.pad(shaping.expand_dims(z, 2), ((0, 0), (0, 0), (0, stride - 1)) + ((0, 0),) * len(rest))
    spread = shaping.reshape(zeros, (n, depth * stride) + rest)
    return shaping.get_item(spread, (slice(None), slice(0, (depth - 1) * stride + 1)))


def conv3d_transpose(x, kernel, bias=None, strides=1, padding="valid", output_padding=None, dilation_rate=1):
    """Transposed 3-D convolution; ``kernel`` has Keras' shape (kd, kh, kw, filters, in_channels)."""
    padding = _check_padding(padding)
    strides, dilation = _triple(strides, "strides"), _triple(dilation_rate, "dilation_rate")
    extra = None if output_padding is None else _triple(output_padding, "output_padding")
    x = as_input(x)
    kd, kh, kw, filters, channels = kernel.shape
    n, depth, h, w, _ = data_of(x).shape
    flat_kernel = shaping.reshape(shaping.transpose(kernel, (1, 2, 0, 3, 4)), (kh, kw, kd * filters, channels))
    z = conv_transpose(shaping.reshape(x, (n * depth, h, w, channels)), flat_kernel, None, strides=strides[1:],
                       padding=padding, output_padding=None if extra is None else extra[1:],
                       dilation_rate=dilation[1:])
    out_h, out_w = z.shape[1:3]
    z = shaping.reshape(z, (n, depth, out_h, out_w, kd, filters))
    out_depth = transpose_output_size(depth, kd, strides[0], padding, None if extra is None else extra[0],
                                      dilation[0])
    y = _place_depths(z, out_depth, kd, strides[0], dilation[0], padding)
    if bias is not None:
        y = math.add(y, bias)
    return y


def _place_depths(z, out_depth, kernel_depth, stride, dilation, padding):
    """Add block a of (N, D, H, W, kd, F) at depths i*stride + a*dilation, then crop to ``out_depth``."""
    depth = z.shape[1]
    full = (depth - 1) * stride + (kernel_depth - 1) * dilation + 1
    before = _transpose_same_padding(depth, out_depth, kernel_depth, stride, dilation)[0] if padding == "same" else 0
    length = max(full, before + out_depth)
    total = None
    for a in range(kernel_depth):
        block = _spread(shaping.get_item(z, (Ellipsis, a, slice(None))), stride)
        start = a * dilation
        placed = shaping.pad(block, ((0, 0), (start, length - start - block.shape[1]), (0, 0), (0, 0), (0, 0)))
        total = placed if total is None else math.add(total, placed)
    return shaping.get_item(total, (slice(None), slice(before, before + out_depth)))


def transpose_output_size(size, kernel, stride, padding, output_padding=None, dilation=1):
    """Keras' output length of a transposed convolution along one axis."""
    if size is None:
        return None
    span = (kernel - 1) * dilation + 1
    if output_padding is None:
        return size * stride if padding == "same" else size * stride + max(span - stride, 0)
    pad = span // 2 if padding == "same" else 0
    return (size - 1) * stride + span - 2 * pad + output_padding
