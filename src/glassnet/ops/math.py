"""Element-wise arithmetic with broadcasting.

Each class is one op: the forward formula and its derivative side by side.
Gradients may come back in the broadcast shape; the engine sums them back
to each input's shape.
"""

import numpy as np

from glassnet.autodiff.function import Function
from glassnet.autodiff.tensor import Tensor
from glassnet.backend import get_array_module
from glassnet.ops._convert import as_input, data_of
from glassnet.ops._promote import astype, check_real, dtype_of, floating, floating_pair, promoted, typed


def erf_values(x):
    """Error function, to a relative error below 1.2e-7 (Numerical Recipes' erfc).

    erfc(z) ~ t exp(-z^2 - 1.26551223 + t(1.00002368 + ...)), t = 1 / (1 + z/2).
    """
    xp = get_array_module(x)
    z = xp.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    erfc = t * xp.exp(-z * z + poly)
    return xp.where(x >= 0, 1.0 - erfc, erfc - 1.0)


class Add(Function):
    """y = a + b;  dy/da = 1, dy/db = 1"""

    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        return gy, gy


class Subtract(Function):
    """y = a - b;  dy/da = 1, dy/db = -1"""

    def forward(self, a, b):
        return a - b

    def backward(self, gy):
        return gy, (-gy if self.needs_input_grad[1] else None)


class Multiply(Function):
    """y = a * b;  dy/da = b, dy/db = a"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, gy):
        need_a, need_b = self.needs_input_grad
        return (gy * self.b if need_a else None), (gy * self.a if need_b else None)


class Divide(Function):
    """y = a / b;  dy/da = 1 / b, dy/db = -a / b^2 = -y / b"""

    def forward(self, a, b):
        self.b = b
        self.y = a / b
        return self.y

    def backward(self, gy):
        need_a, need_b = self.needs_input_grad
        ga = gy / self.b if need_a else None
        gb = -gy * self.y / self.b if need_b else None
        return ga, gb


class Negative(Function):
    """y = -x;  dy/dx = -1"""

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Power(Function):
    """y = a ** b;  dy/da = b a^(b-1),  dy/db = y log(a)"""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = a**b
        return self.y

    def backward(self, gy):
        need_a, need_b = self.needs_input_grad
        ga = gy * self.b * self.a ** (self.b - 1) if need_a else None
        gb = None
        if need_b:
            xp = get_array_module(self.y)
            # a Python-number base would give a float64 NumPy scalar log: keep y's dtype
            gb = gy * self.y * xp.log(xp.asarray(self.a, dtype=self.y.dtype))
        return ga, gb


class Square(Function):
    """y = x^2;  dy/dx = 2x"""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, gy):
        return gy * (2 * self.x)


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1 / (2 y)"""

    def forward(self, x):
        self.y = get_array_module(x).sqrt(x)
        return self.y

    def backward(self, gy):
        return gy / (2 * self.y)


class Exp(Function):
    """y = exp(x);  dy/dx = y"""

    def forward(self, x):
        self.y = get_array_module(x).exp(x)
        return self.y

    def backward(self, gy):
        return gy * self.y


class Log(Function):
    """y = log(x);  dy/dx = 1 / x"""

    def forward(self, x):
        self.x = x
        return get_array_module(x).log(x)

    def backward(self, gy):
        return gy / self.x


class Abs(Function):
    """y = |x|;  dy/dx = sign(x)  (0 at 0)"""

    def forward(self, x):
        self.x = x
        return get_array_module(x).abs(x)

    def backward(self, gy):
        return gy * get_array_module(self.x).sign(self.x)


