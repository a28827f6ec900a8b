"""Products built from element-wise ones: ``kron``, ``cross``, ``correlate``, ``vander``, and the
pairwise distances ``cdist``.

All but ``cdist`` are composed from reshapes, gathers and multiplications, so
their gradients come from those ops; ``cdist`` has its own backward (the
gradient of a distance is the unit vector between the points, 0 at distance 0).
"""

import numpy as np

from glassnet.autodiff.function import Function
from glassnet.autodiff.tensor import Tensor
from glassnet.backend import get_array_module
from glassnet.ops import math
from glassnet.ops._convert import data_of
from glassnet.ops._promote import dtype_of, floating, promoted, typed
from glassnet.ops.linalg import matmul
from glassnet.ops.shaping import get_item, moveaxis, pad, reshape, stack


def _shape(x):
    return tuple(data_of(x).shape)


def kron(x1, x2):
    """The Kronecker product: every entry of ``x1`` times the whole of ``x2``, in blocks.

    out[i0 * n0 + j0, i1 * n1 + j1, ...] = x1[i0, i1, ...] x2[j0, j1, ...]  (``np.kron``)
    """
    a, b = promoted(x1, x2)
    ndim = max(len(_shape(a)), len(_shape(b)))
    shape_a = (1,) * (ndim - len(_shape(a))) + _shape(a)
    shape_b = (1,) * (ndim - len(_shape(b))) + _shape(b)
    spread_a = reshape(a, [n for size in shape_a for n in (size, 1)])
    spread_b = reshape(b, [n for size in shape_b for n in (1, size)])
    return reshape(math.multiply(spread_a, spread_b), [m * n for m, n in zip(shape_a, shape_b)])


def _components(x, axis, name):
    """The 2 or 3 components of the vectors of ``x`` along ``axis`` (a missing z is 0)."""
    x = moveaxis(x, axis, -1)
    size = _shape(x)[-1]
    if size not in (2, 3):
        raise ValueError(f"cross: the vectors of {name} must have 2 or 3 components, got {size} "
                         f"(shape {_shape(x)} along the vector axis)")
    parts = [get_item(x, (Ellipsis, i)) for i in range(size)]
    return parts + [0.0] * (3 - size), size


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of the 3-vectors (or 2-vectors, z = 0) of ``x1`` and ``x2`` along their vector axes,
    broadcast over the others: (a_y b_z - a_z b_y, a_z b_x - a_x b_z, a_x b_y - a_y b_x).

    ``axis`` sets all three axes. Two 2-vectors give only the z component, as in NumPy.
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = promoted(x1, x2)
    (ax, ay, az), size_a = _components(a, axisa, "x1")
    (bx, by, bz), size_b = _components(b, axisb, "x2")
    z = math.subtract(math.multiply(ax, by), math.multiply(ay, bx))
    if size_a == size_b == 2:
        return z
    x = math.subtract(math.multiply(ay, bz), math.multiply(az, by))
    y = math.subtract(math.multiply(az, bx), math.multiply(ax, bz))
    result = stack([x, y, z], axis=-1)
    return moveaxis(result, -1, axisc)


def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D tensors: c[k] = sum_n x1[n + k] x2[n] (``np.correlate``).

    "full" gives every overlap (len1 + len2 - 1 lags), "valid" only those where the shorter input lies
    inside the longer, "same" the len(longer) lags in the middle. Float32 for integer inputs.
    """
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full', got {mode!r}")
    a, v = (floating(x, int64="float64") for x in promoted(x1, x2))
    if len(_shape(a)) != 1 or len(_shape(v)) != 1 or not _shape(a)[0] or not _shape(v)[0]:
        raise ValueError(f"correlate expects two non-empty 1-D tensors, got shapes {_shape(a)} and {_shape(v)}")
    n, m = _shape(a)[0], _shape(v)[0]
    padded = pad(a, [(m - 1, m - 1)])
    lags = np.arange(n + m - 1)
    windows = get_item(padded, lags[:, None] + np.arange(m)[None, :])  # row j: x1 around lag j - (m - 1)
    full = matmul(windows, v)
    if mode == "full":
        return full
    if mode == "valid":
        start, length = min(n, m) - 1, abs(n - m) + 1
    else:  # NumPy centres the window on x1 when it is the longer input, else on the reversed x2
        start, length = ((m - 1) // 2 if n >= m else n // 2), max(n, m)
    return get_item(full, slice(start, start + length))


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of the 1-D ``x``: columns x^(N-1), ..., x, 1 (reversed when ``increasing``).

    Built by repeated multiplication, so the gradient is exact (also at 0); integer inputs stay integer.
    """
    x = typed(x)
    shape = _shape(x)
    if len(shape) != 1:
        raise ValueError(f"vander expects a 1-D input, got shape {shape}")
    columns = shape[0] if N is None else int(N)
    if columns < 0:
        raise ValueError(f"vander: N must be non-negative, got {N}")
    powers = []
    if columns:
        powers.append(math.add(math.multiply(x, 0), 1))
    for _ in range(1, columns):
        powers.append(math.multiply(powers[-1], x))
    if not powers:
        return Tensor(np.zeros((shape[0], 0), dtype=dtype_of(x)))
    if not increasing:
        powers.reverse()
    return stack(powers, axis=1)


class Cdist(Function):
    """d_ij = ||x_i - y_j||;  dd_ij/dx_i = (x_i - y_j) / d_ij = -dd_ij/dy_j  (0 where d_ij = 0)"""

    def forward(self, x, y):
        xp = get_array_module(x, y)
        self.x, self.y = x, y
        difference = x[..., :, None, :] - y[..., None, :, :]
        self.d = xp.sqrt(xp.sum(difference * difference, axis=-1))
        return self.d

    def backward(self, gd):
        xp = get_array_module(gd)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = xp.where(self.d > 0, gd / self.d, 0).astype(gd.dtype, copy=False)
        need_x, need_y = self.needs_input_grad
        gx = xp.sum(w, axis=-1)[..., None] * self.x - w @ self.y if need_x else None
        gy = xp.sum(w, axis=-2)[..., None] * self.y - xp.swapaxes(w, -1, -2) @ self.x if need_y else None
        return gx, gy


def cdist(x, y):
    """Euclidean distances between the rows of ``x`` (..., m, d) and of ``y`` (..., n, d): (..., m, n)."""
    x, y = (floating(v) for v in promoted(x, y))
    shape_x, shape_y = _shape(x), _shape(y)
    if len(shape_x) < 2 or len(shape_y) < 2:
        raise ValueError(f"cdist expects inputs of rank >= 2 (..., points, features), got shapes {shape_x} "
                         f"and {shape_y}")
    if shape_x[-1] != shape_y[-1]:
        raise ValueError(f"cdist: the last (feature) dimensions must match, got shapes {shape_x} and {shape_y}")
    return Cdist.apply(x, y)
