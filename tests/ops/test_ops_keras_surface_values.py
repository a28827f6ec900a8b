"""keras.ops functions added for the official guides, against NumPy: values, dtypes and shapes.

Each case computes the same thing with glassnet.ops and with NumPy on the same inputs; Keras' dtype
rules are checked separately (Python numbers become float32/int32, float32 stays float32).
"""

import numpy as np
import pytest

from glassnet import ops
from glassnet.autodiff import Tensor

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4)).astype("float32")
P = RNG.uniform(0.5, 2.0, (3, 4)).astype("float32")
V = RNG.standard_normal(5).astype("float32")

CASES = [
    ("sign", lambda o: o.sign(X), lambda: np.sign(X)),
    ("floor", lambda o: o.floor(X), lambda: np.floor(X)),
    ("ceil", lambda o: o.ceil(X), lambda: np.ceil(X)),
    ("round", lambda o: o.round(X * 10), lambda: np.round(X * 10)),
    ("log1p", lambda o: o.log1p(P), lambda: np.log1p(P)),
    ("expm1", lambda o: o.expm1(X), lambda: np.expm1(X)),
    ("sin", lambda o: o.sin(X), lambda: np.sin(X)),
    ("cos", lambda o: o.cos(X), lambda: np.cos(X)),
    ("tan", lambda o: o.tan(X), lambda: np.tan(X)),
    ("log2", lambda o: o.log2(P), lambda: np.log2(P)),
    ("mod", lambda o: o.mod(X, 0.7), lambda: np.mod(X, np.float32(0.7))),
    ("erf", lambda o: o.erf(X), lambda: np.vectorize(__import__("math").erf)(X.astype("float64"))),
    ("prod", lambda o: o.prod(P, axis=1), lambda: np.prod(P, axis=1)),
    ("prod_keepdims", lambda o: o.prod(P, axis=0, keepdims=True), lambda: np.prod(P, axis=0, keepdims=True)),
    ("cumsum", lambda o: o.cumsum(X, axis=1), lambda: np.cumsum(X, axis=1)),
    ("cumsum_flat", lambda o: o.cumsum(X), lambda: np.cumsum(X)),
    ("cumprod", lambda o: o.cumprod(P, axis=0), lambda: np.cumprod(P, axis=0)),
    ("any", lambda o: o.any(X > 1, axis=0), lambda: np.any(X > 1, axis=0)),
    ("all", lambda o: o.all(X > -3, axis=1, keepdims=True), lambda: np.all(X > -3, axis=1, keepdims=True)),
    ("equal", lambda o: o.equal(X, X[0]), lambda: X == X[0]),
    ("not_equal", lambda o: o.not_equal(X, 0), lambda: X != 0),
    ("greater", lambda o: o.greater(X, P), lambda: X > P),
    ("greater_equal", lambda o: o.greater_equal(X, 0.1), lambda: X >= 0.1),
    ("less", lambda o: o.less(X, P), lambda: X < P),
    ("less_equal", lambda o: o.less_equal(X, 0), lambda: X <= 0),
    ("logical_and", lambda o: o.logical_and(X > 0, P > 1), lambda: (X > 0) & (P > 1)),
    ("logical_or", lambda o: o.logical_or(X > 0, P > 1), lambda: (X > 0) | (P > 1)),
    ("logical_not", lambda o: o.logical_not(X > 0), lambda: ~(X > 0)),
    ("isnan", lambda o: o.isnan(np.array([1.0, np.nan])), lambda: np.array([False, True])),
    ("isfinite", lambda o: o.isfinite(np.array([1.0, np.inf, np.nan])), lambda: np.array([True, False, False])),
    ("argmax_all", lambda o: o.argmax(X), lambda: np.argmax(X)),
    ("argmin_axis", lambda o: o.argmin(X, axis=0), lambda: np.argmin(X, axis=0)),
    ("argsort", lambda o: o.argsort(X, axis=-1), lambda: np.argsort(X, axis=-1)),
    ("sort", lambda o: o.sort(X, axis=0), lambda: np.sort(X, axis=0)),
    ("split", lambda o: o.split(X, 2, axis=1)[1], lambda: np.split(X, 2, axis=1)[1]),
    ("split_indices", lambda o: o.split(X, [1, 3], axis=1)[2], lambda: np.split(X, [1, 3], axis=1)[2]),
    ("tile", lambda o: o.tile(X, (2, 3)), lambda: np.tile(X, (2, 3))),
    ("tile_more_axes", lambda o: o.tile(V, (2, 1, 2)), lambda: np.tile(V, (2, 1, 2))),
    ("flip", lambda o: o.flip(X, axis=1), lambda: np.flip(X, axis=1)),
    ("flip_all", lambda o: o.flip(X), lambda: np.flip(X)),
    ("roll", lambda o: o.roll(X, 2, axis=1), lambda: np.roll(X, 2, axis=1)),
    ("roll_flat", lambda o: o.roll(X, -3), lambda: np.roll(X, -3)),
    ("repeat_flat", lambda o: o.repeat(X, 2), lambda: np.repeat(X, 2)),
    ("repeat_counts", lambda o: o.repeat(X, [1, 0, 2], axis=0), lambda: np.repeat(X, [1, 0, 2], axis=0)),
    ("pad_reflect", lambda o: o.pad(X, ((1, 2), (2, 1)), mode="reflect"), lambda: np.pad(X, ((1, 2), (2, 1)), "reflect")),
    ("pad_symmetric", lambda o: o.pad(X, 1, mode="symmetric"), lambda: np.pad(X, 1, "symmetric")),
    ("triu", lambda o: o.triu(X, 1), lambda: np.triu(X, 1)),
    ("tril", lambda o: o.tril(X, -1), lambda: np.tril(X, -1)),
    ("diag_vector", lambda o: o.diag(V, 1), lambda: np.diag(V, 1)),
    ("diag_matrix", lambda o: o.diag(X, -1), lambda: np.diag(X, -1)),
    ("diagonal", lambda o: o.diagonal(X, 1), lambda: np.diagonal(X, 1)),
    ("trace", lambda o: o.trace(X), lambda: np.trace(X)),
    ("swapaxes", lambda o: o.swapaxes(X[None], 0, 2), lambda: np.swapaxes(X[None], 0, 2)),
    ("moveaxis", lambda o: o.moveaxis(X[None], 0, -1), lambda: np.moveaxis(X[None], 0, -1)),
    ("take_axis", lambda o: o.take(X, [2, 0], axis=1), lambda: np.take(X, [2, 0], axis=1)),
    ("slice", lambda o: o.slice(X, (1, 1), (2, 2)), lambda: X[1:3, 1:3]),
    ("matmul_vectors", lambda o: o.matmul(V[:4], X.T), lambda: np.matmul(V[:4], X.T)),
    ("dot_nd", lambda o: o.dot(X[None], P.T), lambda: np.dot(X[None], P.T)),
    ("dot_vector", lambda o: o.dot(X, V[:4]), lambda: np.dot(X, V[:4])),
    ("tensordot", lambda o: o.tensordot(X, P, axes=([0], [0])), lambda: np.tensordot(X, P, axes=([0], [0]))),
    ("tensordot_int", lambda o: o.tensordot(X, P.T, 1), lambda: np.tensordot(X, P.T, 1)),
    ("outer", lambda o: o.outer(V, V), lambda: np.outer(V, V)),
    ("norm", lambda o: o.norm(X), lambda: np.linalg.norm(X)),
    ("norm_axis", lambda o: o.norm(X, axis=1, keepdims=True), lambda: np.linalg.norm(X, axis=1, keepdims=True)),
    ("norm_l1", lambda o: o.norm(X, ord=1, axis=0), lambda: np.linalg.norm(X, ord=1, axis=0)),
    ("norm_inf", lambda o: o.norm(V, ord=np.inf), lambda: np.linalg.norm(V, ord=np.inf)),
    ("norm_matrix_1", lambda o: o.linalg.norm(X, ord=1), lambda: np.linalg.norm(X, ord=1)),
    ("norm_matrix_nuc", lambda o: o.linalg.norm(X, ord="nuc"), lambda: np.linalg.norm(X, ord="nuc")),
    ("std", lambda o: o.std(X, axis=0, keepdims=True), lambda: np.std(X, axis=0, keepdims=True)),
    ("var", lambda o: o.var(X, axis=1), lambda: np.var(X, axis=1)),
    ("linalg_inv", lambda o: o.linalg.inv(X[:, :3] + 3 * np.eye(3, dtype="float32")),
     lambda: np.linalg.inv(X[:, :3] + 3 * np.eye(3, dtype="float32"))),
    ("linalg_det", lambda o: o.linalg.det(X[:, :3]), lambda: np.linalg.det(X[:, :3])),
    ("where", lambda o: o.where(X > 0, X, P), lambda: np.where(X > 0, X, P)),
    ("clip", lambda o: o.clip(X, -0.5, 0.5), lambda: np.clip(X, -0.5, 0.5)),
    ("eye", lambda o: o.eye(3, 4, k=1), lambda: np.eye(3, 4, k=1)),
    ("identity", lambda o: o.identity(3), lambda: np.identity(3)),
    ("tri", lambda o: o.numpy.tri(3), lambda: np.tri(3)),
    ("linspace", lambda o: o.linspace(0, 1, 5), lambda: np.linspace(0, 1, 5)),
    ("arange_float", lambda o: o.arange(0.0, 1.0, 0.25), lambda: np.arange(0.0, 1.0, 0.25)),
    ("full_like", lambda o: o.full_like(X, 2.5), lambda: np.full_like(X, 2.5)),
    ("hypot", lambda o: o.hypot(X, P), lambda: np.hypot(X, P)),
    ("logaddexp", lambda o: o.logaddexp(X, P), lambda: np.logaddexp(X, P)),
    ("deg2rad", lambda o: o.deg2rad(X), lambda: np.deg2rad(X)),
    ("erfc", lambda o: o.erfc(X), lambda: 1 - np.vectorize(__import__("math").erf)(X.astype("float64"))),
    ("heaviside", lambda o: o.heaviside(np.array([-1.0, 0.0, 2.0]), 0.5), lambda: np.array([0.0, 0.5, 1.0])),
    ("nan_to_num", lambda o: o.nan_to_num(np.array([1.0, np.nan, np.inf], "float32")),
     lambda: np.nan_to_num(np.array([1.0, np.nan, np.inf], "float32"))),
    ("isin", lambda o: o.isin(np.array([1, 2, 3]), np.array([2, 5])), lambda: np.array([False, True, False])),
    ("bitwise_and", lambda o: o.bitwise_and(np.array([6, 3]), np.array([3, 3])), lambda: np.array([2, 3])),
    ("ptp", lambda o: o.ptp(X, axis=0), lambda: np.ptp(X, axis=0)),
    ("average", lambda o: o.average(X, axis=1, weights=np.arange(1.0, 5.0, dtype="float32")),
     lambda: np.average(X, axis=1, weights=np.arange(1.0, 5.0, dtype="float32"))),
    ("nansum", lambda o: o.nansum(np.array([[1.0, np.nan], [2.0, 3.0]], "float32"), axis=1),
     lambda: np.nansum(np.array([[1.0, np.nan], [2.0, 3.0]], "float32"), axis=1)),
    ("nanmean", lambda o: o.nanmean(np.array([[1.0, np.nan], [2.0, 3.0]], "float32"), axis=1),
     lambda: np.nanmean(np.array([[1.0, np.nan], [2.0, 3.0]], "float32"), axis=1)),
    ("median_even", lambda o: o.median(X, axis=1), lambda: np.median(X, axis=1)),
    ("median_all", lambda o: o.median(X), lambda: np.median(X)),
    ("quantile_list", lambda o: o.quantile(X, [0.1, 0.75], axis=0), lambda: np.quantile(X, [0.1, 0.75], axis=0)),
    ("percentile_keepdims", lambda o: o.percentile(X, 30, axis=1, keepdims=True),
     lambda: np.percentile(X, 30, axis=1, keepdims=True)),
    ("rot90", lambda o: o.rot90(X), lambda: np.rot90(X)),
    ("rot90_3", lambda o: o.rot90(X, k=3), lambda: np.rot90(X, k=3)),
    ("fliplr", lambda o: o.fliplr(X), lambda: np.fliplr(X)),
    ("dstack", lambda o: o.dstack([X, P]), lambda: np.dstack([X, P])),
    ("hsplit", lambda o: o.hsplit(X, 2)[1], lambda: np.hsplit(X, 2)[1]),
    ("diff", lambda o: o.diff(X, n=2, axis=1), lambda: np.diff(X, n=2, axis=1)),
    ("celu", lambda o: o.nn.celu(X, 0.5), lambda: np.maximum(X, 0) + np.minimum(0, 0.5 * np.expm1(X / 0.5))),
    ("glu", lambda o: o.nn.glu(X), lambda: X[:, :2] / (1 + np.exp(-X[:, 2:]))),
    ("soft_shrink", lambda o: o.nn.soft_shrink(X), lambda: np.sign(X) * np.maximum(np.abs(X) - 0.5, 0)),
    ("squareplus", lambda o: o.nn.squareplus(X), lambda: (X + np.sqrt(X * X + 4)) / 2),
    ("linalg_solve_top_level", lambda o: o.solve(P[:, :3] + 3 * np.eye(3, dtype="float32"), X[:, :2]),
     lambda: np.linalg.solve(P[:, :3] + 3 * np.eye(3, dtype="float32"), X[:, :2])),
]


