"""Special functions: ``erfinv`` and the modified Bessel function ``i0``.

NumPy has no ``erfinv``: it starts from Giles' single-precision approximation
("Approximating the erfinv function", 2010) and, in float64, takes Newton
steps on ``erf(y) - x`` with the exact ``math.erf`` and ``math.erfc``.
"""

import math

import numpy as np

from glassnet.autodiff.function import Function
from glassnet.backend import get_array_module
from glassnet.ops._promote import floating

_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
            -0.00417768164, 0.246640727, 1.50140941)
_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
         0.00943887047, 1.00167406, 2.83297682)


def _polynomial(coefficients, w):
    result = np.full_like(w, coefficients[0])
    for c in coefficients[1:]:
        result = result * w + c
    return result


def erfinv_values(x):
    """y with erf(y) = x, for x in [-1, 1] (+-inf at +-1, NaN outside), in x's dtype."""
    x64 = np.asarray(x, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        w = -np.log((1.0 - x64) * (1.0 + x64))
        central = _polynomial(_CENTRAL, w - 2.5)
        tail = _polynomial(_TAIL, np.sqrt(w) - 3.0)
        y = np.where(w < 5.0, central, tail) * x64
        if np.dtype(x.dtype) == np.float64:
            finite = np.isfinite(y)
            magnitude = np.where(finite, np.abs(y), 0.0)
            for _ in range(4):  # quadratic convergence; the far tails start further off
                magnitude = _newton_step(np.where(finite, np.abs(x64), 0.0), magnitude)
            y = np.where(finite, np.copysign(magnitude, x64), y)
        y = np.where(np.abs(x64) == 1.0, np.copysign(np.inf, x64), y)
        y = np.where(np.abs(x64) > 1.0, np.nan, y)
    return y.astype(x.dtype)


def _newton_step(a, y):
    """One Newton step towards erf(y) = a for a, y >= 0: on erf(y) - a in the centre, and on
    log(erfc(y)) - log(1 - a) in the tail, where erfc keeps its precision and the log is nearly quadratic."""
    erf = np.vectorize(math.erf, otypes=["float64"])
    erfc = np.vectorize(math.erfc, otypes=["float64"])
    density = 2.0 / math.sqrt(math.pi) * np.exp(-y * y)
    central = y < 1.0
    tail_step = (np.log(erfc(y)) - np.log1p(-a)) * erfc(y) / np.maximum(density, 1e-300)
    return np.where(central, y - (erf(y) - a) / density, y + tail_step)


class Erfinv(Function):
    """y = erf^-1(x);  dy/dx = sqrt(pi) / 2 exp(y^2)"""

    def forward(self, x):
        self.y = erfinv_values(x)
        return self.y

    def backward(self, gy):
        return gy * (0.886226925452758 * get_array_module(gy).exp(self.y * self.y))


def bessel_i1_values(x):
    """The modified Bessel function I1(x) = sum_k (x/2)^(2k+1) / (k! (k+1)!), summed until the terms vanish."""
    x = np.asarray(x, dtype="float64")
    half = x / 2.0
    term = half.copy()
    total = term.copy()
    terms = 30 + 2 * int(np.abs(x).max(initial=0.0))
    for k in range(terms):
        term = term * half * half / ((k + 1) * (k + 2))
        total = total + term
    return total


class I0(Function):
    """y = I0(x) (the modified Bessel function of the first kind, order 0);  dy/dx = I1(x)"""

    def forward(self, x):
        self.x = x
        return np.i0(x).astype(x.dtype, copy=False)

    def backward(self, gy):
        return gy * bessel_i1_values(self.x).astype(gy.dtype, copy=False)


def erfinv(x):
    """Element-wise inverse error function (float32 for integer inputs)."""
    return Erfinv.apply(floating(x))


def i0(x):
    """Element-wise modified Bessel function of the first kind, order 0 (float32 for integers, float64 for int64)."""
    return I0.apply(floating(x, int64="float64"))
