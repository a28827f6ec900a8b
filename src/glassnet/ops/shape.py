"""Ops that move values without changing them: reshape, transpose, index, join.

Their gradients move the output gradient back: reshape it, transpose it
with the inverse permutation, scatter it into zeros, or split it.
"""

from glassnet.autodiff.function import Function
from glassnet.backend import get_array_module
from glassnet.ops._convert import as_input, data_of


class Reshape(Function):
    """y = x viewed with a new shape;  dx = dy viewed with x's shape"""

    def __init__(self, shape):
        self.new_shape = shape

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(self.new_shape)

    def backward(self, gy):
        return gy.reshape(self.shape)


class Transpose(Function):
    """y = x with axes permuted;  dx = dy with the inverse permutation"""

    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, x):
        self.perm = tuple(range(x.ndim))[::-1] if self.axes is None else tuple(a % x.ndim for a in self.axes)
        return x.transpose(self.perm)

    def backward(self, gy):
        inverse = [0] * len(self.perm)
        for i, p in enumerate(self.perm):
            inverse[p] = i
        return gy.transpose(inverse)


class GetItem(Function):
    """y = x[index];  dx = zeros with dy added at ``index`` (repeats accumulate)"""

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return x[self.index]

    def backward(self, gy):
        xp = get_array_module(gy)
        grad = xp.zeros(self.shape, dtype=gy.dtype)
        xp.add.at(grad, self.index, gy)
        return grad


class Concatenate(Function):
    """y = [x1, x2, ...] joined along ``axis``;  dxi = the matching slice of dy"""

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        self.sizes = [x.shape[self.axis] for x in xs]
        return get_array_module(*xs).concatenate(xs, axis=self.axis)

    def backward(self, gy):
        xp = get_array_module(gy)
        bounds = xp.cumsum(self.sizes)[:-1].tolist()
        return tuple(xp.split(gy, bounds, axis=self.axis))


class Stack(Function):
    """y = [x1, x2, ...] stacked on a new ``axis``;  dxi = dy taken at i on that axis"""

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        self.count = len(xs)
        return get_array_module(*xs).stack(xs, axis=self.axis)

    def backward(self, gy):
        xp = get_array_module(gy)
        return tuple(xp.take(gy, i, axis=self.axis) for i in range(self.count))


class TakeAlongAxis(Function):
    """y = x[..., indices, ...] picked per position along ``axis``;  dx = dy scattered back"""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x, indices):
        self.shape, self.indices = x.shape, indices
        return get_array_module(x).take_along_axis(x, indices, axis=self.axis)

    def backward(self, gy):
        xp = get_array_module(gy)
        # x's axes of size 1 may have been broadcast against the indices: scatter into the
        # broadcast shape, and the engine sums back to x's shape
        axis = self.axis % gy.ndim
        shape = gy.shape[:axis] + (self.shape[axis],) + gy.shape[axis + 1:]
        grad = xp.zeros(shape, dtype=gy.dtype)
        _add_along_axis(grad, self.indices, gy, axis)
        return grad, None


def _add_along_axis(target, indices, values, axis):
    """target[..., indices, ...] += values, accumulating repeated indices."""
    xp = get_array_module(target)
    axis = axis % target.ndim
    indices = xp.broadcast_to(indices, values.shape)  # take_along_axis broadcasts size-1 index axes
    grids = xp.indices(values.shape, sparse=True)
    index = tuple(indices if i == axis else grids[i] for i in range(target.ndim))
    xp.add.at(target, index, values)


class BroadcastTo(Function):
    """y = x repeated to ``shape``;  the engine sums dy back to x's shape"""

    def __init__(self, shape):
        self.target = shape

    def forward(self, x):
        return get_array_module(x).broadcast_to(x, self.target)

    def backward(self, gy):
        return gy


class Pad(Function):
    """y = x surrounded by constants;  dx = the centre of dy"""

    def __init__(self, pad_width, constant_values=0):
        self.pad_width, self.constant_values = pad_width, constant_values

    def forward(self, x):
        self.pad_width = [tuple(p) for p in self.pad_width]
        return get_array_module(x).pad(x, self.pad_width, constant_values=self.constant_values)

    def backward(self, gy):
        index = tuple(slice(before, gy.shape[i] - after) for i, (before, after) in enumerate(self.pad_width))
        return gy[index]


