"""The dtypes Keras 3 gives the NumPy-style functions, applied to op inputs.

Keras computes float-valued functions (``arccos``, ``sinc``, ``nanstd``...) of
integer and bool inputs in float32, and mixes an integer with a float tensor
in the float's dtype (NumPy would give float64). These helpers cast the
inputs once, so the NumPy function behind an op already returns Keras' dtype.
Integer tensors carry no gradient, so their casts need not be recorded.
"""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.ops._convert import result_dtype

FLOATX = "float32"


def _is_array(x):
    return isinstance(x, (Tensor, np.ndarray)) or hasattr(x, "__cuda_array_interface__")


def typed(x):
    """``x`` as an op input: Tensors and arrays unchanged, Python numbers kept weak, lists as
    float32 / int32 arrays (Keras' dtypes for Python values)."""
    if isinstance(x, np.generic):
        return x.item()
    if _is_array(x) or isinstance(x, (bool, int, float)):
        return x
    return np.asarray(x, dtype=result_dtype(x))


def astype(x, dtype):
    """``x`` in ``dtype``: a cast that records nothing (for integer and bool inputs, which have no gradient)."""
    if isinstance(x, Tensor):
        return x if x.dtype == dtype else Tensor(x.data.astype(dtype))
    if _is_array(x):
        return x.astype(dtype, copy=False)
    return np.asarray(x, dtype=dtype)


def dtype_of(x):
    """The dtype Keras gives ``x`` (float32 / int32 / bool for Python values)."""
    return result_dtype(x)


def floating(x, int64=FLOATX):
    """``x`` in a floating dtype: float inputs keep theirs, int64 becomes ``int64``, other ints and bool float32."""
    x = typed(x)
    dtype = dtype_of(x)
    if dtype.kind == "f":
        return x if _is_array(x) else np.asarray(x, dtype=dtype)
    if dtype.kind == "c":
        return x
    return astype(x, int64 if dtype == np.int64 else FLOATX)


def promoted(*xs):
    """The inputs in one Keras result kind: when any is a float tensor, integer and bool tensors take its dtype;
    Python numbers stay weak unless every input is one."""
    xs = [typed(x) for x in xs]
    arrays = [x for x in xs if _is_array(x)]
    if not arrays:
        return [np.asarray(x, dtype=dtype_of(x)) for x in xs]
    floats = [np.dtype(x.dtype) for x in arrays if np.dtype(x.dtype).kind == "f"]
    if not floats:
        if any(isinstance(x, float) for x in xs):
            return [astype(x, FLOATX) if _is_array(x) else x for x in xs]
        return xs
    target = np.result_type(*floats)
    return [astype(x, target) if _is_array(x) and np.dtype(x.dtype).kind != "f" else x for x in xs]


def floating_pair(x1, x2):
    """Both inputs promoted together, then made floating (Keras' ``result_type(x1, x2, float)``)."""
    a, b = promoted(x1, x2)
    if dtype_of(a).kind != "f" and dtype_of(b).kind != "f":
        return astype(a, FLOATX), astype(b, FLOATX)
    return a, b


def check_real(name, x):
    """Raise a clear error for a complex input: glassnet's tensors are real-valued."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and np.dtype(dtype).kind == "c":
        raise TypeError(f"{name}: glassnet tensors are real-valued, got a complex input of dtype {dtype}. "
                        f"Pass the real and imaginary parts as separate real tensors.")
    return typed(x)
