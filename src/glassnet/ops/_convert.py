"""Turning what users pass (lists, NumPy scalars, arrays) into op inputs."""

import numpy as np

from glassnet.autodiff.tensor import Tensor


def as_input(x):
    """Return a Tensor or array unchanged, a Python number unchanged, else an array.

    NumPy scalars become Python numbers, so ``float32_array * np.float64(2)``
    stays float32 (NumPy treats Python numbers as weakly typed).
    """
    if isinstance(x, np.generic):  # before the float check: np.float64 is a subclass of float
        return x.item()
    if isinstance(x, (Tensor, np.ndarray, int, float)):
        return x
    if hasattr(x, "__cuda_array_interface__"):
        return x
    return np.asarray(x)


def data_of(x):
    """The raw array (or number) behind a Tensor or array-like."""
    return x.data if isinstance(x, Tensor) else x


def result_dtype(x):
    """The dtype Keras gives ``x``: arrays and Tensors keep theirs; Python numbers and
    lists (64-bit in NumPy) become float32 / int32 (bool stays bool)."""
    if isinstance(x, (Tensor, np.ndarray)) or hasattr(x, "__cuda_array_interface__"):
        return np.dtype(x.dtype)
    dtype = np.asarray(x).dtype
    if dtype.kind == "f":
        return np.dtype("float32")
    if dtype.kind in "iu":
        return np.dtype("int32")
    return dtype

