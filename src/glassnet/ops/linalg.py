"""Matrix products.

For y = a @ b:  da = dy @ b^T,  db = a^T @ dy (the last two axes are the
matrix axes; leading axes broadcast and are summed back by the engine).
"""

import numpy as np

from glassnet.autodiff.function import Function, backward
from glassnet.autodiff.grad_mode import enable_grad
from glassnet.autodiff.tensor import Tensor
from glassnet.backend import get_array_module
from glassnet.ops import math, reduce
from glassnet.ops._convert import as_input, data_of
from glassnet.ops.shaping import expand_dims, reshape, squeeze, transpose


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


class Inv(Function):
    """y = a^-1;  da = -y^T dy y^T"""

    def forward(self, a):
        self.y = get_array_module(a).linalg.inv(a)
        return self.y

    def backward(self, gy):
        yt = get_array_module(gy).swapaxes(self.y, -1, -2)
        return -(yt @ gy @ yt)


class Det(Function):
    """y = det(a);  da = dy y a^-T"""

    def forward(self, a):
        xp = get_array_module(a)
        self.a = a
        self.y = xp.linalg.det(a)
        return self.y

    def backward(self, gy):
        xp = get_array_module(gy)
        scale = (gy * self.y)[..., None, None]
        return scale * xp.swapaxes(xp.linalg.inv(self.a), -1, -2)


def _ndim(x):
    return len(np.shape(data_of(x)))


def matmul(x1, x2):
    """Matrix product of the last two axes, broadcasting leading axes (``np.matmul``: 1-D inputs are
    treated as a row or a column vector and that axis is removed again)."""
    x1, x2 = as_input(x1), as_input(x2)
    vector1, vector2 = _ndim(x1) == 1, _ndim(x2) == 1
    y = MatMul.apply(expand_dims(x1, 0) if vector1 else x1, expand_dims(x2, -1) if vector2 else x2)
    if vector2:
        y = squeeze(y, -1)
    if vector1:
        y = squeeze(y, -2 if not vector2 else -1)
    return y


def tensordot(x1, x2, axes=2):
    """Sum of products over ``axes`` (an int: the last n of x1 with the first n of x2; or two lists).

    Written as one matrix product: move the summed axes together, flatten, ``matmul``.
    """
    x1, x2 = as_input(x1), as_input(x2)
    n1, n2 = _ndim(x1), _ndim(x2)
    if isinstance(axes, int):
        axes1, axes2 = list(range(n1 - axes, n1)), list(range(axes))
    else:
        axes1, axes2 = ([a] if isinstance(a, int) else list(a) for a in axes)
    axes1, axes2 = [a % n1 for a in axes1], [a % n2 for a in axes2]
    free1 = [a for a in range(n1) if a not in axes1]
    free2 = [a for a in range(n2) if a not in axes2]
    shape1, shape2 = np.shape(data_of(x1)), np.shape(data_of(x2))
    size = int(np.prod([shape1[a] for a in axes1], dtype=np.int64))
    left = reshape(transpose(x1, free1 + axes1), (-1, size))
    right = reshape(transpose(x2, axes2 + free2), (size, -1))
    return reshape(MatMul.apply(left, right), [shape1[a] for a in free1] + [shape2[a] for a in free2])


def dot(x1, x2):
    """``np.dot``: a product with a scalar, the inner product of vectors, or a sum over the last axis
    of ``x1`` and the second-to-last of ``x2``."""
    x1, x2 = as_input(x1), as_input(x2)
    n1, n2 = _ndim(x1), _ndim(x2)
    if n1 == 0 or n2 == 0:
        return math.multiply(x1, x2)
    if n2 == 1 or n1 == 1:
        return tensordot(x1, x2, axes=([n1 - 1], [0]))
    return tensordot(x1, x2, axes=([n1 - 1], [n2 - 2]))


def inner(x1, x2):
    """Sum of products over the last axes of both inputs."""
    x1, x2 = as_input(x1), as_input(x2)
    n1, n2 = _ndim(x1), _ndim(x2)
    if n1 == 0 or n2 == 0:
        return math.multiply(x1, x2)
    return tensordot(x1, x2, axes=([n1 - 1], [n2 - 1]))


