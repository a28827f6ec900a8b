"""Python operators on Tensor (``a + b``, ``a @ b``, ``a[i]``, ``a.sum()``).

They are ops, so they are defined here and attached to ``Tensor`` when
``glassnet.ops`` is imported.
"""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.ops import linalg, math, reduce, shaping


def _getitem(tensor, index):
    """``tensor[index]`` as NumPy reads it: a list is an array of indices (``ops.get_item`` reads it as a tuple, as Keras)."""
    return shaping.get_item(tensor, np.asarray(index) if isinstance(index, list) else index)


def _reflected(op):
    return lambda self, other: op(other, self)


OPERATORS = {
    "__add__": math.add,
    "__radd__": _reflected(math.add),
    "__sub__": math.subtract,
    "__rsub__": _reflected(math.subtract),
    "__mul__": math.multiply,
    "__rmul__": _reflected(math.multiply),
    "__truediv__": math.divide,
    "__rtruediv__": _reflected(math.divide),
    "__pow__": math.power,
    "__rpow__": _reflected(math.power),
    "__matmul__": linalg.matmul,
    "__rmatmul__": _reflected(linalg.matmul),
    "__neg__": math.negative,
    "__abs__": math.abs,
    "__getitem__": _getitem,
}

METHODS = {
    "sum": reduce.sum,
    "mean": reduce.mean,
    "max": reduce.max,
    "min": reduce.min,
    "reshape": lambda self, *new_shape: shaping.reshape(
        self, new_shape[0] if len(new_shape) == 1 and not isinstance(new_shape[0], int) else new_shape
    ),
    "transpose": lambda self, *axes: shaping.transpose(self, axes or None),
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "clip": math.clip,
}


def _comparison(name):
    def compare(self, other):
        other = other.data if isinstance(other, Tensor) else other
        return getattr(self.data, name)(other)

    return compare


def attach():
    """Give Tensor its operators and methods (idempotent)."""
    for name, op in {**OPERATORS, **METHODS}.items():
        setattr(Tensor, name, op)
    for name in ("__lt__", "__le__", "__gt__", "__ge__"):
        setattr(Tensor, name, _comparison(name))
    Tensor.T = property(lambda self: shaping.transpose(self))
