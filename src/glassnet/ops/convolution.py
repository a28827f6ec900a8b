"""Convolutions on NHWC images: one strided window view plus one matrix product.

Forward, for a kernel K of shape (kh, kw, C, F):

    cols = windows(pad(x)) reshaped to (N*OH*OW, kh*kw*C)      # "im2col": the one copy
    y    = act(cols @ K.reshape(kh*kw*C, F) + b)               # one matrix product

Backward, the same idea the other way:

    dK    = cols^T @ dy                                         # one matrix product
    dx[windows at offset (a, b)] += dy @ K[a, b]^T              # kh*kw small products, each added in place

The input gradient is computed offset by offset: each product's result is
contiguous and is added straight onto the image positions its offset reads,
never forming the (N*OH*OW, kh*kw*C) window-gradient matrix (measured on
2 cores, a 3x3 convolution of 64 images of 32x32x16: 23 ms as one product
then a scatter of that matrix, 5 ms offset by offset).

A transposed convolution is exactly that backward pass run forwards, and its
backward is a convolution. Depthwise convolution multiplies each channel by
its own kernel, offset by offset.
"""

import numpy as np

from glassnet.autodiff.function import Function
from glassnet.backend import get_array_module
from glassnet.backend.parallel import batch_parts, run_parts, sum_parts
from glassnet.ops._convert import as_input
from glassnet.ops.fused_activation import activation_slope, add_bias_and_activate, fused_key
from glassnet.ops.windows import (
    as_pair, crop_padding, offset_slices, output_length, pad_amounts, pad_image, window_view,
)


def _too_large(kernel_hw, dilation, image_hw, padding):
    return ValueError(
        f"The kernel {kernel_hw} (dilation {dilation}) is larger than the input {image_hw} with "
        f"'{padding}' padding; use padding='same' or a smaller kernel"
    )


def _im2col(x, kernel_hw, strides, dilation, padding):
    """(cols, pads, padded shape, (N, OH, OW)) for an NHWC batch."""
    pads = pad_amounts(x.shape[1], x.shape[2], kernel_hw, strides, dilation, padding)
    padded = pad_image(x, pads)
    windows = window_view(padded, kernel_hw, strides, dilation)
    n, oh, ow, kh, kw, c = windows.shape
    if oh <= 0 or ow <= 0:
        raise _too_large(kernel_hw, dilation, x.shape[1:3], padding)
    return windows.reshape(n * oh * ow, kh * kw * c), pads, padded.shape, (n, oh, ow)


def _add_offset_products(dy, kernel, image_hw, strides, dilation, pads, out):
    """out = the image whose windows produced ``dy``: sum over offsets (a, b) of ``dy @ kernel[a, b]^T``, each
    added at the positions offset (a, b) reads, then the padding removed.

    dy (N, OH, OW, F); kernel (kh, kw, C, F); out (N, H, W, C) of the unpadded image (overwritten).
    """
    xp = get_array_module(dy)
    n, oh, ow, filters = dy.shape
    kh, kw, channels = kernel.shape[:3]
    (top, bottom), (left, right) = pads
    padded = out if not (top or bottom or left or right) else xp.empty(
        (n, image_hw[0] + top + bottom, image_hw[1] + left + right, channels), dtype=out.dtype)
    padded.fill(0)
    rows_of_dy = dy.reshape(-1, filters)
    product = xp.empty((rows_of_dy.shape[0], channels), dtype=out.dtype)
    for a in range(kh):
        for b in range(kw):
            xp.matmul(rows_of_dy, kernel[a, b].T, out=product)
            rows, cols = offset_slices((a, b), (oh, ow), strides, dilation)
            padded[:, rows, cols, :] += product.reshape(n, oh, ow, channels)
    if padded is not out:
        out[...] = crop_padding(padded, pads)
    return out


