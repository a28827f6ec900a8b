"""Ops that move values without changing them: reshape, transpose, index, join.

Their gradients move the output gradient back: reshape it, transpose it
with the inverse permutation, scatter it into zeros, or split it.
"""

import itertools

import numpy as np

from glassnet.autodiff.function import Function
from glassnet.autodiff.tensor import Tensor
from glassnet.backend import get_array_module
from glassnet.ops._convert import as_input, data_of
from glassnet.ops._promote import typed
from glassnet.ops.math import multiply, subtract

_slice = slice  # the built-in, before ``slice`` the op below shadows it


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
        index = tuple(_slice(before, gy.shape[i] - after) for i, (before, after) in enumerate(self.pad_width))
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


def reshape(x, newshape):
    """View ``x`` with ``newshape`` (one entry may be -1)."""
    if not isinstance(newshape, int):
        newshape = tuple(int(n) for n in data_of(newshape))
    return Reshape.apply(as_input(x), shape=newshape)


def transpose(x, axes=None):
    """Permute axes (reverse them when ``axes`` is None)."""
    return Transpose.apply(as_input(x), axes=axes)


def get_item(x, index):
    """``x[index]`` with any NumPy index (slices, integers, arrays, masks); a list is a tuple, as in Keras."""
    if isinstance(index, list):  # how a saved key (x[:, 0]) comes back from a file, and Keras' rule
        index = tuple(index)
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
    return get_item(x, (_slice(None),) * axis + (indices,))


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


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad each axis by ``pad_width`` ((before, after) per axis, or one pair for all).

    ``mode`` is "constant" (``constant_values``, 0 by default) or one of NumPy's
    "reflect", "symmetric", "edge", "wrap"; those gather existing entries, so
    their gradient adds up at the copied positions.
    """
    x = as_input(x)
    shape = _data_shape(x)
    widths = get_array_module(data_of(x)).broadcast_to(get_array_module(data_of(x)).asarray(pad_width), (len(shape), 2))
    widths = [(int(a), int(b)) for a, b in widths.tolist()]
    if mode == "constant":
        return Pad.apply(x, pad_width=widths, constant_values=constant_values or 0)
    if mode not in ("reflect", "symmetric", "edge", "wrap"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'symmetric', 'edge' or 'wrap', got {mode!r}")

    for axis, width in enumerate(widths):
        if width != (0, 0):
            x = take(x, np.pad(np.arange(shape[axis]), width, mode=mode), axis=axis)
    return x


def flatten_batch(x):
    """Reshape (batch, d1, d2, ...) to (batch, d1*d2*...)."""
    x = as_input(x)
    shape = data_of(x).shape
    return reshape(x, (shape[0], -1))


def repeat(x, repeats, axis=None):
    """Repeat each entry ``repeats`` times along ``axis`` (flattened when None): [a, b] -> [a, a, b, b].

    ``repeats`` is one count, or one count per entry along the axis (``np.repeat``).
    """
    x = as_input(x)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    counts = data_of(as_input(repeats))
    if isinstance(counts, int) and not isinstance(counts, bool) and counts >= 0:
        return Repeat.apply(x, repeats=counts, axis=int(axis))
    counts = get_array_module(counts).asarray(counts)
    if counts.dtype.kind not in "iu" or (counts < 0).any():
        raise ValueError(f"repeat: repeats must be non-negative integers, got {repeats!r}")
    if counts.ndim == 0:
        return Repeat.apply(x, repeats=int(counts), axis=int(axis))
    size = _data_shape(x)[int(axis)]
    return take(x, get_array_module(counts).repeat(get_array_module(counts).arange(size), counts), axis=int(axis))


class IndexUpdate(Function):
    """y = x with y[index] = updates;  dx = dy with dy[index] zeroed,  dupdates = dy[index]"""

    def __init__(self, index):
        self.index = index

    def forward(self, x, updates):
        out = x.copy()
        out[self.index] = updates
        return out

    def backward(self, gy):
        need_x, need_updates = self.needs_input_grad
        gx = None
        if need_x:
            gx = gy.copy()
            gx[self.index] = 0
        return gx, (gy[self.index] if need_updates else None)


class ScatterAdd(Function):
    """y = zeros(shape) with values added at index (repeats accumulate);  dvalues = dy[index]"""

    def __init__(self, index, shape):
        self.index, self.shape = index, shape

    def forward(self, values):
        xp = get_array_module(values)
        out = xp.zeros(self.shape, dtype=values.dtype)
        xp.add.at(out, self.index, values)
        return out

    def backward(self, gy):
        return gy[self.index]


def _axis(axis, ndim):
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f"axis {axis} is out of range for a tensor with {ndim} dimensions")
    return axis % ndim if ndim else 0


def _data_shape(x):
    return tuple(data_of(x).shape)


def split(x, indices_or_sections, axis=0):
    """Split ``x`` along ``axis`` into equal sections (an int) or at the given indices (``np.split``)."""
    x = as_input(x)
    shape = _data_shape(x)
    axis = _axis(axis, len(shape))
    size = shape[axis]
    if isinstance(indices_or_sections, int):
        if indices_or_sections <= 0 or size % indices_or_sections:
            raise ValueError(f"split: axis {axis} of size {size} cannot be split into "
                             f"{indices_or_sections} equal sections")
        step = size // indices_or_sections
        bounds = [step * i for i in range(1, indices_or_sections)]
    else:
        bounds = [int(i) for i in data_of(indices_or_sections)]
    edges = [0] + bounds + [size]
    lead = (_slice(None),) * axis
    return [get_item(x, lead + (_slice(a, max(a, b)),)) for a, b in itertools.pairwise(edges)]


def array_split(x, indices_or_sections, axis=0):
    """Split into ``indices_or_sections`` nearly equal parts (the first ones one longer)."""
    x = as_input(x)
    shape = _data_shape(x)
    axis = _axis(axis, len(shape))
    if not isinstance(indices_or_sections, int):
        return split(x, indices_or_sections, axis)
    size, parts = shape[axis], indices_or_sections
    sizes = [size // parts + (1 if i < size % parts else 0) for i in range(parts)]
    bounds = [sum(sizes[:i + 1]) for i in range(parts - 1)]
    return split(x, bounds, axis)


def unstack(x, num=None, axis=0):
    """The slices of ``x`` along ``axis``, that axis removed."""
    x = as_input(x)
    shape = _data_shape(x)
    axis = _axis(axis, len(shape))
    lead = (_slice(None),) * axis
    return [get_item(x, lead + (i,)) for i in range(shape[axis])]


def tile(x, repeats):
    """``x`` repeated ``repeats[i]`` times along each axis i (``np.tile``), via a broadcast view."""
    x = as_input(x)
    shape = _data_shape(x)
    repeats = [int(r) for r in ((repeats,) if isinstance(repeats, int) else data_of(repeats))]
    ndim = max(len(shape), len(repeats))
    shape = (1,) * (ndim - len(shape)) + shape
    repeats = [1] * (ndim - len(repeats)) + repeats
    interleaved = [n for pair in zip([1] * ndim, shape) for n in pair]
    target = [n for pair in zip(repeats, shape) for n in pair]
    tiled = broadcast_to(reshape(x, interleaved), target)
    return reshape(tiled, [r * n for r, n in zip(repeats, shape)])


def flip(x, axis=None):
    """Reverse the order of entries along ``axis`` (all axes when None)."""
    x = as_input(x)
    ndim = len(_data_shape(x))
    axes = range(ndim) if axis is None else [_axis(a, ndim) for a in ((axis,) if isinstance(axis, int) else axis)]
    return get_item(x, tuple(_slice(None, None, -1) if i in axes else _slice(None) for i in range(ndim)))


def roll(x, shift, axis=None):
    """Shift entries by ``shift`` along ``axis``, wrapping around (``np.roll``)."""
    x = as_input(x)
    if axis is None:
        return reshape(roll(reshape(x, (-1,)), shift, 0), _data_shape(x))
    shifts = (shift,) if isinstance(shift, int) else tuple(shift)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    ndim = len(_data_shape(x))
    for s, a in zip(shifts, axes):
        a = _axis(a, ndim)
        order = get_array_module(data_of(x)).roll(range(_data_shape(x)[a]), s)
        x = take(x, order, axis=a)
    return x


def slice(inputs, start_indices, shape):  # noqa: A001 - Keras' name
    """The block of ``inputs`` of size ``shape`` starting at ``start_indices``."""
    starts = [int(s) for s in data_of(as_input(start_indices))]
    index = tuple(_slice(s, s + int(n)) for s, n in zip(starts, data_of(as_input(shape))))
    return get_item(inputs, index)


def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block at ``start_indices`` replaced by ``updates``."""
    updates = as_input(updates)
    starts = [int(s) for s in data_of(as_input(start_indices))]
    index = tuple(_slice(s, s + n) for s, n in zip(starts, _data_shape(updates)))
    return IndexUpdate.apply(as_input(inputs), updates, index=index)


