"""Matrix products.

For y = a @ b:  da = dy @ b^T,  db = a^T @ dy (the last two axes are the
matrix axes; leading axes broadcast and are summed back by the engine).
"""

from glassnet.autodiff.function import Function
from glassnet.backend import get_array_module
from glassnet.ops._convert import as_input


class MatMul(Function):
    """y = a @ b;  da = dy @ b^T,  db = a^T @ dy"""

    def forward(self, a, b):
        if a.ndim < 2 or b.ndim < 2:
            raise ValueError(
                f"matmul expects inputs with at least 2 dimensions here, got shapes {a.shape} and {b.shape}; "
                "reshape vectors to (1, n) or (n, 1)"
            )
        self.a, self.b = a, b
        return a @ b

    def backward(self, gy):
        need_a, need_b = self.needs_input_grad
        xp = get_array_module(gy)
        ga = gy @ xp.swapaxes(self.b, -1, -2) if need_a else None
        gb = xp.swapaxes(self.a, -1, -2) @ gy if need_b else None
        return ga, gb


def matmul(x1, x2):
    """Matrix product of the last two axes, broadcasting leading axes."""
    return MatMul.apply(as_input(x1), as_input(x2))


def dot(x1, x2):
    """Alias of ``matmul`` for 2-D inputs."""
    return matmul(x1, x2)
