"""Finite-difference gradient checks (float64) of the differentiable keras.ops functions added for the
guides, and float32 in -> float32 gradients out."""

import numpy as np
import pytest

from glassnet import ops
from glassnet.autodiff import Tensor, gradcheck

RNG = np.random.default_rng(11)


def normal(*shape):
    return RNG.standard_normal(shape)


def positive(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def distinct(*shape):
    """Values with no ties (sorting and top_k are differentiable away from ties)."""
    return RNG.permutation(np.arange(int(np.prod(shape)))).reshape(shape) * 0.37 - 1.0


CASES = [
    ("log1p", lambda x: ops.log1p(x), [positive(3, 2)]),
    ("expm1", lambda x: ops.expm1(x), [normal(3, 2)]),
    ("sin", lambda x: ops.sin(x), [normal(4)]),
    ("cos", lambda x: ops.cos(x), [normal(4)]),
    ("tan", lambda x: ops.tan(x), [normal(4) * 0.5]),
    ("sinh_cosh", lambda x: ops.numpy.sinh(x) + ops.numpy.cosh(x), [normal(4)]),
    ("arctan", lambda x: ops.numpy.arctan(x), [normal(4)]),
    ("erf", lambda x: ops.erf(x), [normal(5)]),
    ("log2", lambda x: ops.log2(x), [positive(3)]),
    ("rsqrt", lambda x: ops.rsqrt(x), [positive(3)]),
    ("mod", lambda x: ops.mod(x, 0.7), [normal(5)]),
    ("prod", lambda x: ops.prod(x, axis=1), [normal(3, 4)]),
    ("prod_with_zero", lambda x: ops.prod(x), [np.array([[0.5, 0.0], [2.0, -1.5]])]),
    ("prod_axes", lambda x: ops.prod(x, axis=(0, 2), keepdims=True), [normal(2, 3, 2)]),
    ("cumsum", lambda x: ops.cumsum(x, axis=0), [normal(4, 3)]),
    ("cumprod", lambda x: ops.cumprod(x, axis=1), [normal(2, 4)]),
    ("cumprod_with_zero", lambda x: ops.cumprod(x), [np.array([1.5, 0.0, -2.0, 0.5])]),
    ("sort", lambda x: ops.sort(x, axis=0), [distinct(4, 3)]),
    ("top_k", lambda x: ops.top_k(x, 2)[0], [distinct(3, 5)]),
    ("split", lambda x: ops.split(x, [1, 3], axis=1)[1] * 2.0, [normal(2, 4)]),
    ("tile", lambda x: ops.tile(x, (2, 1, 3)), [normal(2, 3)]),
    ("flip", lambda x: ops.flip(x, axis=0), [normal(3, 2)]),
    ("roll", lambda x: ops.roll(x, 1, axis=1), [normal(2, 3)]),
    ("repeat_counts", lambda x: ops.repeat(x, [2, 0, 1], axis=0), [normal(3, 2)]),
    ("pad_reflect", lambda x: ops.pad(x, ((1, 1), (2, 0)), mode="reflect"), [normal(3, 3)]),
    ("slice", lambda x: ops.slice(x, (0, 1), (2, 2)), [normal(3, 3)]),
    ("slice_update", lambda x, u: ops.slice_update(x, (1, 0), u), [normal(3, 3), normal(2, 2)]),
    ("scatter", lambda v: ops.scatter(np.array([[0, 1], [1, 0], [0, 1]]), v, (2, 2)), [normal(3)]),
    ("scatter_update", lambda x, u: ops.scatter_update(x, np.array([[0, 2], [1, 1]]), u), [normal(2, 3), normal(2)]),
    ("triu_tril", lambda x: ops.triu(x, 1) + ops.tril(x) * 2.0, [normal(3, 3)]),
    ("diag_vector", lambda x: ops.diag(x, -1), [normal(3)]),
    ("diag_matrix", lambda x: ops.diag(x), [normal(3, 3)]),
    ("trace", lambda x: ops.trace(x), [normal(3, 3)]),
    ("take", lambda x: ops.take(x, np.array([2, 0, 2]), axis=1), [normal(2, 3)]),
    ("matmul_vector", lambda a, b: ops.matmul(a, b), [normal(3), normal(3, 2)]),
    ("dot", lambda a, b: ops.dot(a, b), [normal(2, 2, 3), normal(4, 3, 2)]),
    ("tensordot", lambda a, b: ops.tensordot(a, b, axes=([0, 2], [1, 0])), [normal(2, 3, 4), normal(4, 2, 5)]),
    ("outer", lambda a, b: ops.outer(a, b), [normal(3), normal(2)]),
    ("norm", lambda x: ops.norm(x, axis=-1), [normal(3, 4)]),
    ("norm_p3", lambda x: ops.norm(x, ord=3, axis=0), [normal(3, 2)]),
    ("linalg_norm_fro", lambda x: ops.linalg.norm(x), [normal(3, 3)]),
    ("inv", lambda x: ops.linalg.inv(x), [normal(3, 3) + 3 * np.eye(3)]),
    ("det", lambda x: ops.linalg.det(x), [normal(2, 3, 3)]),
    ("solve", lambda a, b: ops.linalg.solve(a, b), [normal(3, 3) + 3 * np.eye(3), normal(3, 2)]),
    ("normalize", lambda x: ops.nn.normalize(x, axis=-1), [normal(2, 3)]),
    ("relu6", lambda x: ops.relu6(x), [np.array([-1.0, 0.5, 3.0, 7.0])]),
    ("log_sigmoid", lambda x: ops.nn.log_sigmoid(x), [normal(4)]),
    ("binary_crossentropy", lambda t, p: ops.nn.binary_crossentropy(t, p),
     [RNG.uniform(0, 1, (3, 2)), RNG.uniform(0.1, 0.9, (3, 2))]),
    ("binary_crossentropy_logits", lambda t, z: ops.binary_crossentropy(t, z, from_logits=True),
     [RNG.uniform(0, 1, (3, 2)), normal(3, 2)]),
    ("categorical_crossentropy", lambda t, p: ops.categorical_crossentropy(t, p),
     [np.eye(3)[[0, 2]], RNG.uniform(0.1, 0.9, (2, 3))]),
    ("categorical_crossentropy_logits", lambda t, z: ops.nn.categorical_crossentropy(t, z, from_logits=True),
     [np.eye(3)[[0, 2]], normal(2, 3)]),
    ("sparse_categorical_crossentropy", lambda z: ops.sparse_categorical_crossentropy(np.array([1, 2]), z,
                                                                                       from_logits=True), [normal(2, 3)]),
    ("sparse_categorical_crossentropy_probs", lambda p: ops.nn.sparse_categorical_crossentropy(
        np.array([[1], [0]]), p), [RNG.uniform(0.1, 0.9, (2, 3))]),
    ("resize_bilinear_up", lambda x: ops.image.resize(x, (5, 7)), [normal(2, 3, 4, 2)]),
    ("resize_bilinear_down", lambda x: ops.image.resize(x, (2, 3)), [normal(1, 5, 6, 1)]),
    ("resize_nearest", lambda x: ops.image.resize(x, (4, 2), interpolation="nearest"), [normal(1, 3, 3, 2)]),
    ("resize_crop", lambda x: ops.image.resize(x, (2, 2), crop_to_aspect_ratio=True), [normal(1, 3, 5, 1)]),
    ("extract_patches", lambda x: ops.image.extract_patches(x, 2), [normal(1, 4, 4, 2)]),
    ("extract_patches_same", lambda x: ops.image.extract_patches(x, (2, 3), strides=1, padding="same"),
     [normal(1, 3, 4, 1)]),
    ("nn_conv_1d", lambda x, k: ops.nn.conv(x, k, padding="same"), [normal(2, 5, 3), normal(3, 3, 2)]),
    ("nn_max_pool_1d", lambda x: ops.nn.max_pool(x, 2), [distinct(1, 4, 2)]),
    ("hypot", lambda a, b: ops.hypot(a, b), [normal(3), normal(3)]),
    ("logaddexp", lambda a, b: ops.logaddexp(a, b), [normal(3), normal(3)]),
    ("erfc", lambda x: ops.erfc(x), [normal(3)]),
    ("nan_to_num", lambda x: ops.nan_to_num(x), [normal(3)]),
    ("ptp", lambda x: ops.ptp(x, axis=1), [distinct(2, 3)]),
    ("average", lambda x, w: ops.average(x, axis=0, weights=w), [normal(3, 2), positive(3)]),
    ("nanmean", lambda x: ops.nanmean(x, axis=0), [normal(3, 2)]),
    ("median", lambda x: ops.median(x, axis=1), [distinct(2, 4)]),
    ("quantile", lambda x: ops.quantile(x, [0.3, 0.9]), [distinct(5)]),
    ("rot90", lambda x: ops.rot90(x, 1), [normal(2, 3)]),
    ("dstack", lambda a, b: ops.dstack([a, b]), [normal(2, 3), normal(2, 3)]),
    ("diff", lambda x: ops.diff(x, 2), [normal(2, 5)]),
    ("celu", lambda x: ops.celu(x, 0.7), [normal(4)]),
    ("glu", lambda x: ops.glu(x), [normal(2, 4)]),
    ("soft_shrink", lambda x: ops.soft_shrink(x), [np.array([-1.2, -0.1, 0.3, 0.9])]),
    ("sparse_plus", lambda x: ops.sparse_plus(x), [np.array([-1.5, -0.4, 0.3, 1.7])]),
    ("squareplus", lambda x: ops.squareplus(x), [normal(4)]),
    ("scan", lambda x: ops.scan(lambda c, v: (c * v, c + v), ops.ones(()) * 1.0, x)[1], [normal(4)]),
    ("fori_loop", lambda x: ops.fori_loop(0, 3, lambda i, v: v * x + 1.0, x), [normal(3)]),
    ("vectorized_map", lambda x: ops.vectorized_map(lambda r: ops.sum(r * r), x), [normal(3, 2)]),
]


def test_divide_no_nan_gradient_is_zero_where_the_divisor_is():
    a, b = normal(3), np.array([2.0, 0.0, -0.5])
    assert gradcheck(lambda x, y: ops.divide_no_nan(x, y), [a, b], check=[0])
    y = Tensor(b, requires_grad=True)
    ops.sum(ops.divide_no_nan(a, y)).backward()
    assert y.grad[1] == 0.0 and np.isfinite(y.grad).all()


def test_cast_between_floats_passes_the_gradient_back_in_the_input_dtype():
    assert gradcheck(lambda x: ops.cast(ops.cast(x, "float32"), "float64"), [normal(4)], eps=1e-2, atol=1e-4, rtol=1e-3)
    x = Tensor(np.ones(3, "float32"), requires_grad=True)
    ops.sum(ops.cast(x, "float64") * 2.0).backward()
    assert x.grad.dtype == np.float32 and np.allclose(x.grad, 2.0)
    assert not ops.cast(x, "int32").requires_grad


@pytest.mark.parametrize("name, fn, inputs", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, fn, inputs):
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("name, fn, inputs", CASES, ids=[c[0] for c in CASES])
def test_float32_in_float32_out(name, fn, inputs):
    tensors = [Tensor(np.asarray(a, dtype="float32"), requires_grad=True) for a in inputs]
    out = fn(*tensors)
    assert out.dtype == np.float32, f"{name} gave {out.dtype}"
    ops.sum(out * 1.0).backward()
    for t in tensors:
        assert t.grad is not None and t.grad.dtype == np.float32, name