def _index_tuple(indices):
    """Keras' (..., k) index array as a NumPy advanced index over the first k axes."""
    indices = get_array_module(indices).asarray(indices)
    if indices.ndim == 1:
        indices = indices[None, :]
    return tuple(indices.reshape(-1, indices.shape[-1]).T)


def scatter(indices, values, shape):
    """Zeros of ``shape`` with ``values`` added at ``indices`` ((..., k) coordinates; repeats add up)."""
    indices = data_of(as_input(indices))
    values = as_input(values)
    shape = tuple(int(n) for n in shape)
    index = _index_tuple(indices)
    values = reshape(values, (-1,) + shape[indices.shape[-1]:])
    return ScatterAdd.apply(values, index=index, shape=shape)


def scatter_update(inputs, indices, updates):
    """``inputs`` with the entries at ``indices`` ((n, k) coordinates) replaced by ``updates``."""
    index = _index_tuple(data_of(as_input(indices)))
    return IndexUpdate.apply(as_input(inputs), as_input(updates), index=index)


def _band(x, k, lower):
    x = as_input(x)
    n, m = _data_shape(x)[-2:]
    mask = get_array_module(data_of(x)).tri(n, m, k if lower else k - 1, dtype=bool)
    return multiply(x, mask if lower else ~mask)


