"""``shard(*arrays, batch_size)``: each rank's share of the data, ordered so that data-parallel = one process.

A one-process ``fit(x, y, batch_size=B, shuffle=False)`` takes the global
batches ``x[0:B]``, ``x[B:2B]``, ... With ``n`` ranks, each global batch is
cut into ``n`` equal parts of ``b = B // n`` samples; rank ``r`` gets part
``r`` of every global batch, back to back, and trains with
``fit(x_r, y_r, batch_size=b, shuffle=False)``. Its ``k``-th batch is then
part ``r`` of global batch ``k``; glassnet's losses are means over the batch,
so the average over ranks of the per-rank mean gradients
(``DistributedOptimizer``) is the mean gradient of the global batch, and the
run equals the one-process run to float rounding.

That needs equal parts: ``B`` must be divisible by the number of ranks, and
the last global batch, when it is shorter than ``B``, is dropped (a
one-process run equal to it uses ``steps_per_epoch=len(x) // B``). With
``shuffle=True`` each rank shuffles its own share: still data-parallel SGD
(weights stay identical on every rank), but not the one-process run's order.
"""

import numpy as np


def shard_indices(count, batch_size, rank, size):
    """The sample indices rank ``rank`` of ``size`` trains on, in order (remainder batch dropped)."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer (the global batch size), got {batch_size!r}")
    if batch_size % size:
        raise ValueError(f"shard: the global batch_size {batch_size} must be divisible by the number of ranks "
                         f"{size}, so that every rank's part of a batch has the same size")
    part = batch_size // size
    batches = count // batch_size
    if batches == 0:
        raise ValueError(f"shard: {count} samples make no whole global batch of {batch_size}")
    starts = np.arange(batches) * batch_size + rank * part
    return (starts[:, None] + np.arange(part)[None, :]).reshape(-1)


def shard(*arrays, batch_size=32, rank=None, size=None):
    """This rank's share of each array (or list/dict of arrays), for ``fit(..., batch_size=batch_size // size())``.

    ``batch_size`` is the global batch size (what one process would use).
    Returns one array when one is given, else a tuple. ``rank`` and ``size``
    default to this process's (``init()`` first).
    """
    from glassnet.distributed import communicator

    if rank is None or size is None:
        rank = communicator.rank() if rank is None else rank
        size = communicator.size() if size is None else size
    if not arrays:
        raise ValueError("shard needs at least one array")
    lengths = {len(a) for a in _leaves(arrays)}
    if len(lengths) != 1:
        raise ValueError(f"shard: the arrays have different lengths {sorted(lengths)}")
    index = shard_indices(lengths.pop(), batch_size, rank, size)
    out = tuple(_take(a, index) for a in arrays)
    return out[0] if len(out) == 1 else out


def _leaves(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _leaves(v)]
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    return [value]


def _take(value, index):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return type(value)(_take(v, index) for v in value)
    if isinstance(value, dict):
        return {k: _take(v, index) for k, v in value.items()}
    return np.asarray(value)[index]
