"""``unfold`` (im2col) and ``fold`` (col2im) on NCHW batches, as in PyTorch.

unfold gathers every (kh, kw) window of the zero-padded image into a column:
(N, C, H, W) -> (N, C kh kw, L), L the number of window positions. fold adds
the columns back into an image, overlaps summed. Each is the other's adjoint,
so each one's backward pass is the other:

    unfold:  dx = fold(dy)        fold:  dcols = unfold(dy)
"""

import numpy as np

from glassnet.autodiff.function import Function
from glassnet.backend import get_array_module
from glassnet.ops._convert import as_input, data_of


def _pair(value, name):
    values = (value, value) if isinstance(value, int) else tuple(value)
    if len(values) != 2 or not all(isinstance(v, (int, np.integer)) for v in values):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return tuple(int(v) for v in values)


class Geometry:
    """Kernel, dilation, padding and stride of the windows, and where each kernel offset reads."""

    def __init__(self, kernel_size, dilation, padding, stride):
        self.kernel = _pair(kernel_size, "kernel_size")
        self.dilation = _pair(dilation, "dilation")
        self.padding = _pair(padding, "padding")
        self.stride = _pair(stride, "stride")

    def positions(self, height, width):
        """Window positions (OH, OW) along each axis of an unpadded (height, width) image."""
        return tuple((size + 2 * p - d * (k - 1) - 1) // s + 1 for size, p, d, k, s in
                     zip((height, width), self.padding, self.dilation, self.kernel, self.stride))

    def offsets(self, out_hw):
        """(row slice, column slice) of the padded image read by each kernel offset, in order."""
        for i in range(self.kernel[0]):
            for j in range(self.kernel[1]):
                yield tuple(slice(k * d, k * d + (o - 1) * s + 1, s) for k, d, o, s in
                            zip((i, j), self.dilation, out_hw, self.stride))


def _unfold(x, geometry):
    xp = get_array_module(x)
    n, c, h, w = x.shape
    out_hw = geometry.positions(h, w)
    (ph, pw) = geometry.padding
    padded = xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = xp.stack([padded[:, :, rows, columns] for rows, columns in geometry.offsets(out_hw)], axis=2)
    return cols.reshape(n, c * cols.shape[2], out_hw[0] * out_hw[1])


def _fold(cols, output_hw, geometry):
    xp = get_array_module(cols)
    (kh, kw), (ph, pw) = geometry.kernel, geometry.padding
    out_hw = geometry.positions(*output_hw)
    n, c = cols.shape[0], cols.shape[1] // (kh * kw)
    blocks = cols.reshape(n, c, kh * kw, *out_hw)
    image = xp.zeros((n, c, output_hw[0] + 2 * ph, output_hw[1] + 2 * pw), dtype=cols.dtype)
    for k, (rows, columns) in enumerate(geometry.offsets(out_hw)):
        image[:, :, rows, columns] += blocks[:, :, k]
    return image[:, :, ph:ph + output_hw[0], pw:pw + output_hw[1]]


class Unfold(Function):
    """cols[n, c kh kw + k, l] = padded x[n, c] at kernel offset k of window l;  dx = fold(dcols)"""

    def __init__(self, geometry):
        self.geometry = geometry

    def forward(self, x):
        self.hw = x.shape[2:]
        return _unfold(x, self.geometry)

    def backward(self, gy):
        return _fold(gy, self.hw, self.geometry)


class Fold(Function):
    """image = sum of the columns put back at their windows;  dcols = unfold(dimage)"""

    def __init__(self, output_hw, geometry):
        self.output_hw, self.geometry = output_hw, geometry

    def forward(self, cols):
        return _fold(cols, self.output_hw, self.geometry)

    def backward(self, gy):
        return _unfold(gy, self.geometry)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding windows of an NCHW batch as columns: (N, C, H, W) -> (N, C kh kw, L)."""
    x = as_input(x)
    shape = np.shape(data_of(x))
    if len(shape) != 4:
        raise ValueError(f"unfold expects an NCHW batch (rank 4), got shape {shape}")
    geometry = Geometry(kernel_size, dilation, padding, stride)
    if min(geometry.positions(*shape[2:])) < 1:
        raise ValueError(f"unfold: kernel {geometry.kernel} (dilation {geometry.dilation}) does not fit the "
                         f"padded image {shape[2:]} with padding {geometry.padding}")
    return Unfold.apply(x, geometry=geometry)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Columns back into an NCHW image of ``output_size``, overlapping windows summed:
    (N, C kh kw, L) -> (N, C, H, W)."""
    x = as_input(x)
    shape = np.shape(data_of(x))
    geometry = Geometry(kernel_size, dilation, padding, stride)
    output_hw = _pair(output_size, "output_size")
    (kh, kw), out_hw = geometry.kernel, geometry.positions(*output_hw)
    if len(shape) != 3 or shape[1] % (kh * kw) or shape[2] != out_hw[0] * out_hw[1]:
        raise ValueError(f"fold expects columns of shape (N, C*{kh * kw}, {out_hw[0] * out_hw[1]}) for output "
                         f"size {output_hw} and kernel {geometry.kernel}, got shape {shape}")
    return Fold.apply(x, output_hw=output_hw, geometry=geometry)