def tril(x, k=0):
    """``x`` with the entries above diagonal ``k`` set to 0 (last two axes)."""
    return _band(x, k, lower=True)


def triu(x, k=0):
    """``x`` with the entries below diagonal ``k`` set to 0 (last two axes)."""
    return _band(x, k, lower=False)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The entries of diagonal ``offset`` of the (axis1, axis2) planes, on a new last axis."""
    x = as_input(x)
    ndim = len(_data_shape(x))
    axis1, axis2 = _axis(axis1, ndim), _axis(axis2, ndim)
    rest = [a for a in range(ndim) if a not in (axis1, axis2)]
    moved = transpose(x, rest + [axis1, axis2])
    n, m = _data_shape(moved)[-2:]
    rows = [i for i in range(n) if 0 <= i + offset < m]
    lead = (_slice(None),) * len(rest)
    return get_item(moved, lead + (rows, [i + offset for i in rows]))


def diag(x, k=0):
    """A 1-D input's values on diagonal ``k`` of a square matrix, or a 2-D input's diagonal ``k``."""
    x = as_input(x)
    shape = _data_shape(x)
    if len(shape) == 2:
        return diagonal(x, k)
    if len(shape) != 1:
        raise ValueError(f"diag expects a 1-D or 2-D input, got shape {shape}")
    n = shape[0] + abs(k)
    rows = get_array_module(data_of(x)).arange(shape[0])
    coordinates = get_array_module(rows).stack([rows - min(k, 0), rows + max(k, 0)], axis=-1)
    return scatter(coordinates, x, (n, n))


def swapaxes(x, axis1, axis2):
    """``x`` with two axes exchanged."""
    x = as_input(x)
    perm = list(range(len(_data_shape(x))))
    a, b = _axis(axis1, len(perm)), _axis(axis2, len(perm))
    perm[a], perm[b] = perm[b], perm[a]
    return transpose(x, perm)


def moveaxis(x, source, destination):
    """``x`` with axes moved from ``source`` to ``destination`` (``np.moveaxis``)."""
    x = as_input(x)
    ndim = len(_data_shape(x))
    source = [_axis(a, ndim) for a in ((source,) if isinstance(source, int) else source)]
    destination = [_axis(a, ndim) for a in ((destination,) if isinstance(destination, int) else destination)]
    order = [a for a in range(ndim) if a not in source]
    for dst, src in sorted(zip(destination, source)):
        order.insert(dst, src)
    return transpose(x, order)


def ravel(x):
    """``x`` flattened to one axis."""
    return reshape(x, (-1,))


def append(x1, x2, axis=None):
    """``x2`` joined after ``x1`` along ``axis`` (both flattened when None)."""
    if axis is None:
        return concatenate([ravel(x1), ravel(x2)], axis=0)
    return concatenate([x1, x2], axis=axis)


def hstack(xs):
    """Join along the second axis (the first for 1-D inputs)."""
    return concatenate(xs, axis=1 if len(_data_shape(as_input(xs[0]))) > 1 else 0)


def vstack(xs):
    """Join along the first axis, 1-D inputs as rows."""
    xs = [as_input(x) for x in xs]
    return concatenate([reshape(x, (1, -1)) if len(_data_shape(x)) == 1 else x for x in xs], axis=0)


def fliplr(x):
    """Reverse the second axis."""
    return flip(x, axis=1)


def flipud(x):
    """Reverse the first axis."""
    return flip(x, axis=0)


def rot90(array, k=1, axes=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``axes`` (``np.rot90``)."""
    k %= 4
    a, b = axes
    for _ in range(k):
        array = swapaxes(flip(array, axis=b), a, b)
    return as_input(array) if k == 0 else array


