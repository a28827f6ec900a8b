"""Reductions along axes: sum, mean, max, min, and the arg- variants.

The gradient of a reduction is the output gradient broadcast back over the
reduced axes (re-inserted with ``keepdims`` so broadcasting lines up).
"""

from glassnet.autodiff.function import Function
from glassnet.backend import get_array_module
from glassnet.ops._convert import as_input, data_of


def _normalize_axes(axis, ndim):
    """``axis`` as a tuple of non-negative ints (all axes when None)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(a % ndim if ndim else a for a in axis)


def _spread(g, shape, axes, keepdims):
    """The gradient ``g`` of a reduction, repeated over the reduced axes to ``shape``."""
    xp = get_array_module(g)
    if len(axes) == len(shape):  # everything was reduced: one value fills the input's shape
        return xp.full(shape, g, dtype=g.dtype)
    return xp.broadcast_to(_expand_reduced(g, axes, keepdims), shape)


def _expand_reduced(g, axes, keepdims):
    """Re-insert reduced axes as size 1 so ``g`` broadcasts against the input."""
    if keepdims:
        return g
    xp = get_array_module(g)
    for a in sorted(axes):
        g = xp.expand_dims(g, a)
    return g


class Sum(Function):
    """y = sum_axis x;  dy/dx = 1 (broadcast back over the summed axes)"""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.shape = x.shape
        self.axes = _normalize_axes(self.axis, x.ndim)
        return x.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy):
        return _spread(gy, self.shape, self.axes, self.keepdims)


class Mean(Function):
    """y = sum_axis x / n;  dy/dx = 1 / n"""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.shape = x.shape
        self.axes = _normalize_axes(self.axis, x.ndim)
        count = 1
        for a in self.axes:
            count *= x.shape[a]
        self.count = count
        total = get_array_module(x).add.reduce(x, axis=self.axes, keepdims=self.keepdims)
        return total * (1.0 / count) if count else total * float("nan")

    def backward(self, gy):
        return _spread(gy * (1.0 / self.count), self.shape, self.axes, self.keepdims)


class _Extremum(Function):
    """Shared by Max and Min: the gradient is split evenly among tied extrema."""

    reducer = None

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.axes = _normalize_axes(self.axis, x.ndim)
        y = getattr(x, self.reducer)(axis=self.axes, keepdims=True)
        self.mask = x == y
        return y if self.keepdims else y.reshape([n for i, n in enumerate(y.shape) if i not in self.axes])

    def backward(self, gy):
        g = _expand_reduced(gy, self.axes, self.keepdims)
        count = self.mask.sum(axis=self.axes, keepdims=True, dtype=g.dtype)  # an int count would upcast
        return self.mask * (g / count)


class Max(_Extremum):
    """y = max_axis x;  dy/dx = 1 at the maximum (shared among ties), else 0"""

    reducer = "max"


class Min(_Extremum):
    """y = min_axis x;  dy/dx = 1 at the minimum (shared among ties), else 0"""

    reducer = "min"


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Sum over ``axis`` (all axes when None)."""
    return Sum.apply(as_input(x), axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (all axes when None)."""
    return Mean.apply(as_input(x), axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Maximum over ``axis`` (all axes when None)."""
    return Max.apply(as_input(x), axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Minimum over ``axis`` (all axes when None)."""
    return Min.apply(as_input(x), axis=axis, keepdims=keepdims)


amax, amin = max, min


def var(x, axis=None, keepdims=False):
    """Population variance ``mean((x - mean(x))^2)`` over ``axis``."""
    from glassnet.ops import math

    centered = math.subtract(x, mean(x, axis=axis, keepdims=True))
    return mean(math.square(centered), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis``."""
    from glassnet.ops import math

    return math.sqrt(var(x, axis=axis, keepdims=keepdims))


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` computed stably (the maximum is taken out first)."""
    from glassnet.ops import math

    peak = data_of(as_input(x)).max(axis=axis, keepdims=True)
    shifted = math.subtract(x, peak)
    total = math.log(sum(math.exp(shifted), axis=axis, keepdims=True))
    result = math.add(total, peak)
    if keepdims:
        return result
    from glassnet.ops import shape

    return shape.squeeze(result, axis=axis)


def argmax(x, axis=-1):
    """Indices of the maxima along ``axis`` (not differentiable; returns an array)."""
    data = data_of(as_input(x))
    return get_array_module(data).argmax(data, axis=axis)


def argmin(x, axis=-1):
    """Indices of the minima along ``axis`` (not differentiable; returns an array)."""
    data = data_of(as_input(x))
    return get_array_module(data).argmin(data, axis=axis)