def outer(x1, x2):
    """``x1[i] * x2[j]`` of the flattened inputs."""
    return math.multiply(reshape(x1, (-1, 1)), reshape(x2, (1, -1)))


def vdot(x1, x2):
    """Dot product of the flattened inputs."""
    return reduce.sum(math.multiply(reshape(x1, (-1,)), reshape(x2, (-1,))))


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - Keras' argument name
    """Vector or matrix norm (``np.linalg.norm``'s orders).

    Vectors: ord None/2 -> sqrt(sum x^2), 1 -> sum |x|, inf -> max |x|, -inf -> min |x|,
    0 -> count of non-zeros, p -> (sum |x|^p)^(1/p). Matrices (two axes): None/"fro" ->
    sqrt(sum x^2), "nuc" -> sum of singular values, 1/-1 -> max/min column sum of |x|,
    inf/-inf -> max/min row sum, 2/-2 -> largest/smallest singular value.
    """
    x = as_input(x)
    n = _ndim(x)
    if axis is None:
        axis = tuple(range(n)) if ord is None or n == 1 else (n - 2, n - 1)
        if ord is None:
            return _keep(math.sqrt(reduce.sum(math.square(x), axis=axis)), axis, n, keepdims)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(a % n for a in axes)
    if len(axes) == 1:
        value = _vector_norm(x, ord, axes[0])
    elif len(axes) == 2:
        value = _matrix_norm(x, ord, axes)
    else:
        raise ValueError(f"norm: axis must name one or two axes, got {axis!r}")
    return _keep(value, axes, n, keepdims)


def _keep(value, axes, n, keepdims):
    if not keepdims:
        return value
    return reshape(value, [1 if i in axes else s for i, s in enumerate(_full_shape(value, axes, n))])


def _full_shape(value, axes, n):
    shape = list(np.shape(data_of(value)))
    return [1 if i in axes else shape.pop(0) for i in range(n)]


def _vector_norm(x, ord, axis):
    magnitude = math.abs(x)
    if ord is None or ord == 2:
        return math.sqrt(reduce.sum(math.square(x), axis=axis))
    if ord == np.inf:
        return reduce.max(magnitude, axis=axis)
    if ord == -np.inf:
        return reduce.min(magnitude, axis=axis)
    if ord == 0:
        return Tensor((data_of(x) != 0).sum(axis=axis).astype(data_of(x).dtype))
    if ord == 1:
        return reduce.sum(magnitude, axis=axis)
    if isinstance(ord, str):
        raise ValueError(f"norm: ord {ord!r} is for matrices; a vector norm takes a number or None")  # noqa: TRY004 - a wrong value, not a wrong type
    return math.power(reduce.sum(math.power(magnitude, float(ord)), axis=axis), 1.0 / ord)


def _matrix_norm(x, ord, axes):
    row, col = axes
    magnitude = math.abs(x)
    if ord is None or ord == "fro":
        return math.sqrt(reduce.sum(math.square(x), axis=axes))
    if ord in (1, -1):
        sums = reduce.sum(magnitude, axis=row)
        pick = reduce.max if ord == 1 else reduce.min
        return pick(sums, axis=col - 1 if col > row else col)
    if ord in (np.inf, -np.inf):
        sums = reduce.sum(magnitude, axis=col)
        pick = reduce.max if ord == np.inf else reduce.min
        return pick(sums, axis=row - 1 if row > col else row)
    if ord in ("nuc", 2, -2):
        data = np.moveaxis(data_of(x), axes, (-2, -1))
        values = np.linalg.svd(data, compute_uv=False)
        pick = {"nuc": values.sum(-1), 2: values.max(-1), -2: values.min(-1)}[ord]
        return Tensor(pick.astype(data.dtype))
    raise ValueError(f"norm: ord must be None, 'fro', 'nuc', 1, -1, 2, -2, inf or -inf for a matrix, got {ord!r}")


def inv(x):
    """The inverse of each square matrix in the last two axes."""
    return Inv.apply(as_input(x))