class Clip(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 where lo <= x <= hi, else 0"""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, x):
        self.x = x
        return get_array_module(x).clip(x, self.low, self.high)

    def backward(self, gy):
        inside = (self.x >= self.low) & (self.x <= self.high)
        return gy * inside


class Maximum(Function):
    """y = max(a, b);  the gradient goes to a where a >= b, else to b"""

    def forward(self, a, b):
        self.a_wins = a >= b
        return get_array_module(a).maximum(a, b)

    def backward(self, gy):
        need_a, need_b = self.needs_input_grad
        return (gy * self.a_wins if need_a else None), (gy * ~self.a_wins if need_b else None)


class Minimum(Function):
    """y = min(a, b);  the gradient goes to a where a <= b, else to b"""

    def forward(self, a, b):
        self.a_wins = a <= b
        return get_array_module(a).minimum(a, b)

    def backward(self, gy):
        need_a, need_b = self.needs_input_grad
        return (gy * self.a_wins if need_a else None), (gy * ~self.a_wins if need_b else None)


class Where(Function):
    """y = cond ? a : b;  dy/da = cond, dy/db = not cond  (cond is not differentiated)"""

    def forward(self, condition, a, b):
        self.condition = condition
        return get_array_module(condition).where(condition, a, b)

    def backward(self, gy):
        _, need_a, need_b = self.needs_input_grad
        ga = gy * self.condition if need_a else None
        gb = gy * ~self.condition if need_b else None
        return None, ga, gb


def add(x1, x2):
    """Element-wise ``x1 + x2`` with broadcasting."""
    return Add.apply(as_input(x1), as_input(x2))


def subtract(x1, x2):
    """Element-wise ``x1 - x2`` with broadcasting."""
    return Subtract.apply(as_input(x1), as_input(x2))


def multiply(x1, x2):
    """Element-wise ``x1 * x2`` with broadcasting."""
    return Multiply.apply(as_input(x1), as_input(x2))


def divide(x1, x2):
    """Element-wise ``x1 / x2`` with broadcasting."""
    return Divide.apply(as_input(x1), as_input(x2))


true_divide = divide


def negative(x):
    """Element-wise ``-x``."""
    return Negative.apply(as_input(x))


def power(x1, x2):
    """Element-wise ``x1 ** x2``."""
    return Power.apply(as_input(x1), as_input(x2))


def square(x):
    """Element-wise ``x ** 2``."""
    return Square.apply(as_input(x))


def sqrt(x):
    """Element-wise square root."""
    return Sqrt.apply(as_input(x))


def exp(x):
    """Element-wise ``e ** x``."""
    return Exp.apply(as_input(x))


def log(x):
    """Element-wise natural logarithm."""
    return Log.apply(as_input(x))


def abs(x):  # noqa: A001 - Keras' name
    """Element-wise absolute value."""
    return Abs.apply(as_input(x))


absolute = abs


def clip(x, x_min, x_max):
    """Limit values to ``[x_min, x_max]``."""
    # NumPy scalar bounds become Python numbers, so float32 inputs stay float32
    x_min = x_min.item() if isinstance(x_min, np.generic) else x_min
    x_max = x_max.item() if isinstance(x_max, np.generic) else x_max
    return Clip.apply(as_input(x), low=x_min, high=x_max)


def maximum(x1, x2):
    """Element-wise maximum of two tensors (or a tensor and a number)."""
    return Maximum.apply(as_input(x1), as_input(x2))


def minimum(x1, x2):
    """Element-wise minimum of two tensors (or a tensor and a number)."""
    return Minimum.apply(as_input(x1), as_input(x2))


def where(condition, x1, x2):
    """Pick ``x1`` where ``condition`` holds, else ``x2``."""
    condition = data_of(as_input(condition))  # a Python bool for a 0-d condition
    condition = condition.astype(bool) if hasattr(condition, "astype") else np.asarray(condition, dtype=bool)
    return Where.apply(condition, as_input(x1), as_input(x2))


class Log1p(Function):
    """y = log(1 + x);  dy/dx = 1 / (1 + x)"""

    def forward(self, x):
        self.x = x
        return get_array_module(x).log1p(x)

    def backward(self, gy):
        return gy / (1 + self.x)


class Expm1(Function):
    """y = exp(x) - 1;  dy/dx = y + 1"""

    def forward(self, x):
        self.y = get_array_module(x).expm1(x)
        return self.y

    def backward(self, gy):
        return gy * (self.y + 1)


class Sin(Function):
    """y = sin(x);  dy/dx = cos(x)"""

    def forward(self, x):
        self.x = x
        return get_array_module(x).sin(x)

    def backward(self, gy):
        return gy * get_array_module(gy).cos(self.x)


class Cos(Function):
    """y = cos(x);  dy/dx = -sin(x)"""

    def forward(self, x):
        self.x = x
        return get_array_module(x).cos(x)

    def backward(self, gy):
        return -gy * get_array_module(gy).sin(self.x)


class Arctan(Function):
    """y = arctan(x);  dy/dx = 1 / (1 + x^2)"""

    def forward(self, x):
        self.x = x
        return get_array_module(x).arctan(x)

    def backward(self, gy):
        return gy / (1 + self.x * self.x)


class Erf(Function):
    """y = erf(x);  dy/dx = 2 / sqrt(pi) exp(-x^2)"""

    def forward(self, x):
        self.x = x
        return erf_values(x).astype(x.dtype, copy=False)

    def backward(self, gy):
        return gy * (1.1283791670955126 * get_array_module(gy).exp(-self.x * self.x))


def _constant(values):
    """A result that no gradient flows through (rounding, signs, comparisons)."""
    return Tensor(values)


def _raw(x):
    return data_of(as_input(x))


def log1p(x):
    """Element-wise ``log(1 + x)``, accurate near 0."""
    return Log1p.apply(as_input(x))


def expm1(x):
    """Element-wise ``exp(x) - 1``, accurate near 0."""
    return Expm1.apply(as_input(x))


def log2(x):
    """Element-wise base-2 logarithm."""
    return multiply(log(x), 1.0 / np.log(2.0))


def log10(x):
    """Element-wise base-10 logarithm."""
    return multiply(log(x), 1.0 / np.log(10.0))


def exp2(x):
    """Element-wise ``2 ** x``."""
    return exp(multiply(x, float(np.log(2.0))))


def sin(x):
    """Element-wise sine."""
    return Sin.apply(as_input(x))


def cos(x):
    """Element-wise cosine."""
    return Cos.apply(as_input(x))


def tan(x):
    """Element-wise tangent, ``sin(x) / cos(x)``."""
    return divide(sin(x), cos(x))


def sinh(x):
    """Element-wise ``(e^x - e^-x) / 2``."""
    return multiply(subtract(exp(x), exp(negative(x))), 0.5)


def cosh(x):
    """Element-wise ``(e^x + e^-x) / 2``."""
    return multiply(add(exp(x), exp(negative(x))), 0.5)


def arctan(x):
    """Element-wise inverse tangent."""
    return Arctan.apply(as_input(x))


def erf(x):
    """Element-wise error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt``."""
    return Erf.apply(as_input(x))


def reciprocal(x):
    """Element-wise ``1 / x``."""
    return divide(1.0, x)


def rsqrt(x):
    """Element-wise ``1 / sqrt(x)``."""
    return divide(1.0, sqrt(x))


def sign(x):
    """-1, 0 or 1 by the sign of each entry (no gradient)."""
    return _constant(np.sign(_raw(x)))


def floor(x):
    """Round down (no gradient)."""
    return _constant(np.floor(_raw(x)))


def ceil(x):
    """Round up (no gradient)."""
    return _constant(np.ceil(_raw(x)))


def trunc(x):
    """Round towards zero (no gradient)."""
    return _constant(np.trunc(_raw(x)))


def round(x, decimals=0):  # noqa: A001 - Keras' name
    """Round half to even to ``decimals`` places (no gradient)."""
    return _constant(np.round(_raw(x), decimals))


def floor_divide(x1, x2):
    """Element-wise ``floor(x1 / x2)`` (no gradient)."""
    return _constant(np.floor_divide(_raw(x1), _raw(x2)))


def mod(x1, x2):
    """Element-wise remainder with the sign of ``x2`` (``x1 - floor(x1/x2) x2``)."""
    quotient = np.floor_divide(_raw(x1), _raw(x2))
    return subtract(x1, multiply(quotient, x2))


def divide_no_nan(x1, x2):
    """``x1 / x2``, with 0 where ``x2`` is 0."""
    zero = _raw(x2) == 0
    safe = where(zero, 1.0, x2)
    return where(zero, 0.0, divide(x1, safe))


def fabs(x):
    """Element-wise absolute value (as ``abs``)."""
    return abs(x)


def hypot(x1, x2):
    """Element-wise ``sqrt(x1^2 + x2^2)``."""
    return sqrt(add(square(x1), square(x2)))


def logaddexp(x1, x2):
    """Element-wise ``log(exp(x1) + exp(x2))``, as ``max + log1p(exp(-|x1 - x2|))``."""
    return add(maximum(x1, x2), log1p(exp(negative(abs(subtract(x1, x2))))))


def deg2rad(x):
    """Degrees to radians."""
    return multiply(x, float(np.pi / 180.0))


def rad2deg(x):
    """Radians to degrees."""
    return multiply(x, float(180.0 / np.pi))


def erfc(x):
    """Element-wise ``1 - erf(x)``."""
    return subtract(1.0, erf(x))


def heaviside(x1, x2):
    """0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0`` (no gradient)."""
    return _constant(np.heaviside(_raw(x1), _raw(x2)))


def signbit(x):
    """Where the sign bit is set (negative numbers and -0.0)."""
    return _constant(np.signbit(_raw(x)))


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """``x`` with NaN and infinities replaced by finite numbers (gradient 1 where ``x`` was finite)."""
    data = _raw(x)
    replaced = np.nan_to_num(data, nan=nan, posinf=posinf, neginf=neginf)
    return where(np.isfinite(data), x, replaced)


# --- inverse trigonometric and hyperbolic functions, and more of NumPy's element-wise functions ----------------


class Arcsin(Function):
    """y = arcsin(x);  dy/dx = 1 / sqrt(1 - x^2)"""

    def forward(self, x):
        self.x = x
        return get_array_module(x).arcsin(x)

    def backward(self, gy):
        return gy / get_array_module(gy).sqrt(1 - self.x * self.x)


class Arccos(Function):
    """y = arccos(x);  dy/dx = -1 / sqrt(1 - x^2)"""

    def forward(self, x):
        self.x = x
        return get_array_module(x).arccos(x)

    def backward(self, gy):
        return -gy / get_array_module(gy).sqrt(1 - self.x * self.x)


class Arcsinh(Function):
    """y = arcsinh(x);  dy/dx = 1 / sqrt(x^2 + 1)"""

    def forward(self, x):
        self.x = x
        return get_array_module(x).arcsinh(x)

    def backward(self, gy):
        return gy / get_array_module(gy).sqrt(self.x * self.x + 1)


class Arccosh(Function):
    """y = arccosh(x);  dy/dx = 1 / sqrt(x^2 - 1)"""

    def forward(self, x):
        self.x = x
        return get_array_module(x).arccosh(x)

    def backward(self, gy):
        return gy / get_array_module(gy).sqrt(self.x * self.x - 1)


class Arctanh(Function):
    """y = arctanh(x);  dy/dx = 1 / (1 - x^2)"""

    def forward(self, x):
        self.x = x
        return get_array_module(x).arctanh(x)

    def backward(self, gy):
        return gy / (1 - self.x * self.x)


class Arctan2(Function):
    """y = arctan2(a, b) (the angle of the point (b, a));  dy/da = b / (a^2 + b^2),  dy/db = -a / (a^2 + b^2)"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return get_array_module(a, b).arctan2(a, b)

    def backward(self, gy):
        scale = gy / (self.a * self.a + self.b * self.b)
        need_a, need_b = self.needs_input_grad
        return (scale * self.b if need_a else None), (-scale * self.a if need_b else None)


class Cbrt(Function):
    """y = x^(1/3) (real, negative for negative x);  dy/dx = 1 / (3 y^2)"""

    def forward(self, x):
        self.y = get_array_module(x).cbrt(x)
        return self.y

    def backward(self, gy):
        return gy / (3 * self.y * self.y)


class Sinc(Function):
    """y = sin(pi x) / (pi x), 1 at 0;  dy/dx = (cos(pi x) - y) / x, 0 at 0"""

    def forward(self, x):
        self.x = x
        self.y = get_array_module(x).sinc(x)
        return self.y

    def backward(self, gy):
        xp = get_array_module(gy)
        zero = self.x == 0
        safe = xp.where(zero, 1, self.x)
        return gy * xp.where(zero, 0, (xp.cos(np.pi * self.x) - self.y) / safe)


class FMax(Function):
    """y = max(a, b), NaN only where both are;  the gradient goes to a where a >= b or b is NaN, else to b"""

    def forward(self, a, b):
        xp = get_array_module(a, b)
        self.a_wins = (a >= b) | xp.isnan(b)
        return xp.fmax(a, b)

    def backward(self, gy):
        need_a, need_b = self.needs_input_grad
        return (gy * self.a_wins if need_a else None), (gy * ~self.a_wins if need_b else None)


class FMin(Function):
    """y = min(a, b), NaN only where both are;  the gradient goes to a where a <= b or b is NaN, else to b"""

    def forward(self, a, b):
        xp = get_array_module(a, b)
        self.a_wins = (a <= b) | xp.isnan(b)
        return xp.fmin(a, b)

    def backward(self, gy):
        need_a, need_b = self.needs_input_grad
        return (gy * self.a_wins if need_a else None), (gy * ~self.a_wins if need_b else None)


class FMod(Function):
    """y = a - trunc(a / b) b (the remainder with a's sign);  dy/da = 1,  dy/db = -trunc(a / b)"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return get_array_module(a, b).fmod(a, b)

    def backward(self, gy):
        need_a, need_b = self.needs_input_grad
        gb = -gy * get_array_module(gy).trunc(self.a / self.b) if need_b else None
        return (gy if need_a else None), gb


class Ldexp(Function):
    """y = x 2^e (e an integer);  dy/dx = 2^e  (e is not differentiated)"""

    def __init__(self, exponent):
        self.exponent = exponent

    def forward(self, x):
        xp = get_array_module(x)
        self.scale = xp.ldexp(xp.ones((), dtype=x.dtype), self.exponent).astype(x.dtype, copy=False)
        return (x * self.scale).astype(x.dtype, copy=False)

    def backward(self, gy):
        return gy * self.scale


class LogAddExp2(Function):
    """y = log2(2^a + 2^b);  dy/da = 2^a / (2^a + 2^b) = sigmoid((a - b) ln 2),  dy/db = 1 - dy/da"""

    def forward(self, a, b):
        xp = get_array_module(a, b)
        y = xp.logaddexp2(a, b)
        self.share_a = xp.exp2(a - y)
        return y

    def backward(self, gy):
        need_a, need_b = self.needs_input_grad
        return (gy * self.share_a if need_a else None), (gy * (1 - self.share_a) if need_b else None)


def _floating_unary(function_class, x, int64="float32"):
    return function_class.apply(floating(x, int64))


def arcsin(x):
    """Element-wise inverse sine (float32 for integer inputs)."""
    return _floating_unary(Arcsin, x)


def arccos(x):
    """Element-wise inverse cosine (float32 for integer inputs)."""
    return _floating_unary(Arccos, x)


def arcsinh(x):
    """Element-wise inverse hyperbolic sine (float32 for integer inputs)."""
    return _floating_unary(Arcsinh, x)


def arccosh(x):
    """Element-wise inverse hyperbolic cosine (float32 for integer inputs)."""
    return _floating_unary(Arccosh, x)


def arctanh(x):
    """Element-wise inverse hyperbolic tangent (float32 for integer inputs)."""
    return _floating_unary(Arctanh, x)


def cbrt(x):
    """Element-wise real cube root (float32 for integer inputs, float64 for int64)."""
    return _floating_unary(Cbrt, x, int64="float64")


def sinc(x):
    """Element-wise normalized sinc ``sin(pi x) / (pi x)`` (1 at 0)."""
    return _floating_unary(Sinc, x)


def arctan2(x1, x2):
    """Element-wise angle of the point ``(x2, x1)``, in ``[-pi, pi]`` (the quadrant-aware ``arctan(x1 / x2)``)."""
    return Arctan2.apply(*floating_pair(x1, x2))


def logaddexp2(x1, x2):
    """Element-wise ``log2(2^x1 + 2^x2)``, computed without overflow."""
    return LogAddExp2.apply(*floating_pair(x1, x2))


def nextafter(x1, x2):
    """The next representable float after ``x1`` towards ``x2`` (no gradient)."""
    a, b = floating_pair(x1, x2)
    return _constant(get_array_module(data_of(a), data_of(b)).nextafter(data_of(a), data_of(b)))


def fmax(x1, x2):
    """Element-wise maximum that ignores NaN (NaN only where both are)."""
    return FMax.apply(*promoted(x1, x2))


def fmin(x1, x2):
    """Element-wise minimum that ignores NaN (NaN only where both are)."""
    return FMin.apply(*promoted(x1, x2))


def fmod(x1, x2):
    """Element-wise remainder with the sign of ``x1`` (C's ``fmod``; ``mod`` takes ``x2``'s sign)."""
    a, b = promoted(x1, x2)
    if data_of(a).dtype == bool and data_of(b).dtype == bool:
        a, b = astype(a, "int32"), astype(b, "int32")
    if data_of(a).dtype.kind != "f":
        return _constant(np.fmod(data_of(a), data_of(b)))
    return FMod.apply(a, b)


def ldexp(x1, x2):
    """Element-wise ``x1 * 2 ** x2`` for an integer exponent ``x2`` (differentiable in ``x1``)."""
    exponent = typed(x2)
    if dtype_of(exponent).kind not in "iu":
        raise TypeError(f"ldexp: the exponent x2 must be an integer, got dtype {dtype_of(exponent)}")
    return Ldexp.apply(floating(x1), exponent=data_of(exponent))


def _integers(name, x1, x2):
    a, b = (data_of(v) for v in promoted(x1, x2))
    for value in (a, b):
        if dtype_of(value).kind not in "iub":
            raise TypeError(f"{name} expects integer inputs, got dtype {dtype_of(value)}")
    return a, b


def gcd(x1, x2):
    """Element-wise greatest common divisor of integers (non-negative)."""
    a, b = _integers("gcd", x1, x2)
    return _constant(np.gcd(a, b))


def lcm(x1, x2):
    """Element-wise least common multiple of integers (non-negative)."""
    a, b = _integers("lcm", x1, x2)
    return _constant(np.lcm(a, b))


def select(condlist, choicelist, default=0):
    """Where ``condlist[i]`` first holds, ``choicelist[i]``; ``default`` where none does (``np.select``).

    Composed from ``where`` (last condition first), so the gradient reaches every choice where it was picked.
    """
    condlist, choicelist = list(condlist), list(choicelist)
    if not condlist or len(condlist) != len(choicelist):
        raise ValueError(f"select: condlist and choicelist must be non-empty and of the same length, got "
                         f"{len(condlist)} conditions and {len(choicelist)} choices")
    result = as_input(default)
    for condition, choice in zip(reversed(condlist), reversed(choicelist)):
        condition = data_of(as_input(condition))
        if getattr(condition, "dtype", None) != bool:
            raise TypeError(f"select: each condition must be a bool tensor, got dtype {getattr(condition, 'dtype', None)}")
        result = where(condition, choice, result)
    return result


# --- the complex parts of real tensors (glassnet's tensors are real-valued) ---------------------------------


def _real_tensor(name, x):
    x = check_real(name, x)
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=dtype_of(x)))


def real(x):
    """The real part: ``x`` itself for a real tensor."""
    return _real_tensor("real", x)


def conj(x):
    """The complex conjugate: ``x`` itself for a real tensor."""
    return _real_tensor("conj", x)


conjugate = conj


def imag(x):
    """The imaginary part: zeros of ``x``'s shape and dtype for a real tensor."""
    data = data_of(_real_tensor("imag", x))
    return _constant(get_array_module(data).zeros_like(data))


def angle(x):
    """The complex argument: 0 for non-negative real entries, pi for negative ones (float32 for integers)."""
    data = data_of(floating(check_real("angle", x)))
    return _constant(get_array_module(data).angle(data).astype(data.dtype, copy=False))


def isreal(x):
    """Whether each entry has a zero imaginary part: all True for a real tensor (bool)."""
    data = data_of(check_real("isreal", x))
    return _constant(get_array_module(data).isreal(data))
