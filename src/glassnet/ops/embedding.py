"""Looking up rows of a table by integer ids: the op behind ``layers.Embedding``."""

from glassnet.autodiff.function import Function
from glassnet.backend import get_array_module
from glassnet.ops._convert import as_input


class EmbeddingLookup(Function):
    """y[..., :] = table[ids[...], :];  d table[v] = sum of dy over the positions where ids == v

    The ids are a constant integer array (no gradient). The table's gradient
    is dense, as Keras' is: rows never looked up get zeros. It is summed with
    one ``bincount`` per column block instead of a scatter-add per position.
    """

    def __init__(self, ids):
        self.ids = ids

    def forward(self, table):
        self.table_shape = table.shape
        return table[self.ids]

    def backward(self, gy):
        xp = get_array_module(gy)
        rows, width = self.table_shape
        flat_ids = self.ids.reshape(-1)
        flat_grad = gy.reshape(-1, width)
        grad = xp.zeros(self.table_shape, dtype=gy.dtype)
        if flat_ids.size == 0:
            return grad
        order = xp.argsort(flat_ids, kind="stable")
        sorted_ids = flat_ids[order]
        starts = xp.flatnonzero(xp.concatenate([xp.ones(1, bool), sorted_ids[1:] != sorted_ids[:-1]]))
        grad[sorted_ids[starts]] = xp.add.reduceat(flat_grad[order], starts, axis=0)
        return grad


def embedding_lookup(table, ids):
    """Rows of ``table`` (vocabulary, width) at integer ``ids`` of any shape: shape ``ids.shape + (width,)``."""
    return EmbeddingLookup.apply(as_input(table), ids=ids)
