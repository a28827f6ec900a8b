"""Max and average pooling over NHWC windows.

Max pooling keeps, per window, the first largest value; its gradient goes
to that one position (as in TensorFlow and PyTorch). Average pooling's
gradient is spread evenly over each window. With "same" padding, average
pooling divides by the number of real (unpadded) values, as Keras does, and
max pooling pads with -inf so padding never wins.
"""

import itertools

from glassnet.autodiff.function import Function
from glassnet.backend import get_array_module
from glassnet.backend.parallel import batch_parts, run_parts
from glassnet.ops._convert import as_input
from glassnet.ops.windows import (
    as_pair, crop_padding, offset_slices, output_length, pad_amounts, pad_image, scatter_windows, window_view,
)


def _windows(x, pool, strides, padding, fill):
    pads = pad_amounts(x.shape[1], x.shape[2], pool, strides, (1, 1), padding)
    padded = pad_image(x, pads, value=fill)
    windows = window_view(padded, pool, strides, (1, 1))
    if windows.shape[1] <= 0 or windows.shape[2] <= 0:
        raise ValueError(f"The pool size {pool} is larger than the input {x.shape[1:3]} with '{padding}' padding")
    return windows, pads, padded.shape


def _pooled_hw(x, pool, strides, padding):
    """(pads, (OH, OW)) of pooling ``x``, without copying it; a clear error if the pool does not fit."""
    pads = pad_amounts(x.shape[1], x.shape[2], pool, strides, (1, 1), padding)
    out_hw = tuple(output_length(size, p, s, 1, padding) for size, p, s in zip(x.shape[1:3], pool, strides))
    if min(out_hw) <= 0:
        raise ValueError(f"The pool size {pool} is larger than the input {x.shape[1:3]} with '{padding}' padding")
    return pads, out_hw


class MaxPool2D(Function):
    """y = max over each window;  dx = dy at the first maximum of each window, 0 elsewhere

    Computed offset by offset: the maximum of the kh*kw shifted views of the
    image. The backward pass finds, offset by offset, where each window's
    maximum came from (the first offset that reached it, as TensorFlow and
    PyTorch break ties). Both passes run part by part over the batch
    (backend/parallel.py).
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid"):
        self.pool = as_pair(pool_size, "pool_size")
        self.strides = as_pair(strides if strides is not None else self.pool, "strides")
        self.padding = padding

    def _shifted(self, image, k):
        """The view of a padded image that kernel offset k reads, one value per window."""
        rows, cols = offset_slices(divmod(k, self.pool[1]), self.out_hw, self.strides)
        return image[:, rows, cols, :]

    def forward(self, x):
        xp = get_array_module(x)
        self.pads, self.out_hw = _pooled_hw(x, self.pool, self.strides, self.padding)
        self.x_shape = x.shape
        self.y = xp.empty(x.shape[:1] + self.out_hw + x.shape[3:], dtype=x.dtype)
        self.parts = batch_parts(x.shape[0], x[0].size, xp)
        self.images = run_parts(lambda part: self._forward_part(x[part], self.y[part]), self.parts)
        return self.y

    def _forward_part(self, x, out):
        """Write the window maxima of the images ``x`` into ``out``; return the padded images."""
        xp = get_array_module(x)
        image = pad_image(x, self.pads, value=-xp.inf)
        count = self.pool[0] * self.pool[1]
        if count == 1:
            out[...] = self._shifted(image, 0)
            return image
        xp.maximum(self._shifted(image, 0), self._shifted(image, 1), out=out)
        for k in range(2, count):
            xp.maximum(out, self._shifted(image, k), out=out)
        return image

    def backward(self, gy):
        xp = get_array_module(gy)
        grad = xp.empty(self.x_shape, dtype=gy.dtype)
        tiled = self.strides == self.pool and self.padding == "valid"
        backward_part = self._backward_tiled if tiled else self._backward_offsets

        def part_grad(indexed_part):
            index, part = indexed_part
            backward_part(self.images[index], self.y[part], gy[part], grad[part])

        run_parts(part_grad, list(enumerate(self.parts)))
        return grad

    def _backward_offsets(self, image, y, gy, out):
        """Any windows: offset by offset, the gradient goes where the window's first maximum was."""
        xp = get_array_module(gy)
        count = self.pool[0] * self.pool[1]
        grad = xp.zeros(image.shape, dtype=gy.dtype)
        taken = None
        for k in range(count):
            rows, cols = offset_slices(divmod(k, self.pool[1]), self.out_hw, self.strides)
            winner = self._shifted(image, k) == y
            if taken is not None:
                winner &= ~taken
            if k < count - 1:
                taken = winner if taken is None else taken | winner
            grad[:, rows, cols, :] += gy * winner
        out[...] = crop_padding(grad, self.pads)

    def _backward_tiled(self, image, y, gy, out):
        """Windows that tile the image (stride = pool, "valid"): every position is in one window at most.

        So the gradient is written, not added, offset by offset: at offset k it
        is dy where the window's maximum is reached at k and at no earlier
        offset (``reached > found`` on booleans), 0 elsewhere.
        """
        xp = get_array_module(gy)
        (ph, pw), (oh, ow) = self.pool, self.out_hw
        out[:, oh * ph:] = 0  # rows and columns that no window reaches
        out[:, :, ow * pw:] = 0
        count = ph * pw
        found = None
        for k in range(count):
            rows, cols = offset_slices(divmod(k, pw), self.out_hw, self.strides)
            reached = xp.equal(self._shifted(image, k), y)
            if found is None:
                found = reached
            else:
                first = xp.greater(reached, found)
                if k < count - 1:
                    xp.logical_or(found, reached, out=found)
                reached = first
            xp.multiply(gy, reached, out=out[:, rows, cols, :])


