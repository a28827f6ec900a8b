"""Tensors made from a shape or a range: ``ones``, ``zeros``, ``full``, ``arange``, ``eye``...

None of them depends on a differentiable input, so they return constant
Tensors. Dtypes follow Keras 3: floats are float32 unless asked otherwise,
integer ranges are int32.
"""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.ops._convert import data_of, result_dtype


def _shape(shape):
    """A shape given as an int, a tuple, a list or a Tensor, as a tuple of ints."""
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(n) for n in np.asarray(data_of(shape)).reshape(-1))


def ones(shape, dtype=None):
    """A tensor of ``shape`` filled with 1 (float32 by default)."""
    return Tensor(np.ones(_shape(shape), dtype=dtype or "float32"))


def zeros(shape, dtype=None):
    """A tensor of ``shape`` filled with 0 (float32 by default)."""
    return Tensor(np.zeros(_shape(shape), dtype=dtype or "float32"))


def empty(shape, dtype=None):
    """An uninitialised tensor of ``shape`` (here: zeros, so runs repeat)."""
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    """A tensor of ``shape`` filled with ``fill_value`` (float32 unless ``dtype`` says otherwise, as in Keras)."""
    return Tensor(np.full(_shape(shape), data_of(fill_value), dtype=dtype or "float32"))


def _like(x, dtype):
    array = np.asarray(data_of(x))
    return array.shape, dtype or result_dtype(data_of(x) if not isinstance(x, (list, tuple)) else x)


def ones_like(x, dtype=None):
    """Ones with the shape (and dtype, unless given) of ``x``."""
    shape, dtype = _like(x, dtype)
    return Tensor(np.ones(shape, dtype=dtype))


def zeros_like(x, dtype=None):
    """Zeros with the shape (and dtype, unless given) of ``x``."""
    shape, dtype = _like(x, dtype)
    return Tensor(np.zeros(shape, dtype=dtype))


def empty_like(x, dtype=None):
    """An uninitialised tensor like ``x`` (here: zeros)."""
    return zeros_like(x, dtype)


def full_like(x, fill_value, dtype=None):
    """``fill_value`` in the shape (and dtype, unless given) of ``x``."""
    shape, dtype = _like(x, dtype)
    return Tensor(np.full(shape, data_of(fill_value), dtype=dtype))


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in ``[start, stop)``: int32 for integer arguments, else float32."""
    values = [data_of(v) for v in (start, stop, step) if v is not None]
    if dtype is None:
        dtype = "float32" if any(np.asarray(v).dtype.kind == "f" for v in values) else "int32"
    if stop is None:
        start, stop = 0, start
    return Tensor(np.arange(data_of(start), data_of(stop), 1 if step is None else data_of(step), dtype=dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (float32 by default)."""
    values, step = np.linspace(data_of(start), data_of(stop), num, endpoint=endpoint, retstep=True,
                               dtype=dtype or "float32", axis=axis)
    values = Tensor(values)
    return (values, Tensor(np.asarray(step, dtype=values.dtype))) if retstep else values


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """``base ** linspace(start, stop)`` (float32 by default)."""
    return Tensor(np.logspace(data_of(start), data_of(stop), num, endpoint=endpoint, base=base,
                              dtype=dtype or "float32", axis=axis))


def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras' argument names
    """An N x M matrix with ones on diagonal ``k``."""
    return Tensor(np.eye(N, M, k, dtype=dtype or "float32"))


def identity(n, dtype=None):
    """The n x n identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras' argument names
    """Ones at and below diagonal ``k`` of an N x M matrix, zeros above."""
    return Tensor(np.tri(N, M, k, dtype=dtype or "float32"))


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D coordinate vectors, as ``np.meshgrid``."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    return [Tensor(np.array(g)) for g in np.meshgrid(*[np.asarray(data_of(v)) for v in x], indexing=indexing)]


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` values from ``start`` to ``stop`` spaced evenly on a log scale (float32 by default)."""
    return Tensor(np.geomspace(data_of(start), data_of(stop), num, endpoint=endpoint, dtype=dtype or "float32",
                               axis=axis))


# window functions (for spectra and filters): M samples, symmetric, float32, as NumPy's


def _window_length(name, x):
    length = np.asarray(data_of(x))
    if length.ndim != 0 or length.dtype.kind not in "iu":
        raise ValueError(f"{name} expects the window length as an integer, got {x!r}")
    return int(length)


def bartlett(x):
    """The triangular window of ``x`` samples: 1 - |2n / (M - 1) - 1|."""
    return Tensor(np.bartlett(_window_length("bartlett", x)).astype("float32"))


def blackman(x):
    """The Blackman window: 0.42 - 0.5 cos(2 pi n / (M - 1)) + 0.08 cos(4 pi n / (M - 1))."""
    return Tensor(np.blackman(_window_length("blackman", x)).astype("float32"))


def hamming(x):
    """The Hamming window: 0.54 - 0.46 cos(2 pi n / (M - 1))."""
    return Tensor(np.hamming(_window_length("hamming", x)).astype("float32"))


def hanning(x):
    """The Hann window: 0.5 - 0.5 cos(2 pi n / (M - 1))."""
    return Tensor(np.hanning(_window_length("hanning", x)).astype("float32"))


def kaiser(x, beta):
    """The Kaiser window: I0(beta sqrt(1 - (2n / (M - 1) - 1)^2)) / I0(beta)."""
    return Tensor(np.kaiser(_window_length("kaiser", x), float(data_of(beta))).astype("float32"))