def hsplit(x, indices_or_sections):
    """Split along the second axis (the first for 1-D inputs)."""
    return split(x, indices_or_sections, axis=1 if len(_data_shape(as_input(x))) > 1 else 0)


def vsplit(x, indices_or_sections):
    """Split along the first axis."""
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    """Split along the third axis."""
    return split(x, indices_or_sections, axis=2)


def dstack(xs):
    """Join along the third axis, lifting 1-D (n,) to (1, n, 1) and 2-D (m, n) to (m, n, 1)."""
    lifted = []
    for x in xs:
        x = as_input(x)
        shape = _data_shape(x)
        lifted.append(reshape(x, (1, shape[0], 1)) if len(shape) == 1 else
                      reshape(x, shape + (1,)) if len(shape) == 2 else x)
    return concatenate(lifted, axis=2)


def diff(a, n=1, axis=-1):
    """The ``n``-th discrete difference along ``axis``: ``a[1:] - a[:-1]``, repeated."""
    a = as_input(a)
    ndim = len(_data_shape(a))
    axis = _axis(axis, ndim)
    lead = (_slice(None),) * axis
    for _ in range(n):
        a = subtract(get_item(a, lead + (_slice(1, None),)), get_item(a, lead + (_slice(None, -1),)))
    return a


def diagflat(x, k=0):
    """``x`` flattened onto diagonal ``k`` of a square matrix of zeros."""
    return diag(ravel(x), k)


def nonzero(x):
    """The indices of the non-zero entries of ``x``: one int32 tensor per axis (no gradient)."""
    data = np.asarray(data_of(as_input(x)))
    return tuple(Tensor(index.astype("int32")) for index in np.nonzero(data))


def unravel_index(indices, shape):
    """Flat ``indices`` as a tuple of coordinate tensors into ``shape`` (C order), in the indices'
    integer dtype (int32 for Python values)."""
    flat = np.asarray(data_of(typed(indices)))
    if flat.dtype.kind not in "iu":
        raise TypeError(f"unravel_index expects integer indices, got dtype {flat.dtype}")
    shape = tuple(int(n) for n in data_of(shape)) if not isinstance(shape, int) else (shape,)
    total = int(np.prod(shape, dtype=np.int64))
    if flat.size and (flat.min() < 0 or flat.max() >= total):
        raise ValueError(f"unravel_index: indices must be in [0, {total}) for shape {shape}, got values "
                         f"from {flat.min()} to {flat.max()}")
    return tuple(Tensor(part.astype(flat.dtype)) for part in np.unravel_index(flat, shape))
