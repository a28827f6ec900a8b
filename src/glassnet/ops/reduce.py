"""Reductions along axes: sum, mean, max, min, and the arg- variants.

The gradient of a reduction is the output gradient broadcast back over the
reduced axes (re-inserted with ``keepdims`` so broadcasting lines up).
"""

import numpy as np

from glassnet.autodiff.function import Function
from glassnet.autodiff.tensor import Tensor
from glassnet.backend import get_array_module
from glassnet.ops import math
from glassnet.ops._convert import as_input, data_of
from glassnet.ops._promote import floating, typed
from glassnet.ops.core import cast as _cast
from glassnet.ops.shaping import (
    diagonal,
    expand_dims,
    get_item,
    reshape,
    squeeze,
    stack,
    take_along_axis,
)


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
    centered = math.subtract(x, mean(x, axis=axis, keepdims=True))
    return mean(math.square(centered), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis``."""
    return math.sqrt(var(x, axis=axis, keepdims=keepdims))


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` computed stably (the maximum is taken out first)."""
    peak = data_of(as_input(x)).max(axis=axis, keepdims=True)
    shifted = math.subtract(x, peak)
    total = math.log(sum(math.exp(shifted), axis=axis, keepdims=True))
    result = math.add(total, peak)
    if keepdims:
        return result
    return squeeze(result, axis=axis)


def _arg(name, x, axis, keepdims):
    data = data_of(as_input(x))
    xp = get_array_module(data)
    index = getattr(xp, name)(data, axis=axis, keepdims=keepdims)
    return Tensor(xp.asarray(index, dtype="int32"))


def argmax(x, axis=None, keepdims=False):
    """Indices (int32) of the maxima along ``axis`` (of the flattened input when None); no gradient."""
    return _arg("argmax", x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Indices (int32) of the minima along ``axis`` (of the flattened input when None); no gradient."""
    return _arg("argmin", x, axis, keepdims)


class Prod(Function):
    """y = prod_axis x;  dy/dx_i = product of the other entries (exact with zeros)"""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x = x
        self.axes = _normalize_axes(self.axis, x.ndim)
        return x.prod(axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy):
        xp = get_array_module(gy)
        kept = [a for a in range(self.x.ndim) if a not in self.axes]
        moved = xp.transpose(self.x, kept + list(self.axes))
        flat = moved.reshape(moved.shape[:len(kept)] + (-1,))
        ones = xp.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
        before = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        after = xp.cumprod(xp.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = (before * after).reshape(moved.shape)
        inverse = xp.argsort(xp.asarray(kept + list(self.axes)))
        others = xp.transpose(others, inverse.tolist())
        return others * _expand_reduced(gy, self.axes, self.keepdims)


class Cumsum(Function):
    """y_i = sum_{j<=i} x_j;  dx_j = sum_{i>=j} dy_i (a reversed cumulative sum)"""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        return get_array_module(x).cumsum(x, axis=self.axis)

    def backward(self, gy):
        xp = get_array_module(gy)
        return xp.flip(xp.cumsum(xp.flip(gy, self.axis), axis=self.axis), self.axis)


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over ``axis`` (all axes when None)."""
    x = as_input(x)
    if dtype is not None:
        x = _cast(x, dtype)
    return Prod.apply(x, axis=axis, keepdims=keepdims)


def _flat_axis(x, axis):
    """(x, axis) with x flattened when axis is None, as NumPy's cumulative functions do."""
    if axis is None:
        return reshape(x, (-1,)), 0
    return as_input(x), axis


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis`` (of the flattened input when None)."""
    x, axis = _flat_axis(x, axis)
    if dtype is not None:
        x = _cast(x, dtype)
    return Cumsum.apply(x, axis=axis)


def cumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis``: y_i = prod_{j<=i} x_j.

    When a gradient is needed it is composed from ``prod`` of the growing
    prefixes, exact even with zeros (O(n^2) in the axis length).
    """
    x, axis = _flat_axis(x, axis)
    if dtype is not None:
        x = _cast(x, dtype)
    data = data_of(x)
    axis = axis % data.ndim
    n = data.shape[axis]
    if not getattr(x, "requires_grad", False):
        return Tensor(get_array_module(data).cumprod(data, axis=axis))
    lead = (slice(None),) * axis
    return stack([prod(get_item(x, lead + (slice(0, i + 1),)), axis=axis) for i in range(n)], axis=axis)


def any(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Whether any entry along ``axis`` is non-zero (a bool tensor)."""
    data = data_of(as_input(x))
    return Tensor(get_array_module(data).any(data, axis=axis, keepdims=keepdims))


def all(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Whether every entry along ``axis`` is non-zero (a bool tensor)."""
    data = data_of(as_input(x))
    return Tensor(get_array_module(data).all(data, axis=axis, keepdims=keepdims))


def count_nonzero(x, axis=None):
    """How many entries along ``axis`` are non-zero (int32)."""
    data = data_of(as_input(x))
    return Tensor(get_array_module(data).asarray(get_array_module(data).count_nonzero(data, axis=axis), "int32"))


def trace(x, offset=0, axis1=0, axis2=1):
    """Sum of diagonal ``offset`` of the (axis1, axis2) planes."""
    return sum(diagonal(x, offset, axis1, axis2), axis=-1)


def ptp(x, axis=None, keepdims=False):
    """The range ``max - min`` along ``axis``."""
    return math.subtract(max(x, axis=axis, keepdims=keepdims), min(x, axis=axis, keepdims=keepdims))


def average(x, axis=None, weights=None):
    """The mean along ``axis``, weighted by ``weights`` (1-D along ``axis``, or ``x``'s shape) when given."""
    if weights is None:
        return mean(x, axis=axis)
    x = as_input(x)
    weights = as_input(weights)
    ndim, wdim = len(data_of(x).shape), len(data_of(weights).shape)
    if axis is not None and wdim == 1 and ndim > 1:
        shape = [1] * ndim
        shape[axis % ndim] = -1
        weights = reshape(weights, shape)
    return math.divide(sum(math.multiply(x, weights), axis=axis),
                       sum(math.multiply(math.add(math.multiply(x, 0.0), 1.0), weights), axis=axis))


def _finite_or(x, fill):
    data = data_of(as_input(x))
    nan = get_array_module(data).isnan(data)
    return math.where(nan, fill, x), ~nan


def nansum(x, axis=None, keepdims=False):
    """Sum over ``axis`` ignoring NaNs."""
    filled, _ = _finite_or(x, 0.0)
    return sum(filled, axis=axis, keepdims=keepdims)


def nanmean(x, axis=None, keepdims=False):
    """Mean over ``axis`` ignoring NaNs."""
    filled, kept = _finite_or(x, 0.0)
    count = kept.sum(axis=axis, keepdims=keepdims).astype(data_of(as_input(x)).dtype)
    return math.divide(sum(filled, axis=axis, keepdims=keepdims), count)


def nanmax(x, axis=None, keepdims=False):
    """Maximum over ``axis`` ignoring NaNs."""
    return max(_finite_or(x, -float("inf"))[0], axis=axis, keepdims=keepdims)


def nanmin(x, axis=None, keepdims=False):
    """Minimum over ``axis`` ignoring NaNs."""
    return min(_finite_or(x, float("inf"))[0], axis=axis, keepdims=keepdims)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-quantiles along ``axis`` with linear interpolation between sorted values (``np.quantile``)."""
    if method != "linear":
        raise ValueError(f"quantile: only method='linear' is supported, got {method!r}")
    x = as_input(x)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    data = data_of(x)
    axis = axis % data.ndim
    n = data.shape[axis]
    order = get_array_module(data).argsort(data, axis=axis, kind="stable")
    ordered = take_along_axis(x, order, axis=axis)
    qs = get_array_module(data).atleast_1d(get_array_module(data).asarray(data_of(q), dtype="float64"))
    lead = (slice(None),) * axis
    results = []
    for value in qs.tolist():
        position = value * (n - 1)
        low, high = int(position // 1), int(-(-position // 1))
        frac = position - low
        below, above = get_item(ordered, lead + (low,)), get_item(ordered, lead + (high,))
        picked = math.add(math.multiply(below, 1.0 - frac), math.multiply(above, frac))
        results.append(expand_dims(picked, axis) if keepdims else picked)
    return results[0] if get_array_module(data).ndim(data_of(q)) == 0 else stack(results)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """``quantile`` with ``q`` in percent."""
    return quantile(x, get_array_module(data_of(as_input(q))).asarray(data_of(q), dtype="float64") / 100.0,
                    axis=axis, method=method, keepdims=keepdims)


def median(x, axis=None, keepdims=False):
    """The median along ``axis`` (the mean of the two middle values for an even count)."""
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


# --- NaN-ignoring reductions ---------------------------------------------------------------------------------


def _nan_arg(name, x, axis, keepdims, fill):
    data = data_of(typed(x))
    xp = get_array_module(data)
    if data.dtype.kind != "f":
        return _arg(name, data, axis, keepdims)
    nan = xp.isnan(data)
    index = getattr(xp, name)(xp.where(nan, fill, data), axis=axis, keepdims=keepdims)
    return Tensor(xp.where(xp.all(nan, axis=axis, keepdims=keepdims), -1, index).astype("int32"))


def nanargmax(x, axis=None, keepdims=False):
    """Indices (int32) of the maxima along ``axis`` ignoring NaNs; -1 where a slice is all NaN."""
    return _nan_arg("argmax", x, axis, keepdims, -float("inf"))


def nanargmin(x, axis=None, keepdims=False):
    """Indices (int32) of the minima along ``axis`` ignoring NaNs; -1 where a slice is all NaN."""
    return _nan_arg("argmin", x, axis, keepdims, float("inf"))


def _integer_result(function, data, dtype, **kwargs):
    """An integer or bool input's NaN-free result in Keras' dtype (bool counts as int32); no gradient."""
    target = dtype or ("int32" if data.dtype == bool else data.dtype)
    return Tensor(function(data.astype(target), **kwargs).astype(target))


def nanprod(x, axis=None, keepdims=False):
    """Product over ``axis`` treating NaNs as 1."""
    x = typed(x)
    data = data_of(x)
    if data.dtype.kind != "f":
        return _integer_result(get_array_module(data).prod, data, None, axis=axis, keepdims=keepdims)
    return prod(_finite_or(x, 1.0)[0], axis=axis, keepdims=keepdims)


def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis`` (of the flattened input when None) treating NaNs as 0."""
    x = typed(x)
    data = data_of(x)
    if data.dtype.kind != "f" and (dtype is None or np.dtype(dtype).kind != "f"):
        return _integer_result(get_array_module(data).cumsum, data, dtype, axis=axis)
    return cumsum(_finite_or(x, 0.0)[0], axis=axis, dtype=dtype)


def nancumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis`` (of the flattened input when None) treating NaNs as 1."""
    x = typed(x)
    data = data_of(x)
    if data.dtype.kind != "f" and (dtype is None or np.dtype(dtype).kind != "f"):
        return _integer_result(get_array_module(data).cumprod, data, dtype, axis=axis)
    return cumprod(_finite_or(x, 1.0)[0], axis=axis, dtype=dtype)


def nanvar(x, axis=None, keepdims=False):
    """Population variance over ``axis`` of the non-NaN entries (NaN where there are none)."""
    x = floating(x)
    centered = math.subtract(x, nanmean(x, axis=axis, keepdims=True))
    filled, kept = _finite_or(centered, 0.0)
    count = kept.sum(axis=axis, keepdims=keepdims).astype(data_of(x).dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        return math.divide(sum(math.square(filled), axis=axis, keepdims=keepdims), count)


def nanstd(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis`` of the non-NaN entries."""
    return math.sqrt(nanvar(x, axis=axis, keepdims=keepdims))


_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _interpolation(position, method):
    """(low index, high index, weight of high) for fractional sorted positions, as ``np.quantile``'s methods."""
    low, high = np.floor(position), np.ceil(position)
    if method == "linear":
        weight = position - low
    elif method == "midpoint":
        weight = np.where(high > low, 0.5, 0.0)
    else:
        pick = {"lower": low, "higher": high, "nearest": np.around(position)}[method]
        low = high = pick
        weight = np.zeros_like(position)
    return low, high, weight


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-quantiles along ``axis`` of the non-NaN entries (NaN where there are none).

    The entries are sorted (NaNs last); each quantile interpolates between two sorted entries, so the
    gradient goes to the one or two entries it was read from.
    """
    if method not in _QUANTILE_METHODS:
        raise ValueError(f"nanquantile: method must be one of {_QUANTILE_METHODS}, got {method!r}")
    x = floating(x)
    shape = data_of(x).shape
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    data = data_of(x)
    axis = axis % data.ndim
    xp = get_array_module(data)
    ordered = take_along_axis(x, xp.argsort(data, axis=axis, kind="stable"), axis=axis)
    count = (~xp.isnan(data)).sum(axis=axis, keepdims=True)
    qs = np.asarray(data_of(as_input(q)), dtype="float64")
    if ((qs < 0) | (qs > 1)).any():
        raise ValueError(f"nanquantile: q must be in [0, 1], got {qs.tolist()}")
    results = []
    for value in qs.reshape(-1).tolist():
        low, high, weight = _interpolation(value * np.maximum(count - 1, 0), method)
        below = take_along_axis(ordered, low.astype("int64"), axis=axis)
        above = take_along_axis(ordered, high.astype("int64"), axis=axis)
        picked = math.add(below, math.multiply(math.subtract(above, below), weight.astype(data.dtype)))
        picked = math.where(count == 0, float("nan"), picked)
        if keepdims and len(shape) != data.ndim:  # axis=None: keep every axis of the input
            picked = reshape(picked, (1,) * len(shape))
        results.append(picked if keepdims else squeeze(picked, axis=axis))
    return results[0] if qs.ndim == 0 else reshape(stack(results), qs.shape + tuple(data_of(results[0]).shape))


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """``nanquantile`` with ``q`` in percent."""
    return nanquantile(x, np.asarray(data_of(as_input(q)), dtype="float64") / 100.0, axis=axis, method=method,
                       keepdims=keepdims)


def nanmedian(x, axis=None, keepdims=False):
    """The median along ``axis`` of the non-NaN entries."""
    return nanquantile(x, 0.5, axis=axis, keepdims=keepdims)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of ``y`` along ``axis`` by the trapezoidal rule: sum of (y_i + y_i+1) / 2 (x_i+1 - x_i).

    Samples are ``dx`` apart, or at ``x`` (1-D along ``axis``, or ``y``'s shape).
    """
    y = floating(y)
    ndim = data_of(y).ndim
    axis = axis % ndim
    lead = (slice(None),) * axis
    pairs = math.add(get_item(y, lead + (slice(1, None),)), get_item(y, lead + (slice(None, -1),)))
    if x is None:
        widths = data_of(typed(dx))
    else:
        x = typed(x)
        if data_of(x).ndim == 1 and ndim > 1:
            x = reshape(x, [-1 if a == axis else 1 for a in range(ndim)])
        x_axis = axis if data_of(x).ndim == ndim else -1
        x_lead = (slice(None),) * (x_axis % data_of(x).ndim)
        widths = math.subtract(get_item(x, x_lead + (slice(1, None),)), get_item(x, x_lead + (slice(None, -1),)))
    return sum(math.multiply(math.multiply(pairs, widths), 0.5), axis=axis)
