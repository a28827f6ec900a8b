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


def convert_to_tensor(x, dtype=None):
    """Return ``x`` as a Tensor, casting to ``dtype`` when given."""
    if isinstance(x, Tensor):
        if dtype is None or x.dtype == np.dtype(dtype):
            return x
        return Tensor(x.data.astype(dtype))
    array = np.asarray(x) if dtype is None else np.asarray(x, dtype=dtype)
    return Tensor(array)


def convert_to_numpy(x):
    """Return a NumPy array for a Tensor or array-like."""
    if isinstance(x, Tensor):
        return np.asarray(x.numpy())
    return np.asarray(x)
