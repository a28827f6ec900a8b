"""Keras' core ops: conversion, casting, shapes, gradient control and control flow.

Control flow runs eagerly in Python (``cond`` calls one branch, loops are
Python loops), so every op inside records its gradient as usual.
"""

import functools
import re

import numpy as np

from glassnet.autodiff.function import Function
from glassnet.autodiff.grad_mode import no_grad
from glassnet.autodiff.tensor import Tensor
from glassnet.ops._convert import as_input, data_of, result_dtype
from glassnet.ops.math import clip
from glassnet.ops.shaping import (
    broadcast_to,
    concatenate,
    flip,
    get_item,
    reshape,
    stack,
)


class Cast(Function):
    """y = x converted to ``dtype``;  dx = dy converted back to x's dtype"""

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.input_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, gy):
        return gy.astype(self.input_dtype)


def _differentiable(dtype):
    return np.dtype(dtype).kind in "fc"


def cast(x, dtype):
    """``x`` converted to ``dtype``; differentiable between floating dtypes."""
    dtype = np.dtype(dtype)
    x = as_input(x)
    if isinstance(x, Tensor):
        if x.dtype == dtype:
            return x
        if _differentiable(x.dtype) and _differentiable(dtype):
            return Cast.apply(x, dtype=dtype)
        return Tensor(x.data.astype(dtype))
    return Tensor(np.asarray(x, dtype=dtype))


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Return ``x`` as a Tensor (the same one when it already is), cast to ``dtype`` when given.

    Python numbers and lists become float32 or int32, as in Keras; arrays keep their dtype.
    """
    if isinstance(x, Tensor):
        return x if dtype is None else cast(x, dtype)
    return Tensor(np.asarray(x, dtype=dtype or result_dtype(x)))


def convert_to_numpy(x):
    """A NumPy array for a Tensor, an array or a number."""
    if isinstance(x, Tensor):
        return np.asarray(x.numpy())
    return np.asarray(x)


def is_tensor(x):
    """Whether ``x`` is a glassnet Tensor."""
    return isinstance(x, Tensor)


def shape(x):
    """The shape of ``x`` as a tuple of ints (None for an unknown size of a symbolic tensor)."""
    if not isinstance(x, (Tensor, np.ndarray)) and isinstance(getattr(x, "shape", None), tuple):
        return tuple(None if n is None else int(n) for n in x.shape)  # a symbolic tensor, or a cupy array
    return tuple(int(n) for n in np.shape(data_of(as_input(x))))


def ndim(x):
    """The number of axes of ``x``."""
    return len(shape(x))


def size(x):
    """The number of elements of ``x`` (None when a size is unknown)."""
    dims = shape(x)
    return None if None in dims else int(np.prod(dims, dtype=np.int64))


def dtype(x):
    """The dtype name of ``x`` (``"float32"``...)."""
    return result_dtype(data_of(as_input(x))).name


def stop_gradient(variable):
    """``variable``'s value, cut from the graph: no gradient flows back through it."""
    x = as_input(variable)
    return Tensor(data_of(x))


def cond(pred, true_fn, false_fn):
    """``true_fn()`` if ``pred`` else ``false_fn()`` (only the chosen branch runs)."""
    return true_fn() if bool(np.asarray(data_of(pred))) else false_fn()


def switch(index, branches, *operands):
    """``branches[index](*operands)``, with ``index`` clamped to the valid range."""
    i = int(np.clip(int(np.asarray(data_of(index))), 0, len(branches) - 1))
    return branches[i](*operands)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Apply ``body`` to ``loop_vars`` while ``cond(*loop_vars)`` holds.

    A tuple or list of loop variables is unpacked into ``cond`` and ``body``;
    the final variables come back in the same structure.
    """
    is_sequence = isinstance(loop_vars, (list, tuple))
    current = tuple(loop_vars) if is_sequence else (loop_vars,)
    steps = 0
    while bool(np.asarray(data_of(cond(*current)))):
        if maximum_iterations is not None and steps >= maximum_iterations:
            break
        result = body(*current)
        current = tuple(result) if is_sequence else (result,)
        steps += 1
    return type(loop_vars)(current) if is_sequence else current[0]


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for i in ``range(lower, upper)``; returns the last ``val``."""
    val = init_val
    for i in range(int(data_of(lower)), int(data_of(upper))):
        val = body_fun(i, val)
    return val