@pytest.mark.parametrize("name, ours, numpy", CASES, ids=[c[0] for c in CASES])
def test_matches_numpy(name, ours, numpy):
    result, expected = ours(ops), np.asarray(numpy())
    assert isinstance(result, Tensor)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result.numpy().astype("float64"), expected.astype("float64"), rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("name, ours, numpy", [c for c in CASES if np.asarray(c[2]()).dtype == np.float32],
                         ids=[c[0] for c in CASES if np.asarray(c[2]()).dtype == np.float32])
def test_float32_stays_float32(name, ours, numpy):
    assert ours(ops).dtype == np.float32


def test_the_same_ops_take_tensors_arrays_and_numbers():
    for x in (X, Tensor(X)):
        np.testing.assert_allclose(ops.tile(x, 2).numpy(), np.tile(X, 2))
    assert ops.sqrt(4.0).numpy() == 2.0
    assert ops.maximum(2, 3).numpy() == 3


def test_keras_dtypes_of_new_tensors():
    assert ops.ones((2, 3)).dtype == np.float32 and ops.ones((2, 3)).shape == (2, 3)
    assert ops.zeros(4).dtype == np.float32
    assert ops.full((2,), 3).dtype == np.float32
    assert ops.full((2,), 3, dtype="int32").dtype == np.int32
    assert ops.full((2,), 3.0).dtype == np.float32
    assert ops.arange(5).dtype == np.int32
    assert ops.arange(0, 5, 0.5).dtype == np.float32
    assert ops.linspace(0, 1, 3).dtype == np.float32
    assert ops.zeros_like(np.zeros(2, "float64")).dtype == np.float64
    assert ops.ones_like(X, dtype="int32").dtype == np.int32
    assert ops.convert_to_tensor([1.0, 2.0]).dtype == np.float32
    assert ops.convert_to_tensor([1, 2]).dtype == np.int32
    assert ops.convert_to_tensor(np.zeros(2, "float64")).dtype == np.float64
    assert ops.argmax(X).dtype == np.int32
    assert ops.one_hot(np.array([0, 2]), 3).dtype == np.float32
    assert ops.cast(X, "float16").dtype == np.float16
    assert ops.cast(X, "int32").dtype == np.int32
    assert ops.dtype(X) == "float32"