class Conv2D(Function):
    """y = act(conv(x, K) + b) on NHWC images; K has shape (kh, kw, C, F).

    dK = cols^T dz,  db = sum dz,  dx = col2im(dz K^T)  where dz = dy act'(y).

    Both passes run part by part over the batch (backend/parallel.py): each
    part has its own window copy, product and image rows; the parts' kernel
    and bias gradients are added at the end.
    """

    def __init__(self, strides=(1, 1), padding="valid", dilation=(1, 1), activation=None):
        self.strides, self.padding = as_pair(strides, "strides"), padding
        self.dilation, self.activation = as_pair(dilation, "dilation_rate"), activation

    def forward(self, x, kernel, bias):
        if x.dtype != kernel.dtype:
            x = x.astype(kernel.dtype)
        xp = get_array_module(x)
        kh, kw, channels, filters = kernel.shape
        n, height, width = x.shape[:3]
        oh, ow = (output_length(size, k, s, d, self.padding)
                  for size, k, s, d in zip((height, width), (kh, kw), self.strides, self.dilation))
        if oh <= 0 or ow <= 0:
            raise _too_large((kh, kw), self.dilation, (height, width), self.padding)
        matrix = kernel.reshape(kh * kw * channels, filters)
        z = xp.empty((n, oh, ow, filters), dtype=kernel.dtype)
        self.x_shape, self.kernel, self.y = x.shape, kernel, z
        self.pads = pad_amounts(height, width, (kh, kw), self.strides, self.dilation, self.padding)
        self.parts = batch_parts(n, oh * ow * kh * kw * channels * filters, xp)
        self.cols = run_parts(lambda part: self._forward_part(x[part], matrix, bias, z[part]), self.parts)
        return z

    def _forward_part(self, x, matrix, bias, out):
        """Write act(cols @ K + b) of the images ``x`` into ``out``; return cols for the backward pass."""
        cols = _im2col(x, self.kernel.shape[:2], self.strides, self.dilation, self.padding)[0]
        rows = out.reshape(-1, out.shape[-1])
        get_array_module(x).matmul(cols, matrix, out=rows)
        add_bias_and_activate(rows, bias, self.activation)
        return cols

    def backward(self, gy):
        need_x, need_kernel, need_bias = self.needs_input_grad
        xp = get_array_module(gy)
        kernel = self.kernel
        matrix = kernel.reshape(-1, kernel.shape[-1])
        gx = xp.empty(self.x_shape, dtype=gy.dtype) if need_x else None

        def part_grads(indexed_part):
            index, part = indexed_part
            dz = activation_slope(gy[part], self.y[part], self.activation)
            if need_x:
                _add_offset_products(dz, kernel, self.x_shape[1:3], self.strides, self.dilation, self.pads, gx[part])
            dz = dz.reshape(-1, matrix.shape[1])
            return (self.cols[index].T @ dz if need_kernel else None,
                    _column_sums(dz) if need_bias else None)

        sums = run_parts(part_grads, list(enumerate(self.parts)))
        gk = sum_parts(part[0] for part in sums).reshape(kernel.shape) if need_kernel else None
        gb = sum_parts(part[1] for part in sums) if need_bias else None
        return gx, gk, gb


def _column_sums(matrix):
    """Sum over rows as a matrix-vector product: twice as fast as a reduction on tall matrices."""
    return get_array_module(matrix).ones(matrix.shape[0], dtype=matrix.dtype) @ matrix