def _leading(x, i):
    return get_item(x, i)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Carry a state over the leading axis of ``xs``: ``carry, y = f(carry, x)``.

    Returns the final carry and the ``y`` of every step stacked on a new
    first axis (a list or tuple of ys is stacked element by element).
    """
    if xs is None and length is None:
        raise ValueError("scan needs xs or length, got neither")
    sequence = xs if isinstance(xs, (list, tuple)) else (xs,)
    n = length if xs is None else shape(sequence[0])[0]
    steps = range(n - 1, -1, -1) if reverse else range(n)
    carry, ys = init, []
    for i in steps:
        if xs is None:
            x = None
        elif isinstance(xs, (list, tuple)):
            x = type(xs)(_leading(s, i) for s in xs)
        else:
            x = _leading(xs, i)
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys or ys[0] is None:
        return carry, None
    if isinstance(ys[0], (list, tuple)):
        return carry, type(ys[0])(stack([y[j] for y in ys]) for j in range(len(ys[0])))
    return carry, stack(ys)


def _flatten(tree):
    """The arrays of a nested list / tuple / dict, and a function that rebuilds the structure from them."""
    if isinstance(tree, dict):
        keys = sorted(tree)
        parts = [_flatten(tree[k]) for k in keys]
    elif isinstance(tree, (list, tuple)):
        keys, parts = None, [_flatten(v) for v in tree]
    else:
        return [tree], lambda leaves: leaves[0]
    counts = [len(leaves) for leaves, _ in parts]

    def rebuild(leaves):
        values, start = [], 0
        for (_, build), n in zip(parts, counts):
            values.append(build(leaves[start:start + n]))
            start += n
        return dict(zip(keys, values)) if keys is not None else type(tree)(values)

    return [leaf for leaves, _ in parts for leaf in leaves], rebuild


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan with an associative ``f``: ``[a, f(a, b), f(f(a, b), c), ...]`` along ``axis``.

    ``f`` works element-wise on (trees of) arrays that keep the scanned axis. Hillis-Steele: after
    step d (shift 1, 2, 4, ...), element i combines the 2^d elements ending at i, so log2(n) calls of
    ``f`` on whole arrays do the scan.
    """
    if not callable(f):
        raise TypeError(f"associative_scan: f must be a callable, got {f!r}")
    leaves, rebuild = _flatten(elems)
    leaves = [as_input(leaf) for leaf in leaves]
    ndim = np.ndim(data_of(leaves[0]))
    axis = axis % ndim
    n = np.shape(data_of(leaves[0]))[axis]
    if any(np.shape(data_of(leaf))[axis] != n for leaf in leaves):
        raise ValueError(f"associative_scan: every array in elems needs the same length {n} along axis {axis}")
    if reverse:
        leaves = [flip(leaf, axis) for leaf in leaves]

    def part(leaf, start, stop):
        return get_item(leaf, (slice(None),) * axis + (slice(start, stop),))

    shift = 1
    while shift < n:
        earlier = rebuild([part(leaf, 0, n - shift) for leaf in leaves])
        later = rebuild([part(leaf, shift, n) for leaf in leaves])
        combined, _ = _flatten(f(earlier, later))
        leaves = [concatenate([part(leaf, 0, shift), c], axis=axis) for leaf, c in zip(leaves, combined)]
        shift *= 2
    if reverse:
        leaves = [flip(leaf, axis) for leaf in leaves]
    return rebuild(leaves)


def map(f, xs):  # noqa: A001 - Keras' name
    """``f`` applied to each slice of ``xs`` along the first axis, the results stacked."""
    return stack([f(_leading(xs, i)) for i in range(shape(xs)[0])])


def vectorized_map(function, elements):
    """``function`` applied to each element along the first axis, stacked (a Python loop here)."""
    if isinstance(elements, (list, tuple)):
        n = shape(elements[0])[0]
        results = [function(type(elements)(_leading(e, i) for e in elements)) for i in range(n)]
    else:
        results = [function(_leading(elements, i)) for i in range(shape(elements)[0])]
    if isinstance(results[0], (list, tuple)):
        return type(results[0])(stack([r[j] for r in results]) for j in range(len(results[0])))
    return stack(results)


class _CustomGradient(Function):
    """y = f(x...) with the gradient given by the user's ``grad_fn(upstream)``"""

    def __init__(self, fn):
        self.fn = fn

    def forward(self, *arrays):
        with no_grad():
            y, self.grad_fn = self.fn(*[Tensor(a) for a in arrays])
        return data_of(y)

    def backward(self, gy):
        with no_grad():
            grads = self.grad_fn(upstream=Tensor(gy))
        grads = grads if isinstance(grads, (list, tuple)) else (grads,)
        grads = tuple(None if g is None else np.asarray(data_of(g)) for g in grads)
        return grads if len(grads) > 1 else grads[0]


def custom_gradient(f):
    """Decorate ``f(*x) -> (y, grad_fn)`` so that backward uses ``grad_fn(upstream=dy)``.

    ``grad_fn`` returns one gradient per input (a tuple when there are several).
    """

    def wrapper(*args):
        return _CustomGradient.apply(*[as_input(a) for a in args], fn=f)

    wrapper.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapper.__doc__ = f.__doc__
    return wrapper


# --- NumPy-style conversions: array, copy, view, saturate_cast; and vectorize ---------------------------------


class Copy(Function):
    """y = a new array equal to x;  dy/dx = 1"""

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy


def array(x, dtype=None):
    """``x`` as a tensor (as ``convert_to_tensor``)."""
    return convert_to_tensor(x, dtype=dtype)


def copy(x):
    """A copy of ``x`` that shares no memory with it (differentiable)."""
    x = as_input(x)
    if isinstance(x, Tensor):
        return Copy.apply(x)
    return convert_to_tensor(x)


