"""Sliding windows over images, the shared machinery of convolution and pooling.

Images are NHWC (batch, height, width, channels). ``window_view`` returns,
without copying, every (kh x kw) window a kernel visits:

    windows[n, i, j, a, b, c] = x[n, i*sh + a*dh, j*sw + b*dw, c]

``scatter_windows`` is its adjoint: it adds window-shaped values back onto
the image positions they came from (the backward pass of a window view). It
loops over the kh*kw kernel offsets, never over pixels, images or filters:
each offset is one strided, vectorised addition.
"""

import math

import numpy as np

from glassnet.backend import get_array_module


def as_pair(value, name="value"):
    """``3 -> (3, 3)``; ``(2, 3) -> (2, 3)``."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"{name} must be an integer or a pair of integers, got {value!r}")
    return value


def output_length(size, kernel, stride, dilation, padding):
    """Output size along one axis for "valid" or "same" padding (Keras/TF rules)."""
    span = (kernel - 1) * dilation + 1
    if padding == "same":
        return math.ceil(size / stride)
    return (size - span) // stride + 1 if size >= span else 0


def same_padding(size, kernel, stride, dilation):
    """(before, after) padding for "same" output size ceil(size / stride), extra on the after side (TF)."""
    span = (kernel - 1) * dilation + 1
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def pad_amounts(height, width, kernel, strides, dilation, padding):
    """((top, bottom), (left, right)) to apply before a "valid" window view."""
    if padding == "valid":
        return (0, 0), (0, 0)
    return (same_padding(height, kernel[0], strides[0], dilation[0]),
            same_padding(width, kernel[1], strides[1], dilation[1]))


def pad_image(x, pads, value=0.0):
    """Pad the two spatial axes of an NHWC batch (returns ``x`` itself when nothing to pad)."""
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return x
    xp = get_array_module(x)
    return xp.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


def window_view(x, kernel, strides, dilation):
    """A read-only (N, OH, OW, KH, KW, C) view of the windows of an (unpadded, "valid") image."""
    n, h, w, c = x.shape
    kh, kw = kernel
    (sh, sw), (dh, dw) = strides, dilation
    oh = output_length(h, kh, sh, dh, "valid")
    ow = output_length(w, kw, sw, dw, "valid")
    s_n, s_h, s_w, s_c = x.strides
    xp = get_array_module(x)
    return xp.lib.stride_tricks.as_strided(
        x, shape=(n, oh, ow, kh, kw, c), strides=(s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c),
        writeable=False)


def offset_slices(offset, out_hw, strides, dilation=(1, 1)):
    """The (rows, cols) slices of a padded image that kernel offset (a, b) reads, one position per window."""
    (a, b), (oh, ow), (sh, sw), (dh, dw) = offset, out_hw, strides, dilation
    return slice(a * dh, a * dh + (oh - 1) * sh + 1, sh), slice(b * dw, b * dw + (ow - 1) * sw + 1, sw)


def scatter_windows(windows_grad, image_shape, kernel, strides, dilation, out=None):
    """Sum (N, OH, OW, KH, KW, C) window values back into an image of ``image_shape`` (or into ``out``)."""
    xp = get_array_module(windows_grad)
    n, oh, ow, kh, kw, c = windows_grad.shape
    if out is None:
        image = xp.zeros(image_shape, dtype=windows_grad.dtype)
    else:
        image = out
        image.fill(0)
    for a in range(kh):
        for b in range(kw):
            rows, cols = offset_slices((a, b), (oh, ow), strides, dilation)
            image[:, rows, cols, :] += windows_grad[:, :, :, a, b, :]
    return image


def crop_padding(x, pads):
    """Undo ``pad_image`` on the spatial axes."""
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return x
    return x[:, top:x.shape[1] - bottom, left:x.shape[2] - right, :]
