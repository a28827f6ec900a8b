"""Ordering: ``sort``, ``argsort``, ``top_k``, ``in_top_k``.

Sorted values are a gather (``take_along_axis`` with the sorting indices),
so their gradient goes back to the positions the values came from.
"""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.ops._convert import as_input, data_of
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