def view(x, dtype=None):
    """``x``'s bytes read as ``dtype`` (the last axis scales by the ratio of item sizes); no gradient
    unless ``dtype`` is ``x``'s own."""
    x = convert_to_tensor(x)
    if dtype is None or np.dtype(dtype) == x.dtype:
        return x
    data = np.ascontiguousarray(x.data)
    dtype = np.dtype(dtype)
    if data.ndim == 0 and dtype.itemsize != data.itemsize:
        raise ValueError(f"view: a scalar of {data.dtype} cannot be viewed as {dtype} (a different item size)")
    if data.ndim and (data.shape[-1] * data.itemsize) % dtype.itemsize:
        raise ValueError(f"view: the last axis of shape {data.shape} ({data.dtype}) does not divide into "
                         f"items of {dtype}")
    return Tensor(data.view(dtype))


def _saturation_bounds(source, target):
    """(low, high) that keep values of dtype ``source`` inside ``target``'s range, or None when all fit."""
    if target.kind in "iu" and source.kind in "iub":
        if source.kind == "b":
            return None
        low, high = max(np.iinfo(target).min, np.iinfo(source).min), min(np.iinfo(target).max, np.iinfo(source).max)
        return None if (low, high) == (np.iinfo(source).min, np.iinfo(source).max) else (low, high)
    if target.kind in "iu" and source.kind == "f":
        info = np.iinfo(target)
        high = np.asarray(info.max, dtype=source)
        if int(high) > info.max:  # the float nearest the integer maximum rounds up past it
            high = np.nextafter(high, np.zeros((), dtype=source))
        return float(info.min), float(high)
    if target.kind == "f" and source.kind == "f" and target.itemsize < source.itemsize:
        info = np.finfo(target)
        return float(info.min), float(info.max)
    return None


def saturate_cast(x, dtype):
    """``x`` cast to ``dtype``, values beyond its range clipped to its limits first (no wrap-around)."""
    x = convert_to_tensor(x)
    target = np.dtype(dtype)
    bounds = _saturation_bounds(x.dtype, target)
    if bounds is not None:
        x = clip(x, *bounds)
    return cast(x, target)


def _core_dims(signature):
    """``"(n),(n,m)->(m)"`` as ([("n",), ("n", "m")], [("m",)])."""
    match = re.fullmatch(r"\s*(.*?)\s*->\s*(.*?)\s*", signature)
    if not match:
        raise ValueError(f"vectorize: signature must look like '(n),(n)->()', got {signature!r}")

    def groups(side):
        return [tuple(d.strip() for d in g.split(",") if d.strip()) for g in re.findall(r"\(([^()]*)\)", side)]

    return groups(match.group(1)), groups(match.group(2))


def vectorize(pyfunc, *, excluded=None, signature=None):
    """``pyfunc`` turned into a function looping over the broadcast leading axes of its tensor arguments
    (``np.vectorize``): it sees one entry at a time, or one core slice per ``signature`` ("(n),(n)->()").
    Arguments at the positions (or names) in ``excluded`` pass through unchanged. Differentiable when
    ``pyfunc`` calls ops: the results are stacked."""
    excluded = set(excluded or ())
    core = _core_dims(signature)[0] if signature else None

    @functools.wraps(pyfunc)
    def vectorized(*args, **kwargs):
        positions = [i for i in range(len(args)) if i not in excluded]
        tensors = [convert_to_tensor(args[i]) for i in positions]
        dims = core if core is not None else [()] * len(tensors)
        if len(dims) != len(tensors):
            raise ValueError(f"vectorize: the signature {signature!r} names {len(dims)} inputs, got {len(tensors)}")
        loop = np.broadcast_shapes(*[t.shape[:t.ndim - len(d)] for t, d in zip(tensors, dims)])
        tensors = [_broadcast_leading(t, loop, len(d)) for t, d in zip(tensors, dims)]
        if not int(np.prod(loop, dtype=np.int64)):
            raise ValueError(f"vectorize: the broadcast loop shape {loop} is empty")
        results = []
        for index in np.ndindex(*loop):
            call = list(args)
            for position, tensor in zip(positions, tensors):
                call[position] = get_item(tensor, index) if index else tensor
            results.append(pyfunc(*call, **kwargs))
        if isinstance(results[0], (tuple, list)):
            return tuple(_stack_loop([r[j] for r in results], loop) for j in range(len(results[0])))
        return _stack_loop(results, loop)

    return vectorized


def _broadcast_leading(tensor, loop, core_ndim):
    target = tuple(loop) + tuple(tensor.shape[tensor.ndim - core_ndim:])
    return tensor if tensor.shape == target else broadcast_to(tensor, target)


def _stack_loop(values, loop):
    if not loop:
        return values[0] if isinstance(values[0], Tensor) else convert_to_tensor(values[0])
    stacked = stack([v if isinstance(v, Tensor) else convert_to_tensor(v) for v in values])
    return reshape(stacked, tuple(loop) + tuple(stacked.shape[1:]))
