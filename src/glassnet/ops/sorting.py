"""Ordering and searching: ``sort``, ``argsort``, ``top_k``, ``in_top_k``, ``argpartition``,
``searchsorted``, ``digitize``, ``unique``.

Sorted values are a gather (``take_along_axis`` with the sorting indices),
so their gradient goes back to the positions the values came from.
"""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.ops._convert import as_input, data_of
from glassnet.ops._promote import typed
from glassnet.ops.shaping import reshape, take_along_axis


def argsort(x, axis=-1):
    """Indices (int32) that sort ``x`` ascending along ``axis`` (flattened when None); stable."""
    data = data_of(as_input(x))
    if axis is None:
        data, axis = data.reshape(-1), 0
    return Tensor(np.argsort(data, axis=axis, kind="stable").astype("int32"))


def sort(x, axis=-1):
    """``x`` sorted ascending along ``axis`` (flattened when None)."""
    x = as_input(x)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    return take_along_axis(x, argsort(x, axis).data, axis=axis)


def top_k(x, k, sorted=True):  # noqa: A002 - Keras' argument name
    """The ``k`` largest values along the last axis and their indices (int32), largest first.

    Ties keep their order of appearance, as ``torch.topk`` on CPU and ``lax.top_k`` do.
    """
    x = as_input(x)
    data = data_of(x)
    if not 0 <= k <= data.shape[-1]:
        raise ValueError(f"top_k: k must be between 0 and the last dimension {data.shape[-1]}, got {k}")
    order = np.argsort(-data, axis=-1, kind="stable")[..., :k].astype("int32")
    return take_along_axis(x, order, axis=-1), Tensor(order)


def in_top_k(targets, predictions, k):
    """Whether each target class is among the ``k`` highest predictions of its row (bool)."""
    scores = data_of(as_input(predictions))
    labels = np.asarray(data_of(as_input(targets))).astype(np.int64).reshape(-1, 1)
    target_scores = np.take_along_axis(scores, labels, axis=-1)
    higher = (scores > target_scores).sum(axis=-1)
    return Tensor(higher < k)


def argpartition(x, kth, axis=-1):
    """Indices (int32) that partition ``x`` along ``axis``: the ``kth`` entry lands where sorting puts it,
    smaller ones before it and larger ones after (in no particular order)."""
    data = data_of(typed(x))
    return Tensor(np.argpartition(data, kth, axis=axis).astype("int32"))


def searchsorted(sorted_sequence, values, side="left"):
    """Indices (int32) where ``values`` would be inserted into the 1-D ascending ``sorted_sequence`` to keep
    it sorted: before equal entries for ``side="left"``, after them for ``"right"``."""
    sequence = np.asarray(data_of(typed(sorted_sequence)))
    if sequence.ndim != 1:
        raise ValueError(f"searchsorted expects a 1-D sorted_sequence, got shape {sequence.shape}; "
                         f"use ops.vectorized_map for batches of sequences")
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    return Tensor(np.asarray(np.searchsorted(sequence, data_of(typed(values)), side=side), dtype="int32"))


def digitize(x, bins):
    """The bin (int32) of each entry of ``x``: i with ``bins[i-1] <= x < bins[i]`` for increasing ``bins``
    (0 below the first edge, ``len(bins)`` from the last on)."""
    edges = np.asarray(data_of(typed(bins)))
    if edges.ndim != 1:
        raise ValueError(f"digitize expects 1-D bins, got shape {edges.shape}")
    return Tensor(np.asarray(np.digitize(data_of(typed(x)), edges), dtype="int32"))


def _fit_to_size(outputs, size, dim, fill_value, return_index, return_counts):
    """Keras' ``size`` option of ``unique``: truncate, or pad values with ``fill_value`` (0), indices with 1
    and counts with 0."""
    values = outputs[0]
    found = values.shape[dim]
    if found >= size:
        index = (slice(None),) * dim + (slice(0, size),)
        outputs[0] = values[index]
        for position, used in ((1, return_index), (-1, return_counts)):
            if used:
                outputs[position] = outputs[position][:size]
        return outputs
    widths = [(0, 0)] * values.ndim
    widths[dim] = (0, size - found)
    outputs[0] = np.pad(values, widths, constant_values=0 if fill_value is None else fill_value)
    if return_index:
        outputs[1] = np.pad(outputs[1], (0, size - found), constant_values=1)
    if return_counts:
        outputs[-1] = np.pad(outputs[-1], (0, size - found), constant_values=0)
    return outputs


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False, axis=None,
           size=None, fill_value=None):
    """The distinct entries of ``x`` (flattened when ``axis`` is None), or distinct slices along ``axis``, sorted.

    Optionally also (int64, as NumPy and Keras' torch backend give them) the index of each one's first
    occurrence, the inverse (each entry's position among the distinct ones, in ``x``'s shape when ``axis``
    is None) and the counts. ``size`` pads or truncates the results to a fixed length. No gradient.
    """
    data = np.asarray(data_of(typed(x)))
    outputs = np.unique(data, return_index=True, return_inverse=True, return_counts=True, axis=axis)
    outputs = [outputs[0]] + [part for part, used in zip(outputs[1:], (return_index, return_inverse,
                                                                       return_counts)) if used]
    if return_inverse:
        inverse_at = 1 + int(return_index)
        shape = data.shape if axis is None else (data.shape[axis],)
        outputs[inverse_at] = outputs[inverse_at].reshape(shape)
    if size is not None:
        dim = 0 if axis is None else axis % data.ndim
        outputs = _fit_to_size(outputs, int(size), dim, fill_value, return_index, return_counts)
    outputs = [Tensor(outputs[0].astype(data.dtype))] + [Tensor(part.astype("int64")) for part in outputs[1:]]
    return outputs[0] if len(outputs) == 1 else tuple(outputs)