class AvgPool2D(Function):
    """y = mean of the real values in each window;  dx = dy / count, spread over each window

    Both passes run part by part over the batch (backend/parallel.py).
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid"):
        self.pool = as_pair(pool_size, "pool_size")
        self.strides = as_pair(strides if strides is not None else self.pool, "strides")
        self.padding = padding

    def forward(self, x):
        xp = get_array_module(x)
        self.pads, out_hw = _pooled_hw(x, self.pool, self.strides, self.padding)
        self.x_shape = x.shape
        self.count = self._counts(x)
        y = xp.empty(x.shape[:1] + out_hw + x.shape[3:], dtype=(x[:1, :1, :1].sum() / self.count).dtype)

        def forward_part(part):
            windows = _windows(x[part], self.pool, self.strides, self.padding, 0.0)[0]
            xp.divide(windows.sum(axis=(3, 4)), self.count, out=y[part])

        self.parts = batch_parts(x.shape[0], x[0].size, xp)
        run_parts(forward_part, self.parts)
        return y

    def _counts(self, x):
        """How many real values each window holds: kh*kw, fewer at "same" edges."""
        xp = get_array_module(x)
        if self.padding == "valid":
            return float(self.pool[0] * self.pool[1])
        ones = xp.ones((1,) + x.shape[1:3] + (1,), dtype=x.dtype)
        windows = window_view(pad_image(ones, self.pads), self.pool, self.strides, (1, 1))
        return windows.sum(axis=(3, 4))

    def backward(self, gy):
        xp = get_array_module(gy)
        kh, kw = self.pool
        (top, bottom), (left, right) = self.pads
        grad = xp.empty(self.x_shape, dtype=(gy[:1, :1, :1] / self.count).dtype)

        def backward_part(part):
            share = gy[part] / self.count
            window_grads = xp.broadcast_to(share[:, :, :, None, None, :],
                                           share.shape[:3] + (kh, kw) + share.shape[3:])
            padded_shape = (share.shape[0], self.x_shape[1] + top + bottom, self.x_shape[2] + left + right,
                            self.x_shape[3])
            image = scatter_windows(window_grads, padded_shape, self.pool, self.strides, (1, 1))
            grad[part] = crop_padding(image, self.pads)

        run_parts(backward_part, self.parts)
        return grad


def max_pool(x, pool_size=2, strides=None, padding="valid"):
    """2-D max pooling of an NHWC batch."""
    return MaxPool2D.apply(as_input(x), pool_size=pool_size, strides=strides, padding=str(padding).lower())


def average_pool(x, pool_size=2, strides=None, padding="valid"):
    """2-D average pooling of an NHWC batch."""
    return AvgPool2D.apply(as_input(x), pool_size=pool_size, strides=strides, padding=str(padding).lower())


# --- adaptive pooling ------------------------------------------------------------


def adaptive_bins(size, out):
    """PyTorch's bins: output i pools input [floor(i size / out), ceil((i + 1) size / out))."""
    return [slice((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


class AdaptivePool(Function):
    """Pool (N, *spatial, C) into ``output_size`` bins per spatial axis (max or average).

    average: y = mean of the bin;  dx = dy / bin size over the bin
    max:     y = max of the bin;   dx = dy at the bin's first maximum
    """

    def __init__(self, output_size, kind):
        self.output_size, self.kind = tuple(output_size), kind

    def _regions(self, shape):
        bins = [adaptive_bins(size, out) for size, out in zip(shape[1:-1], self.output_size)]
        for index in itertools.product(*(range(out) for out in self.output_size)):
            yield index, (slice(None), *(b[i] for b, i in zip(bins, index)), slice(None))

    def forward(self, x):
        xp = get_array_module(x)
        self.x = x
        spatial = tuple(range(1, x.ndim - 1))
        y = xp.empty(x.shape[:1] + self.output_size + x.shape[-1:], dtype=x.dtype)
        reduce = xp.max if self.kind == "max" else xp.mean
        for index, region in self._regions(x.shape):
            y[(slice(None), *index)] = reduce(x[region], axis=spatial)
        self.y = y
        return y

    def backward(self, gy):
        xp = get_array_module(gy)
        x = self.x
        gx = xp.zeros(x.shape, dtype=gy.dtype)
        for index, region in self._regions(x.shape):
            g = gy[(slice(None), *index)]
            window = x[region]
            share = (slice(None),) + (None,) * (x.ndim - 2) + (slice(None),)
            if self.kind == "max":
                hit = window == self.y[(slice(None), *index)][share]
                flat = hit.reshape(hit.shape[0], -1, hit.shape[-1])
                first = flat & (xp.cumsum(flat, axis=1) == 1)
                gx[region] += first.reshape(hit.shape) * g[share]
            else:
                gx[region] += g[share] / (window.size // (window.shape[0] * window.shape[-1]))
        return gx


def adaptive_pool(x, output_size, kind):
    """Adaptive max or average pooling of a channels-last (N, *spatial, C) batch."""
    return AdaptivePool.apply(as_input(x), output_size=tuple(output_size), kind=kind)
