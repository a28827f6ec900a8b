"""Comparisons, logical operators and value tests: boolean results, no gradient."""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.ops._convert import as_input, data_of


def _raw(x):
    return data_of(as_input(x))


def _compare(ufunc):
    def op(x1, x2):
        return Tensor(ufunc(_raw(x1), _raw(x2)))

    op.__name__ = ufunc.__name__
    op.__doc__ = f"Element-wise ``{ufunc.__name__}`` with broadcasting (a bool tensor)."
    return op


equal = _compare(np.equal)
not_equal = _compare(np.not_equal)
greater = _compare(np.greater)
greater_equal = _compare(np.greater_equal)
less = _compare(np.less)
less_equal = _compare(np.less_equal)
logical_and = _compare(np.logical_and)
logical_or = _compare(np.logical_or)
logical_xor = _compare(np.logical_xor)


def logical_not(x):
    """Element-wise ``not x`` (a bool tensor)."""
    return Tensor(np.logical_not(_raw(x)))


def isnan(x):
    """Where ``x`` is NaN."""
    return Tensor(np.isnan(_raw(x)))


def isinf(x):
    """Where ``x`` is +inf or -inf."""
    return Tensor(np.isinf(_raw(x)))


def isfinite(x):
    """Where ``x`` is neither NaN nor infinite."""
    return Tensor(np.isfinite(_raw(x)))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Where ``|x1 - x2| <= atol + rtol |x2|``."""
    return Tensor(np.isclose(_raw(x1), _raw(x2), rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether every entry is close (a bool scalar tensor)."""
    return Tensor(np.asarray(np.allclose(_raw(x1), _raw(x2), rtol=rtol, atol=atol, equal_nan=equal_nan)))


def isin(x1, x2, assume_unique=False, invert=False):
    """Where an entry of ``x1`` occurs in ``x2``."""
    return Tensor(np.isin(_raw(x1), _raw(x2), assume_unique=assume_unique, invert=invert))


def isposinf(x):
    """Where ``x`` is +inf."""
    return Tensor(np.isposinf(_raw(x)))


def isneginf(x):
    """Where ``x`` is -inf."""
    return Tensor(np.isneginf(_raw(x)))


bitwise_and = _compare(np.bitwise_and)
bitwise_or = _compare(np.bitwise_or)
bitwise_xor = _compare(np.bitwise_xor)
left_shift = bitwise_left_shift = _compare(np.left_shift)
right_shift = bitwise_right_shift = _compare(np.right_shift)


def bitwise_invert(x):
    """Element-wise bit inversion of integers (``~x``)."""
    return Tensor(np.invert(_raw(x)))


bitwise_not = bitwise_invert