class Conv2DTranspose(Function):
    """The transpose (gradient) of a convolution: y = col2im(x K^T) + b, cropped to ``output_shape``.

    K has Keras' shape (kh, kw, F_out, C_in). Its backward pass is a convolution of dy.
    """

    def __init__(self, strides=(1, 1), padding="valid", dilation=(1, 1), output_hw=None, activation=None):
        self.strides, self.padding = as_pair(strides, "strides"), padding
        self.dilation, self.output_hw, self.activation = as_pair(dilation, "dilation_rate"), output_hw, activation

    def forward(self, x, kernel, bias):
        if x.dtype != kernel.dtype:
            x = x.astype(kernel.dtype)
        kh, kw, filters, channels = kernel.shape
        n, h, w, _ = x.shape
        out_h, out_w = self.output_hw
        pads = (_transpose_same_padding(h, out_h, kh, self.strides[0], self.dilation[0]),
                _transpose_same_padding(w, out_w, kw, self.strides[1], self.dilation[1])) \
            if self.padding == "same" \
            else ((0, out_h - ((h - 1) * self.strides[0] + (kh - 1) * self.dilation[0] + 1)),
                  (0, out_w - ((w - 1) * self.strides[1] + (kw - 1) * self.dilation[1] + 1)))
        self.x, self.kernel, self.pads = x, kernel, pads
        xp = get_array_module(x)
        z = xp.empty((n, out_h, out_w, filters), dtype=kernel.dtype)

        def forward_part(part):
            _add_offset_products(x[part], kernel, (out_h, out_w), self.strides, self.dilation, pads, z[part])

        self.parts = batch_parts(n, h * w * kh * kw * filters * channels, xp)
        run_parts(forward_part, self.parts)
        self.y = add_bias_and_activate(z, bias, self.activation)
        return self.y

    def backward(self, gy):
        need_x, need_kernel, need_bias = self.needs_input_grad
        kernel, x = self.kernel, self.x
        kh, kw, filters, channels = kernel.shape
        dz = activation_slope(gy, self.y, self.activation)
        xp = get_array_module(dz)
        h, w = x.shape[1:3]
        matrix = kernel.reshape(kh * kw * filters, channels)
        gx = xp.empty(x.shape, dtype=dz.dtype) if need_x else None

        def part_grads(part):
            """This part's rows of the input gradient, and its kernel gradient (summed over the parts after)."""
            windows = window_view(pad_image(dz[part], self.pads), (kh, kw), self.strides, self.dilation)
            rows = x[part]
            cols = windows[:, :h, :w].reshape(-1, kh * kw * filters)
            if need_x:
                gx[part] = (cols @ matrix).reshape(rows.shape)
            return cols.T @ rows.reshape(-1, channels) if need_kernel else None

        kernel_grads = run_parts(part_grads, self.parts)
        gk = sum_parts(kernel_grads).reshape(kernel.shape) if need_kernel else None
        gb = xp.add.reduce(dz.reshape(-1, filters), axis=0) if need_bias else None
        return gx, gk, gb


def _transpose_same_padding(size, out, kernel, stride, dilation):
    """(before, after) cropped off the full transposed output ((size - 1) * stride + span) for "same".

    TensorFlow's rule, floor(total / 2) before; stated with the input size, so an even kernel with
    output_padding=0 (output (size - 1) * stride, where ceil(out / stride) != size) crops span / 2 from
    each side, as Keras' torch and JAX backends do.
    """
    total = max((size - 1) * stride + (kernel - 1) * dilation + 1 - out, 0)
    return total // 2, total - total // 2


