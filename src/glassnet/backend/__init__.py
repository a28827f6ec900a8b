"""The array module behind the ops: NumPy, or CuPy for arrays that live on a GPU.

Layers never import numpy or cupy themselves; ops call ``get_array_module``
with their input arrays and get back the module that owns them. CuPy is
imported only when a CuPy array is seen, so a missing or broken CuPy never
breaks ``import glassnet``.
"""

import numpy as np

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