def det(x):
    """The determinant of each square matrix in the last two axes."""
    return Det.apply(as_input(x))


def solve(a, b):
    """``x`` with ``a @ x = b`` (composed as ``inv(a) @ b``, so differentiable in both)."""
    return matmul(inv(a), b)


def _constant(fn, *arrays):
    result = fn(*[data_of(as_input(a)) for a in arrays])
    if isinstance(result, tuple):
        return tuple(Tensor(np.asarray(r)) for r in result)
    return Tensor(np.asarray(result))


def cholesky(x, upper=False):
    """The Cholesky factor (lower, or upper when asked) of each positive-definite matrix (no gradient)."""
    lower = _constant(np.linalg.cholesky, x)
    return Tensor(np.swapaxes(lower.data, -1, -2)) if upper else lower


def qr(x, mode="reduced"):
    """The QR factors of each matrix (no gradient)."""
    return _constant(lambda a: tuple(np.linalg.qr(a, mode=mode)), x)


def svd(x, full_matrices=True, compute_uv=True):
    """The singular value decomposition (u, s, vh), or s alone (no gradient)."""
    return _constant(lambda a: np.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)
                     if not compute_uv else tuple(np.linalg.svd(a, full_matrices=full_matrices)), x)


def eigh(x):
    """Eigenvalues and eigenvectors of each symmetric matrix (no gradient)."""
    return _constant(lambda a: tuple(np.linalg.eigh(a)), x)


def eig(x):
    """Eigenvalues and eigenvectors of each square matrix (no gradient)."""
    return _constant(lambda a: tuple(np.linalg.eig(a)), x)


def pinv(x, rcond=1e-15):
    """The Moore-Penrose pseudo-inverse (no gradient)."""
    return _constant(lambda a: np.linalg.pinv(a, rcond=rcond), x)


def lstsq(a, b, rcond=None):
    """The least-squares solution of ``a @ x = b`` (no gradient)."""
    return _constant(lambda m, v: np.linalg.lstsq(m, v, rcond=rcond)[0], a, b)


def matrix_rank(x, tol=None):
    """The rank of each matrix (no gradient)."""
    return _constant(lambda a: np.linalg.matrix_rank(a, tol=tol), x)


def slogdet(x):
    """The sign and log of the absolute determinant (no gradient)."""
    return _constant(lambda a: tuple(np.linalg.slogdet(a)), x)


class SolveTriangular(Function):
    """x = a^-1 b for triangular a (only its lower or upper triangle is read);
    db = a^-T dx,  da = -tri(db x^T)"""

    def __init__(self, lower):
        self.lower = lower

    def _triangle(self, a):
        xp = get_array_module(a)
        return xp.tril(a) if self.lower else xp.triu(a)

    def forward(self, a, b):
        xp = get_array_module(a)
        self.a = self._triangle(a)
        self.x = xp.linalg.solve(self.a, b)
        return self.x

    def backward(self, gx):
        xp = get_array_module(gx)
        gb = xp.linalg.solve(xp.swapaxes(self.a, -1, -2), gx)
        need_a, need_b = self.needs_input_grad
        ga = self._triangle(-(gb @ xp.swapaxes(self.x, -1, -2))) if need_a else None
        return ga, (gb if need_b else None)


class Logdet(Function):
    """y = log det(a) (nan where det < 0);  da = dy a^-T"""

    def forward(self, a):
        xp = get_array_module(a)
        self.a = a
        sign, logabs = xp.linalg.slogdet(a)
        return xp.where(sign < 0, xp.nan, logabs).astype(a.dtype)

    def backward(self, gy):
        xp = get_array_module(gy)
        return gy[..., None, None] * xp.swapaxes(xp.linalg.inv(self.a), -1, -2)


def _square(x, name):
    shape = np.shape(data_of(x))
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"{name} expects square matrices in the last two axes, got shape {shape}")


def solve_triangular(a, b, lower=False):
    """``x`` with ``a @ x = b`` for triangular ``a`` (upper unless ``lower``); ``b`` may be one vector
    per matrix."""
    a, b = as_input(a), as_input(b)
    _square(a, "solve_triangular")
    vector = _ndim(b) == _ndim(a) - 1
    x = SolveTriangular.apply(a, expand_dims(b, -1) if vector else b, lower=bool(lower))
    return squeeze(x, -1) if vector else x