class Repeat(Function):
    """y = x with each entry repeated ``repeats`` times along ``axis``;  dx = dy summed over each group of copies"""

    def __init__(self, repeats, axis):
        self.repeats, self.axis = repeats, axis

    def forward(self, x):
        self.axis = self.axis % x.ndim
        self.shape = x.shape
        return get_array_module(x).repeat(x, self.repeats, axis=self.axis)

    def backward(self, gy):
        a = self.axis
        grouped = gy.reshape(self.shape[:a] + (self.shape[a], self.repeats) + self.shape[a + 1:])
        return grouped.sum(axis=a + 1)


def reshape(x, new_shape):
    """View ``x`` with ``new_shape`` (one entry may be -1)."""
    return Reshape.apply(as_input(x), shape=tuple(new_shape) if not isinstance(new_shape, int) else new_shape)


def transpose(x, axes=None):
    """Permute axes (reverse them when ``axes`` is None)."""
    return Transpose.apply(as_input(x), axes=axes)


def get_item(x, index):
    """``x[index]`` with any NumPy index (slices, integers, arrays, masks)."""
    if isinstance(index, tuple):
        index = tuple(data_of(i) for i in index)
    else:
        index = data_of(index)
    return GetItem.apply(as_input(x), index=index)


def take(x, indices, axis=None):
    """Elements of ``x`` at ``indices`` along ``axis``."""
    indices = data_of(as_input(indices))
    if axis is None:
        return get_item(reshape(x, (-1,)), indices)
    x = as_input(x)
    axis = axis % len(data_of(x).shape)
    return get_item(x, (slice(None),) * axis + (indices,))


def take_along_axis(x, indices, axis=None):
    """Values of ``x`` at ``indices`` matched position by position along ``axis`` (flattened when None)."""
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    return TakeAlongAxis.apply(as_input(x), data_of(as_input(indices)), axis=axis)


def concatenate(xs, axis=0):
    """Join tensors along an existing axis."""
    return Concatenate.apply(*[as_input(x) for x in xs], axis=axis)


def stack(xs, axis=0):
    """Join tensors along a new axis."""
    return Stack.apply(*[as_input(x) for x in xs], axis=axis)


def expand_dims(x, axis):
    """Insert a size-1 axis at ``axis``."""
    x = as_input(x)
    shape = list(data_of(x).shape)
    axis = axis if axis >= 0 else len(shape) + 1 + axis
    shape.insert(axis, 1)
    return reshape(x, shape)


def squeeze(x, axis=None):
    """Remove size-1 axes (only ``axis`` when given)."""
    x = as_input(x)
    shape = data_of(x).shape
    if axis is None:
        new_shape = [n for n in shape if n != 1]
    else:
        axes = {a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)}
        for a in axes:
            if shape[a] != 1:
                raise ValueError(f"squeeze: axis {a} has size {shape[a]}, not 1 (shape {shape})")
        new_shape = [n for i, n in enumerate(shape) if i not in axes]
    return reshape(x, new_shape)


def broadcast_to(x, shape):
    """Repeat ``x`` along size-1 and new leading axes to ``shape``."""
    return BroadcastTo.apply(as_input(x), shape=tuple(shape))


def pad(x, pad_width, constant_values=0):
    """Pad with a constant; ``pad_width`` is ((before, after), ...) per axis."""
    return Pad.apply(as_input(x), pad_width=pad_width, constant_values=constant_values)


def flatten_batch(x):
    """Reshape (batch, d1, d2, ...) to (batch, d1*d2*...)."""
    x = as_input(x)
    shape = data_of(x).shape
    return reshape(x, (shape[0], -1))


def repeat(x, repeats, axis):
    """Repeat each entry ``repeats`` times along ``axis``: [a, b] -> [a, a, b, b] (``np.repeat``)."""
    x = as_input(x)
    if isinstance(repeats, bool) or not hasattr(repeats, "__index__") or repeats < 0:
        raise ValueError(f"repeat: repeats must be a non-negative integer, got {repeats!r}")
    return Repeat.apply(x, repeats=int(repeats), axis=int(axis))
