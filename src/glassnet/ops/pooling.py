"""Max and average pooling over NHWC windows.

Max pooling keeps, per window, the first largest value; its gradient goes
to that one position (as in TensorFlow and PyTorch). Average pooling's
gradient is spread evenly over each window. With "same" padding, average
pooling divides by the number of real (unpadded) values, as Keras does, and
max pooling pads with -inf so padding never wins.
"""

from glassnet.autodiff.function import Function
from glassnet.backend import get_array_module
from glassnet.ops._convert import as_input
from glassnet.ops.windows import as_pair, crop_padding, pad_amounts, pad_image, scatter_windows, window_view


def _windows(x, pool, strides, padding, fill):
    pads = pad_amounts(x.shape[1], x.shape[2], pool, strides, (1, 1), padding)
    padded = pad_image(x, pads, value=fill)
    windows = window_view(padded, pool, strides, (1, 1))
    if windows.shape[1] <= 0 or windows.shape[2] <= 0:
        raise ValueError(f"The pool size {pool} is larger than the input {x.shape[1:3]} with '{padding}' padding")
    return windows, pads, padded.shape


def _offset_slices(offset, out_hw, strides):
    """The (rows, cols) slices of the padded image that kernel offset (a, b) reads for every window."""
    (a, b), (oh, ow), (sh, sw) = offset, out_hw, strides
    return slice(a, a + (oh - 1) * sh + 1, sh), slice(b, b + (ow - 1) * sw + 1, sw)


class MaxPool2D(Function):
    """y = max over each window;  dx = dy at the first maximum of each window, 0 elsewhere

    Computed offset by offset: the maximum of the kh*kw shifted views of the
    image. The backward pass finds, offset by offset, where each window's
    maximum came from (the first offset that reached it, as TensorFlow and
    PyTorch break ties).
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid"):
        self.pool = as_pair(pool_size, "pool_size")
        self.strides = as_pair(strides if strides is not None else self.pool, "strides")
        self.padding = padding

    def _shifted(self, k):
        """The view of the padded image that kernel offset k reads, one value per window."""
        rows, cols = _offset_slices(divmod(k, self.pool[1]), self.out_hw, self.strides)
        return self.image[:, rows, cols, :]

    def forward(self, x):
        xp = get_array_module(x)
        windows, self.pads, _ = _windows(x, self.pool, self.strides, self.padding, -xp.inf)
        self.out_hw = windows.shape[1:3]
        self.image = pad_image(x, self.pads, value=-xp.inf)
        best = self._shifted(0).copy()
        for k in range(1, self.pool[0] * self.pool[1]):
            xp.maximum(best, self._shifted(k), out=best)
        self.y = best
        return best

    def backward(self, gy):
        if self.strides == self.pool and self.padding == "valid":
            return self._backward_tiled(gy)
        xp = get_array_module(gy)
        count = self.pool[0] * self.pool[1]
        grad = xp.zeros(self.image.shape, dtype=gy.dtype)
        taken = None
        for k in range(count):
            rows, cols = _offset_slices(divmod(k, self.pool[1]), self.out_hw, self.strides)
            winner = self._shifted(k) == self.y
            if taken is not None:
                winner &= ~taken
            if k < count - 1:
                taken = winner if taken is None else taken | winner
            grad[:, rows, cols, :] += gy * winner
        return crop_padding(grad, self.pads)

    def _backward_tiled(self, gy):
        """Windows that tile the image (stride = pool, "valid"): one comparison and one product, at full size.

        The image is viewed as (N, OH, ph, OW, pw, C); positions equal to their
        window's maximum win, and on ties only the first (row-major) keeps it.
        """
        xp = get_array_module(gy)
        (ph, pw), (oh, ow) = self.pool, self.out_hw
        n, height, width, c = self.image.shape
        tiled = self.image[:, :oh * ph, :ow * pw, :].reshape(n, oh, ph, ow, pw, c)
        winner = tiled == self.y[:, :, None, :, None, :]
        taken = None
        for a in range(ph):
            for b in range(pw):
                here = winner[:, :, a, :, b, :]
                if taken is not None:
                    here &= ~taken
                    taken |= here
                else:
                    taken = here.copy()
        covered = oh * ph == height and ow * pw == width
        grad = xp.empty(self.image.shape, dtype=gy.dtype) if covered else xp.zeros(self.image.shape, dtype=gy.dtype)
        target = grad[:, :oh * ph, :ow * pw, :].reshape(n, oh, ph, ow, pw, c) if covered else \
            xp.empty((n, oh, ph, ow, pw, c), dtype=gy.dtype)
        xp.multiply(winner, gy[:, :, None, :, None, :], out=target)
        if not covered:
            grad[:, :oh * ph, :ow * pw, :] = target.reshape(n, oh * ph, ow * pw, c)
        return grad


class AvgPool2D(Function):
    """y = mean of the real values in each window;  dx = dy / count, spread over each window"""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid"):
        self.pool = as_pair(pool_size, "pool_size")
        self.strides = as_pair(strides if strides is not None else self.pool, "strides")
        self.padding = padding

    def forward(self, x):
        windows, self.pads, self.padded_shape = _windows(x, self.pool, self.strides, self.padding, 0.0)
        total = windows.sum(axis=(3, 4))
        self.count = self._counts(x)
        return total / self.count

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
        share = gy / self.count
        window_grads = xp.broadcast_to(share[:, :, :, None, None, :], share.shape[:3] + (kh, kw) + share.shape[3:])
        image = scatter_windows(window_grads, self.padded_shape, self.pool, self.strides, (1, 1))
        return crop_padding(image, self.pads)


def max_pool(x, pool_size=2, strides=None, padding="valid"):
    """2-D max pooling of an NHWC batch."""
    return MaxPool2D.apply(as_input(x), pool_size=pool_size, strides=strides, padding=str(padding).lower())


def average_pool(x, pool_size=2, strides=None, padding="valid"):
    """2-D average pooling of an NHWC batch."""
    return AvgPool2D.apply(as_input(x), pool_size=pool_size, strides=strides, padding=str(padding).lower())