def cholesky_inverse(x, upper=False):
    """The inverse of ``a = x x^T`` (``x^T x`` when ``upper``) from its Cholesky factor ``x``."""
    x = as_input(x)
    _square(x, "cholesky_inverse")
    factor_t = transpose(x, (*range(_ndim(x) - 2), _ndim(x) - 1, _ndim(x) - 2))
    return inv(matmul(factor_t, x) if upper else matmul(x, factor_t))


def logdet(x):
    """The log of the determinant of each square matrix (nan where it is negative)."""
    x = as_input(x)
    _square(x, "logdet")
    return Logdet.apply(x)


def _lu_one(a):
    """LU with partial pivoting of one matrix: (packed L\\U, 0-based row swaps), as LAPACK's getrf."""
    lu = a.copy()
    rows, cols = lu.shape
    pivots = np.zeros(min(rows, cols), dtype=np.int32)
    for k in range(min(rows, cols)):
        p = k + int(np.argmax(np.abs(lu[k:, k])))
        pivots[k] = p
        lu[[k, p]] = lu[[p, k]]
        if lu[k, k] != 0:
            lu[k + 1:, k] /= lu[k, k]
            lu[k + 1:, k + 1:] -= np.outer(lu[k + 1:, k], lu[k, k + 1:])
    return lu, pivots


def lu_factor(x):
    """The LU factorisation with partial pivoting: ``(lu, pivots)``, L (unit diagonal, below) and U
    packed in one matrix, pivots the 0-based row swapped with each row in turn (no gradient)."""
    data = np.asarray(data_of(as_input(x)))
    if data.ndim < 2:
        raise ValueError(f"lu_factor expects matrices (rank >= 2), got shape {data.shape}")
    if data.dtype.kind != "f":
        data = data.astype(np.float32)
    batch = data.reshape(-1, *data.shape[-2:])
    parts = [_lu_one(m) for m in batch]
    lu = np.stack([p[0] for p in parts]).reshape(data.shape)
    pivots = np.stack([p[1] for p in parts]).reshape(data.shape[:-2] + (min(data.shape[-2:]),))
    return Tensor(lu), Tensor(pivots)


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode product ``J t`` of ``fun`` at ``primals``: returns ``(outputs, J t)``, and ``aux``
    when ``has_aux`` (``fun`` then returns ``(outputs, aux)``).

    Computed by reverse mode, one backward pass per output element (fine for small functions).
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: got {len(primals)} primals and {len(tangents)} tangents; pass one tangent each")
    leaves = [Tensor(np.asarray(data_of(as_input(p))), requires_grad=True) for p in primals]
    with enable_grad():
        result = fun(*leaves)
    outputs, aux = result if has_aux else (result, None)
    single = not isinstance(outputs, (list, tuple))
    products = [_jvp_of(out, leaves, tangents) for out in ([outputs] if single else outputs)]
    plain = [Tensor(np.asarray(data_of(o))) for o in ([outputs] if single else outputs)]
    outputs, products = (plain[0], products[0]) if single else (type(outputs)(plain), type(outputs)(products))
    return (outputs, products, aux) if has_aux else (outputs, products)


def _jvp_of(out, leaves, tangents):
    """sum_i dout/dprimal_i . tangent_i for one output, row by row of its Jacobian."""
    data = np.asarray(data_of(out))
    product = np.zeros(data.shape, dtype=data.dtype if data.dtype.kind == "f" else np.float32)
    if not isinstance(out, Tensor) or not out.requires_grad:
        return Tensor(product)
    for index in np.ndindex(data.shape):
        for leaf in leaves:
            leaf.grad = None
        seed = np.zeros_like(data)
        seed[index] = 1
        backward(out, seed, retain_graph=True)
        product[index] = sum(float(np.sum(leaf.grad * np.asarray(data_of(t)))) for leaf, t in zip(leaves, tangents)
                             if leaf.grad is not None)
    return Tensor(product)
