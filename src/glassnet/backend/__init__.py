"""The array module behind the ops: NumPy, or CuPy for arrays that live on a GPU.

Layers never import numpy or cupy themselves; ops call ``get_array_module``
with their input arrays and get back the module that owns them. CuPy is
imported only when a CuPy array is seen, so a missing or broken CuPy never
breaks ``import glassnet``.
"""

import numpy as np

from glassnet.config import (  # noqa: F401  (re-exported: keras.backend.epsilon() and the rest)
    backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format,
)

__all__ = [
    "backend", "clear_session", "epsilon", "floatx", "get_array_module", "get_uid", "image_data_format", "info",
    "is_float_dtype", "is_int_dtype", "is_keras_tensor", "result_type", "set_epsilon", "set_floatx",
    "set_image_data_format", "standardize_dtype",
]

_cupy = None
_cupy_error = None


def _load_cupy():
    """Import CuPy once; remember why it failed instead of raising."""
    global _cupy, _cupy_error
    if _cupy is None and _cupy_error is None:
        try:
            import cupy

            _cupy = cupy
        except Exception as error:  # an absent or broken CUDA install
            _cupy_error = error
    return _cupy


def get_array_module(*arrays):
    """Return ``numpy`` or ``cupy``, whichever owns the given arrays ("xp")."""
    for array in arrays:
        if type(array) is not np.ndarray and type(array).__module__.startswith("cupy"):
            return _load_cupy()
    return np


def info():
    """Describe the array modules found, and why the GPU is or is not used."""
    lines = [f"numpy {np.__version__}"]
    cupy = _load_cupy()
    if cupy is None:
        lines.append(f"cupy: not available ({_cupy_error})")
    else:
        lines.append(f"cupy {cupy.__version__}: pass cupy arrays to use the GPU")
    text = "\n".join(lines)
    print(text)
    return text


# --- the keras.backend helpers Keras 3 keeps ---------------------------------------------------------------------

_DTYPE_NAMES = ("bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float16",
                "bfloat16", "float32", "float64", "complex64", "complex128", "string")


def standardize_dtype(dtype):
    """A dtype as Keras names it: ``None`` -> floatx, ``"float"`` -> ``"float32"``, ``"int"`` -> ``"int64"``,
    NumPy dtypes and Python types by name; anything else raises ValueError."""
    if dtype is None:
        return floatx()
    aliases = {"float": "float32", "int": "int64", "double": "float64", "str": "string", "object": "string"}
    if isinstance(dtype, str) and dtype in aliases:
        return aliases[dtype]
    if dtype in (float, int, bool, str):
        return aliases.get(dtype.__name__, dtype.__name__)
    name = getattr(dtype, "name", None) or str(dtype)
    name = name.replace("torch.", "")
    if name not in _DTYPE_NAMES:
        try:
            name = np.dtype(dtype).name
        except TypeError:
            pass
    if name not in _DTYPE_NAMES:
        raise ValueError(f"Invalid dtype: expected one of {', '.join(_DTYPE_NAMES)}, received {dtype!r}")
    return name


def is_float_dtype(dtype):
    """True for ``float16``, ``bfloat16``, ``float32`` and ``float64``."""
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype):
    """True for the signed and unsigned integer dtypes."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


def result_type(*dtypes):
    """The dtype an op on these dtypes returns, by Keras' rules (not NumPy's): integers never widen a float
    (``int64`` with ``float32`` gives ``float32``), a Python float counts as floatx, and no dtype at all is floatx."""
    if not dtypes:
        return floatx()
    floats, exact = [], []
    for dtype in dtypes:
        if dtype is float or isinstance(dtype, float):
            floats.append(floatx())
            continue
        if dtype is int or isinstance(dtype, (int, bool)) and not isinstance(dtype, np.generic):
            exact.append("int32" if dtype is int or not isinstance(dtype, bool) else "bool")
            continue
        name = standardize_dtype(dtype if isinstance(dtype, type) else getattr(dtype, "dtype", dtype))
        (floats if is_float_dtype(name) else exact).append(name)
    if floats:
        widest = max(floats, key=_float_width)
        return "float32" if widest in ("float16", "bfloat16") and len(set(floats)) > 1 else widest
    return np.result_type(*exact).name


def _float_width(name):
    return {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8}[name]


def is_keras_tensor(x):
    """True for the symbolic tensors of a functional model (``keras.Input`` and layer outputs on it)."""
    from glassnet.layers.keras_tensor import KerasTensor

    return isinstance(x, KerasTensor)


def clear_session(free_memory=True):
    """Reset layer names and this thread's running state (``keras.backend.clear_session``)."""
    from glassnet.utils import clear_session as reset

    reset(free_memory=free_memory)


def get_uid(prefix=""):
    """1 the first time ``prefix`` is asked for, then 2, 3... (per session; ``clear_session`` resets)."""
    from glassnet.utils.naming import next_uid

    return next_uid(prefix)
