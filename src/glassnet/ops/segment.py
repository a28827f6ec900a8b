"""Segment reductions: ``keras.ops.segment_sum / max / min / prod``.

Row ``i`` of ``data`` belongs to segment ``segment_ids[i]``; result row ``j``
reduces the rows of segment ``j``. Ids outside ``[0, num_segments)`` are
dropped; an empty segment holds the reduction's identity (0, -inf, +inf, 1).

    sum:      y_j = sum_{i in j} x_i          dx_i = dy_{id(i)}
    max/min:  y_j = max_{i in j} x_i          dx_i = dy_{id(i)} / n_j where x_i = y_j (n_j ties), else 0
    prod:     y_j = prod_{i in j} x_i         (no gradient)
"""

import numpy as np

from glassnet.autodiff.function import Function
from glassnet.autodiff.tensor import Tensor
from glassnet.backend import get_array_module
from glassnet.ops._convert import as_input, data_of

_UFUNCS = {"sum": np.add, "max": np.maximum, "min": np.minimum, "prod": np.multiply}
_IDENTITY = {"sum": 0, "max": -np.inf, "min": np.inf, "prod": 1}


def _reduce(data, ids, num_segments, kind):
    """The raw segment reduction; ``ids`` already checked, out-of-range rows dropped."""
    xp = get_array_module(data)
    identity = _IDENTITY[kind]
    if data.dtype.kind in "iub" and not np.isfinite(identity):
        info = np.iinfo(data.dtype) if data.dtype.kind != "b" else None
        identity = (info.min if kind == "max" else info.max) if info else (kind == "min")
    out = xp.full((num_segments,) + data.shape[1:], identity, dtype=data.dtype)
    keep = (ids >= 0) & (ids < num_segments)
    _UFUNCS[kind].at(out, ids[keep], data[keep])
    return out


class SegmentSum(Function):
    """y_j = sum of the rows with id j;  dx_i = dy[id_i] (0 for dropped rows)"""

    def __init__(self, ids, num_segments):
        self.ids, self.num_segments = ids, num_segments

    def forward(self, x):
        return _reduce(x, self.ids, self.num_segments, "sum")

    def backward(self, gy):
        xp = get_array_module(gy)
        keep = (self.ids >= 0) & (self.ids < self.num_segments)
        gx = xp.zeros((len(self.ids),) + gy.shape[1:], dtype=gy.dtype)
        gx[keep] = gy[self.ids[keep]]
        return gx


class SegmentExtremum(Function):
    """y_j = max (or min) of the rows with id j;  dx_i = dy[id_i] / ties where x_i reaches y_j, else 0"""

    def __init__(self, ids, num_segments, kind):
        self.ids, self.num_segments, self.kind = ids, num_segments, kind

    def forward(self, x):
        self.x = x
        self.y = _reduce(x, self.ids, self.num_segments, self.kind)
        return self.y

    def backward(self, gy):
        xp = get_array_module(gy)
        keep = (self.ids >= 0) & (self.ids < self.num_segments)
        ids, x = self.ids[keep], self.x[keep]
        winner = (x == self.y[ids]).astype(gy.dtype)
        ties = xp.zeros(self.y.shape, dtype=gy.dtype)
        np.add.at(ties, ids, winner)
        gx = xp.zeros(self.x.shape, dtype=gy.dtype)
        gx[keep] = winner * gy[ids] / ties[ids]
        return gx


def _ids_and_count(data, segment_ids, num_segments, name):
    shape = np.shape(data_of(data))
    ids = np.asarray(data_of(as_input(segment_ids)))
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"{name}: segment_ids must be a 1-D integer array, got dtype {ids.dtype} shape {ids.shape}")
    if len(shape) == 0 or shape[0] != ids.shape[0]:
        raise ValueError(f"{name}: segment_ids must have one id per row of data: got {ids.shape[0]} ids for "
                         f"data of shape {shape}")
    if num_segments is None:
        num_segments = int(ids.max()) + 1 if ids.size else 0
    return ids.astype(np.int64), int(num_segments)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum of the rows of ``data`` in each segment (``num_segments`` defaults to ``max(id) + 1``)."""
    data = as_input(data)
    ids, count = _ids_and_count(data, segment_ids, num_segments, "segment_sum")
    return SegmentSum.apply(data, ids=ids, num_segments=count)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Largest row of ``data`` in each segment (-inf for an empty one)."""
    data = as_input(data)
    ids, count = _ids_and_count(data, segment_ids, num_segments, "segment_max")
    return SegmentExtremum.apply(data, ids=ids, num_segments=count, kind="max")


def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """Smallest row of ``data`` in each segment (+inf for an empty one)."""
    data = as_input(data)
    ids, count = _ids_and_count(data, segment_ids, num_segments, "segment_min")
    return SegmentExtremum.apply(data, ids=ids, num_segments=count, kind="min")


def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """Product of the rows of ``data`` in each segment (1 for an empty one; no gradient)."""
    data = as_input(data)
    ids, count = _ids_and_count(data, segment_ids, num_segments, "segment_prod")
    return Tensor(_reduce(np.asarray(data_of(data)), ids, count, "prod"))