def test_shape_size_ndim_and_is_tensor():
    assert ops.shape(X) == (3, 4) and isinstance(ops.shape(Tensor(X)), tuple)
    assert all(type(n) is int for n in ops.shape(Tensor(X)))
    assert ops.size(X) == 12 and ops.ndim(Tensor(X)) == 2
    assert ops.is_tensor(Tensor(X)) and not ops.is_tensor(X)
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.convert_to_tensor(X)), X)


def test_one_hot_and_multi_hot():
    labels = np.array([[1, 0], [2, 5]])
    hot = ops.one_hot(labels, 3).numpy()
    assert hot.shape == (2, 2, 3)
    np.testing.assert_array_equal(hot[1, 1], np.zeros(3))  # out of range: a row of zeros, as Keras
    np.testing.assert_array_equal(hot[0, 0], [0, 1, 0])
    np.testing.assert_array_equal(ops.nn.one_hot(np.array([1, 0]), 2, axis=0).numpy(), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(ops.nn.multi_hot(np.array([[0, 2], [1, 1]]), 3).numpy(), [[1, 0, 1], [0, 1, 0]])


def test_top_k_values_and_indices():
    values, indices = ops.top_k(X, 2)
    expected = -np.sort(-X, axis=-1)[:, :2]
    np.testing.assert_allclose(values.numpy(), expected)
    np.testing.assert_allclose(np.take_along_axis(X, indices.numpy(), -1), expected)
    assert indices.dtype == np.int32
    assert ops.in_top_k(np.array([np.argmax(X[0]), np.argmin(X[1]), 0]), X, 1).numpy().tolist()[:2] == [True, False]


def test_meshgrid_and_unstack():
    a, b = ops.meshgrid(np.arange(3), np.arange(2))
    ea, eb = np.meshgrid(np.arange(3), np.arange(2))
    np.testing.assert_array_equal(a.numpy(), ea)
    np.testing.assert_array_equal(b.numpy(), eb)
    parts = ops.unstack(X, axis=1)
    assert len(parts) == 4 and parts[2].shape == (3,)


def test_slice_update_scatter_and_scatter_update():
    updated = ops.slice_update(X, (1, 2), np.ones((2, 2), "float32")).numpy()
    expected = X.copy()
    expected[1:3, 2:4] = 1
    np.testing.assert_array_equal(updated, expected)
    scattered = ops.scatter(np.array([[0, 1], [2, 3], [0, 1]]), np.array([1.0, 2.0, 3.0], "float32"), (3, 4))
    expected = np.zeros((3, 4), "float32")
    expected[0, 1], expected[2, 3] = 4.0, 2.0  # repeated coordinates add up, as in Keras
    np.testing.assert_array_equal(scattered.numpy(), expected)
    rows = ops.scatter(np.array([[1]]), np.ones((1, 4), "float32"), (3, 4)).numpy()
    np.testing.assert_array_equal(rows, np.eye(3, 4, dtype="float32")[[2, 0, 2]] * 0 + [[0] * 4, [1] * 4, [0] * 4])
    replaced = ops.scatter_update(X, np.array([[0, 0], [2, 1]]), np.array([7.0, 8.0], "float32")).numpy()
    expected = X.copy()
    expected[0, 0], expected[2, 1] = 7.0, 8.0
    np.testing.assert_array_equal(replaced, expected)


def test_control_flow():
    assert ops.cond(True, lambda: 1, lambda: 2) == 1
    assert ops.cond(Tensor(np.array(False)), lambda: 1, lambda: 2) == 2
    assert ops.fori_loop(0, 5, lambda i, v: v + i, 0) == 10
    assert ops.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s * 2), (0, 1)) == (4, 16)
    assert ops.while_loop(lambda i: i < 100, lambda i: i + 1, 0, maximum_iterations=7) == 7
    carry, ys = ops.scan(lambda c, x: (c + x, c * x), Tensor(np.float32(0.0)), Tensor(np.arange(4, dtype="float32")))
    np.testing.assert_allclose(carry.numpy(), 6.0)
    np.testing.assert_allclose(ys.numpy(), [0.0, 0.0, 2.0, 9.0])
    carry, ys = ops.scan(lambda c, x: (c + x, c), 0.0, np.arange(3, dtype="float32"), reverse=True)
    np.testing.assert_allclose(ys.numpy(), [3.0, 2.0, 0.0])
    assert ops.switch(5, [lambda x: x + 1, lambda x: x * 10], 3) == 30  # clamped to the last branch
    mapped = ops.vectorized_map(lambda row: ops.sum(row), X)
    np.testing.assert_allclose(mapped.numpy(), X.sum(axis=1), rtol=1e-6)


def test_stop_gradient_blocks_the_gradient():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = ops.sum(ops.multiply(x, ops.stop_gradient(x)))
    y.backward()
    np.testing.assert_allclose(x.grad, [1.0, 2.0])  # d/dx x * c = c, not 2x


def test_custom_gradient_is_used_by_backward():
    @ops.custom_gradient
    def clipped_identity(x):
        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return ops.clip(upstream, -0.5, 0.5)

        return x, grad

    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    (clipped_identity(x) * np.array([-2.0, 0.1, 4.0])).sum().backward()
    np.testing.assert_allclose(x.grad, [-0.5, 0.1, 0.5])


@pytest.mark.parametrize("call, message", [
    (lambda: ops.split(X, 3, axis=1), "cannot be split"),
    (lambda: ops.pad(X, 1, mode="circular"), "mode must be"),
    (lambda: ops.top_k(X, 9), "k must be"),
    (lambda: ops.norm(X, ord="fro", axis=0), "for matrices"),
    (lambda: ops.image.resize(X, (2, 2)), "rank 3"),
    (lambda: ops.image.resize(X[None, :, :, None], (2, 2), interpolation="cubic"), "interpolation"),
    (lambda: ops.nn.binary_crossentropy(X, X[0]), "same rank"),
])
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