class DepthwiseConv2D(Function):
    """Each input channel convolved with its own kernels: K has shape (kh, kw, C, M), output C*M channels.

    y[..., c*M + m] = sum_ab windows[..., a, b, c] K[a, b, c, m]; computed offset by offset.
    """

    def __init__(self, strides=(1, 1), padding="valid", dilation=(1, 1), activation=None):
        self.strides, self.padding = as_pair(strides, "strides"), padding
        self.dilation, self.activation = as_pair(dilation, "dilation_rate"), activation

    def forward(self, x, kernel, bias):
        if x.dtype != kernel.dtype:
            x = x.astype(kernel.dtype)
        xp = get_array_module(x)
        kh, kw, channels, multiplier = kernel.shape
        self.pads = pad_amounts(x.shape[1], x.shape[2], (kh, kw), self.strides, self.dilation, self.padding)
        padded = pad_image(x, self.pads)
        windows = window_view(padded, (kh, kw), self.strides, self.dilation)
        n, oh, ow = windows.shape[:3]
        if oh <= 0 or ow <= 0:
            raise ValueError(f"The kernel {(kh, kw)} is larger than the input {x.shape[1:3]} with "
                             f"'{self.padding}' padding")
        z = xp.zeros((n, oh, ow, channels, multiplier), dtype=kernel.dtype)

        def forward_part(part):
            out = z[part]
            for a in range(kh):
                for b in range(kw):
                    out += windows[part, :, :, a, b, :, None] * kernel[a, b]

        self.parts = batch_parts(n, oh * ow * kh * kw * channels * multiplier, xp)
        run_parts(forward_part, self.parts)
        z = z.reshape(n, oh, ow, channels * multiplier)
        self.windows, self.padded_shape, self.kernel, self.x_shape = windows, padded.shape, kernel, x.shape
        self.y = add_bias_and_activate(z, bias, self.activation)
        return self.y

    def backward(self, gy):
        need_x, need_kernel, need_bias = self.needs_input_grad
        xp = get_array_module(gy)
        kernel, windows = self.kernel, self.windows
        kh, kw, channels, multiplier = kernel.shape
        dz = activation_slope(gy, self.y, self.activation)
        gb = xp.add.reduce(dz.reshape(-1, channels * multiplier), axis=0) if need_bias else None
        dz5 = dz.reshape(dz.shape[:3] + (channels, multiplier))
        gx = xp.empty(self.x_shape, dtype=dz.dtype) if need_x else None

        def part_grads(part):
            """This part's kernel gradient (summed over the parts after), and its rows of the input gradient,
            each offset's share added straight onto the image positions it read."""
            part_windows, part_dz = windows[part], dz5[part]
            oh, ow = part_windows.shape[1:3]
            gk = xp.empty_like(kernel) if need_kernel else None
            image = xp.zeros((part_windows.shape[0],) + tuple(self.padded_shape[1:]), dtype=dz.dtype) \
                if need_x else None
            for a in range(kh):
                for b in range(kw):
                    if need_kernel:
                        gk[a, b] = xp.einsum("nijc,nijcm->cm", part_windows[:, :, :, a, b, :], part_dz)
                    if need_x:
                        rows, cols = offset_slices((a, b), (oh, ow), self.strides, self.dilation)
                        image[:, rows, cols, :] += xp.einsum("nijcm,cm->nijc", part_dz, kernel[a, b])
            if need_x:
                gx[part] = crop_padding(image, self.pads)
            return gk

        kernel_grads = run_parts(part_grads, self.parts)
        gk = sum_parts(kernel_grads) if need_kernel else None
        return gx, gk, gb


def conv(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, activation=None):
    """2-D convolution of NHWC ``x`` with ``kernel`` (kh, kw, C, F); "valid" or "same" padding."""
    padding = _check_padding(padding)
    return Conv2D.apply(as_input(x), kernel, bias, strides=strides, padding=padding, dilation=dilation_rate,
                        activation=fused_key(activation, "convolutions"))


def conv_transpose(x, kernel, bias=None, strides=1, padding="valid", output_padding=None, dilation_rate=1,
                   activation=None):
    """Transposed 2-D convolution; ``kernel`` has Keras' shape (kh, kw, filters, in_channels)."""
    padding = _check_padding(padding)
    data = x.data if hasattr(x, "data") and not isinstance(x, np.ndarray) else np.asarray(x)
    out_hw = transpose_output_hw(data.shape[1:3], kernel.shape[:2], strides, padding, output_padding,
                                 dilation_rate)
    return Conv2DTranspose.apply(as_input(x), kernel, bias, strides=strides, padding=padding,
                                 dilation=dilation_rate, output_hw=out_hw,
                                 activation=fused_key(activation, "convolutions"))


def transpose_output_hw(input_hw, kernel_hw, strides, padding, output_padding=None, dilation_rate=1):
    """Keras' output size of a transposed convolution, per spatial axis."""
    strides, dilation = as_pair(strides), as_pair(dilation_rate)
    extra = (0, 0) if output_padding is None else as_pair(output_padding, "output_padding")
    sizes = []
    for size, k, s, d, o in zip(input_hw, kernel_hw, strides, dilation, extra):
        if size is None:
            sizes.append(None)
            continue
        span = (k - 1) * d + 1
        if output_padding is None:
            sizes.append(size * s if padding == "same" else size * s + max(span - s, 0))
        else:
            pad = span // 2 if padding == "same" else 0
            sizes.append((size - 1) * s + span - 2 * pad + o)
    return tuple(sizes)


def depthwise_conv(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, activation=None):
    """Depthwise 2-D convolution: ``kernel`` (kh, kw, C, multiplier), C*multiplier output channels."""
    padding = _check_padding(padding)
    return DepthwiseConv2D.apply(as_input(x), kernel, bias, strides=strides, padding=padding,
                                 dilation=dilation_rate, activation=fused_key(activation, "convolutions"))


def _check_padding(padding):
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return padding
