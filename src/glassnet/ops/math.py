"""Element-wise arithmetic with broadcasting.

Each class is one op: the forward formula and its derivative side by side.
Gradients may come back in the broadcast shape; the engine sums them back
to each input's shape.
"""

import numpy as np

from glassnet.autodiff.function import Function
from glassnet.backend import get_array_module
from glassnet.ops._convert import as_input


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
    from glassnet.ops._convert import data_of

    return Where.apply(data_of(as_input(condition)).astype(bool), as_input(x1), as_input(x2))
