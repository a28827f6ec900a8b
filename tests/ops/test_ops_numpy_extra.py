"""The rest of keras.ops' NumPy-style functions (arccos ... vander, erfinv, cdist, saturate_cast, rearrange):
values and dtypes against Keras 3 (torch backend) and NumPy, float64 finite-difference gradients, the
integer-valued ones' edge cases, bad input, and a call on a symbolic Input."""

import os
import warnings

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported

import glassnet
from glassnet import layers, ops
from glassnet.autodiff import Tensor, gradcheck

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning",
                                        "ignore::RuntimeWarning")

RNG = np.random.default_rng(17)
X = RNG.standard_normal((3, 4)).astype("float32")
UNIT = RNG.uniform(-0.9, 0.9, (3, 4)).astype("float32")
ABOVE_ONE = RNG.uniform(1.2, 3.0, (5,)).astype("float32")
INTS = np.array([[4, 6, 9], [12, 0, 7]], dtype="int32")
NANS = np.array([[np.nan, 1.5, -2.0, 0.5], [3.0, np.nan, np.nan, np.nan], [0.25, -1.0, 2.0, 4.0]], "float32")
VEC = np.array([0.5, -1.0, 2.0], "float32")

# (name, call): the same call on glassnet.ops and keras.ops must agree in shape, dtype and values
KERAS_PARITY = [
    ("arccos", lambda o: o.arccos(UNIT)),
    ("arcsin_int", lambda o: o.arcsin(np.array([0, 1], "int32"))),
    ("arccosh", lambda o: o.arccosh(ABOVE_ONE)),
    ("arcsinh", lambda o: o.arcsinh(X)),
    ("arctanh", lambda o: o.arctanh(UNIT)),
    ("arctan2", lambda o: o.arctan2(X, X.T[:3, :1])),
    ("arctan2_int", lambda o: o.arctan2(INTS, 3)),
    ("cbrt", lambda o: o.cbrt(X)),
    ("cbrt_int", lambda o: o.cbrt(INTS)),
    ("sinc", lambda o: o.sinc(np.array([0.0, 0.5, 1.0, -2.5], "float32"))),
    ("fmax", lambda o: o.fmax(NANS, NANS[::-1])),
    ("fmin_int_float", lambda o: o.fmin(INTS, 5.5)),
    ("fmod", lambda o: o.fmod(X * 5, np.float32(1.5))),
    ("fmod_int", lambda o: o.fmod(INTS - 5, 4)),
    ("gcd", lambda o: o.gcd(INTS, np.array([6, 4, 3], "int32"))),
    ("lcm", lambda o: o.lcm(INTS, np.array([6, 4, 3], "int32"))),
    ("ldexp", lambda o: o.ldexp(X, np.array([1, -2, 3, 0], "int32"))),
    ("ldexp_int", lambda o: o.ldexp(INTS, 2)),
    ("logaddexp2", lambda o: o.logaddexp2(X, X[::-1])),
    ("nextafter", lambda o: o.nextafter(X, np.float32(0.0))),
    ("select", lambda o: o.select([X > 0.5, X < -0.5], [X, X * 2], default=-1.0)),
    ("real", lambda o: o.real(X)),
    ("conj", lambda o: o.conj(INTS)),
    ("conjugate", lambda o: o.conjugate(X)),
    ("isreal", lambda o: o.isreal(X)),
    ("angle", lambda o: o.angle(np.array([-1.5, 0.0, 2.0], "float32"))),
    ("erfinv", lambda o: o.erfinv(UNIT)),
    ("i0", lambda o: o.i0(X * 3)),
    ("nanargmax", lambda o: o.nanargmax(NANS, axis=1)),
    ("nanargmin", lambda o: o.nanargmin(NANS)),
    ("nancumsum", lambda o: o.nancumsum(NANS, axis=1)),
    ("nancumprod", lambda o: o.nancumprod(NANS)),
    ("nancumprod_int", lambda o: o.nancumprod(INTS, axis=0)),
    ("nanprod", lambda o: o.nanprod(NANS, axis=0)),
    ("nanvar", lambda o: o.nanvar(NANS, axis=1)),
    ("nanstd_keepdims", lambda o: o.nanstd(NANS, axis=0, keepdims=True)),
    ("nanmedian", lambda o: o.nanmedian(NANS, axis=1)),
    ("nanquantile", lambda o: o.nanquantile(NANS, [0.2, 0.75], axis=0)),
    ("nanpercentile_keepdims", lambda o: o.nanpercentile(NANS, 30, keepdims=True)),
    ("nanquantile_int", lambda o: o.nanquantile(INTS, 0.4, axis=1)),
    ("trapezoid", lambda o: o.trapezoid(X)),
    ("trapezoid_x", lambda o: o.trapezoid(X, x=np.array([0.0, 0.5, 2.0], "float32"), axis=0)),
    ("trapezoid_int", lambda o: o.trapezoid(INTS, dx=0.5)),
    ("searchsorted", lambda o: o.searchsorted(np.array([-1.0, 0.0, 1.0], "float32"), X)),
    ("searchsorted_right", lambda o: o.searchsorted(np.array([0.0, 1.0, 1.0, 2.0]), np.array([1.0, 3.0]),
                                                    side="right")),
    ("digitize", lambda o: o.digitize(X, np.array([-0.5, 0.0, 0.5], "float32"))),
    ("bincount", lambda o: o.bincount(np.array([0, 3, 3, 1]), minlength=6)),
    ("bincount_weights", lambda o: o.bincount(np.array([0, 3, 3, 1]), weights=VEC.tolist() + [1.0])),
    ("bincount_2d", lambda o: o.bincount(np.array([[0, 1], [1, 1]]), minlength=3)),
    ("histogram_counts", lambda o: o.histogram(X.ravel(), bins=4)[0]),
    ("histogram_edges", lambda o: o.histogram(X.ravel(), bins=3, range=(-1, 1))[1]),
    ("unique", lambda o: o.unique(INTS)),
    ("unique_counts", lambda o: o.unique(np.array([3, 1, 1, 2]), return_counts=True)[1]),
    ("unique_index", lambda o: o.unique(np.array([3, 1, 1, 2]), return_index=True)[1]),
    ("unique_inverse_2d", lambda o: o.unique(np.array([[3, 1], [1, 2]]), return_inverse=True)[1]),
    ("unique_axis", lambda o: o.unique(np.array([[3, 1], [1, 2], [3, 1]]), axis=0)),
    ("unique_size_padded", lambda o: o.unique(np.array([3, 1, 1, 2]), size=5, return_index=True)[1]),
    ("unique_size_cut", lambda o: o.unique(np.array([3, 1, 1, 2]), size=2, fill_value=9)),
    ("unravel_index", lambda o: o.unravel_index(np.array([1, 5, 11], "int32"), (3, 4))[1]),
    ("diagflat", lambda o: o.diagflat(X[:2, :2], k=-1)),
    ("corrcoef", lambda o: o.corrcoef(X)),
    ("corrcoef_int", lambda o: o.corrcoef(INTS)),
    ("correlate_valid", lambda o: o.correlate(X[0], VEC)),
    ("correlate_same", lambda o: o.correlate(X[0], VEC, mode="same")),
    ("correlate_full", lambda o: o.correlate(X.ravel()[:3], VEC * 2, mode="full")),
    ("cross", lambda o: o.cross(X.T, np.stack([VEC] * 4))),  # torch's cross takes the first axis of size 3
    ("cross_axis", lambda o: o.cross(X[:, :3].T, X[:, 1:].T, axis=0)),
    ("kron", lambda o: o.kron(X[:2, :2], VEC)),
    ("kron_int", lambda o: o.kron(INTS, np.array([[1, 2]], "int32"))),
    ("vander", lambda o: o.vander(VEC)),
    ("vander_n_increasing", lambda o: o.vander(VEC, N=4, increasing=True)),
    ("vander_int", lambda o: o.vander(np.array([1, 2, 3], "int32"))),
    ("cdist", lambda o: o.cdist(X, X[:2] + 1.0)),
    ("cdist_batched", lambda o: o.cdist(X[None], np.stack([X[:2], X[1:3]]))),
    ("geomspace", lambda o: o.geomspace(1, 1000, 5)),
    ("geomspace_open", lambda o: o.geomspace(2.0, 50.0, 4, endpoint=False)),
    ("bartlett", lambda o: o.bartlett(7)),
    ("blackman", lambda o: o.blackman(6)),
    ("hamming", lambda o: o.hamming(5)),
    ("hanning", lambda o: o.hanning(8)),
    ("kaiser", lambda o: o.kaiser(6, 4.0)),
    ("array", lambda o: o.array([1.5, 2.0])),
    ("array_dtype", lambda o: o.array([1, 2], dtype="int16")),
    ("copy", lambda o: o.copy(INTS)),
    ("view", lambda o: o.view(X, "int32")),
    ("view_int16", lambda o: o.view(VEC, "int16")),
    ("saturate_cast", lambda o: o.saturate_cast(X * 300, "uint8")),
    ("saturate_cast_int8", lambda o: o.saturate_cast(INTS * 40, "int8")),
    ("rearrange", lambda o: o.rearrange(np.arange(24.0).reshape(2, 3, 4), "b h w -> w (b h)")),
    ("rearrange_split", lambda o: o.rearrange(np.arange(48.0).reshape(1, 4, 6, 2), "b (h h1) (w w1) c -> b h w (c h1 w1)",
                                              h1=2, w1=3)),
    ("vectorize", lambda o: o.vectorize(lambda a, b: a * b + 1.0)(X, VEC[:1])),
]

# Keras' torch backend gives int64 (NumPy's) for unique's indices and counts, and unique pads indices with 1
INT64_RESULTS = {"unique_counts", "unique_index", "unique_inverse_2d", "unique_size_padded"}


@pytest.mark.parametrize("name, call", KERAS_PARITY, ids=[p[0] for p in KERAS_PARITY])
def test_matches_keras(name, call):
    keras = pytest.importorskip("keras")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = keras.ops.convert_to_numpy(call(keras.ops))
    ours = ops.convert_to_numpy(call(ops))
    assert ours.shape == theirs.shape, f"{name}: {ours.shape} vs Keras {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{name}: {ours.dtype} vs Keras {theirs.dtype}"
    if name in INT64_RESULTS:
        assert ours.dtype == np.int64
    np.testing.assert_allclose(ours.astype("float64"), theirs.astype("float64"), rtol=2e-5, atol=2e-6)


# where Keras' torch backend differs from NumPy (which its NumPy backend follows), NumPy is the reference
NUMPY_PARITY = [
    ("correlate_longer_second_same", lambda: ops.correlate(VEC, X[0], mode="same"),
     lambda: np.correlate(VEC, X[0], mode="same")),
    ("correlate_longer_second_valid", lambda: ops.correlate(VEC[:2], X[0], mode="valid"),
     lambda: np.correlate(VEC[:2], X[0], mode="valid")),
    ("cross_2d_vectors", lambda: ops.cross(X[:, :2], VEC[:2]), lambda: np.cross(X[:, :2], VEC[:2])),
    ("cross_2d_and_3d", lambda: ops.cross(X[:, :2], VEC), lambda: np.cross(X[:, :2], VEC)),
    ("cross_axes", lambda: ops.cross(X[:, :3].T, X[:1, 1:], axisa=0, axisc=0),
     lambda: np.cross(X[:, :3].T, X[:1, 1:], axisa=0, axisc=0)),
    ("angle_negative_zero", lambda: ops.angle(np.array([-0.0, -3.0])), lambda: np.angle(np.array([-0.0, -3.0]))),
    ("imag", lambda: ops.imag(X), lambda: np.imag(X)),
    ("i0_large", lambda: ops.i0(np.array([0.0, 30.0, -50.0])), lambda: np.i0(np.array([0.0, 30.0, -50.0]))),
    ("histogram_int", lambda: ops.histogram(np.array([1, 2, 2, 5]), bins=2)[0],
     lambda: np.histogram(np.array([1, 2, 2, 5]), bins=2)[0].astype("float32")),
    ("saturate_cast_int32_max", lambda: ops.saturate_cast(np.array([-3e9, 3e9, 7.6], "float32"), "int32"),
     lambda: np.array([-2147483648, 2147483520, 7], "int32")),
    ("unravel_int64_keeps_dtype", lambda: ops.unravel_index(np.array([7, 2]), (2, 2, 2))[0],
     lambda: np.unravel_index(np.array([7, 2]), (2, 2, 2))[0]),
    ("nanquantile_methods", lambda: ops.stack([ops.nanquantile(NANS, 0.4, axis=1, method=m) for m in
                                               ("lower", "higher", "midpoint", "nearest")]),
     lambda: np.stack([np.nanquantile(NANS, 0.4, axis=1, method=m) for m in
                       ("lower", "higher", "midpoint", "nearest")])),
    ("nanpercentile_axis_none", lambda: ops.nanpercentile(NANS, [10, 90]), lambda: np.nanpercentile(NANS, [10, 90]).astype("float32")),
    ("trapezoid_x_full_shape", lambda: ops.trapezoid(X, x=np.cumsum(np.abs(X), axis=1)),
     lambda: np.trapezoid(X, x=np.cumsum(np.abs(X), axis=1))),
    ("erfinv_float64_tails", lambda: ops.erfinv(np.array([1 - 1e-12, -1 + 1e-15, 1e-10, -0.3])),
     lambda: __import__("torch").erfinv(__import__("torch").tensor([1 - 1e-12, -1 + 1e-15, 1e-10, -0.3],
                                                                   dtype=__import__("torch").float64)).numpy()),
    ("vectorize_signature", lambda: ops.vectorize(lambda r: ops.sum(r * r), signature="(n)->()")(X),
     lambda: np.sum(X * X, axis=1)),
]


@pytest.mark.parametrize("name, ours, expected", NUMPY_PARITY, ids=[p[0] for p in NUMPY_PARITY])
def test_matches_numpy(name, ours, expected):
    result, reference = ops.convert_to_numpy(ours()), np.asarray(expected())
    assert result.shape == reference.shape
    assert result.dtype == reference.dtype, f"{name}: {result.dtype} vs {reference.dtype}"
    np.testing.assert_allclose(result.astype("float64"), reference.astype("float64"), rtol=1e-6, atol=1e-12)


def normal(*shape):
    return RNG.standard_normal(shape)


def inside(*shape, low=-0.9, high=0.9):
    return RNG.uniform(low, high, shape)


def distinct(*shape):
    return RNG.permutation(np.arange(int(np.prod(shape)))).reshape(shape) * 0.37 - 1.0


def with_nans(*shape):
    values = distinct(*shape)
    values.reshape(-1)[::3] = np.nan
    return values


GRADIENT_CASES = [
    ("arcsin", lambda x: ops.arcsin(x), [inside(4)]),
    ("arccos", lambda x: ops.arccos(x), [inside(4)]),
    ("arcsinh", lambda x: ops.arcsinh(x), [normal(4)]),
    ("arccosh", lambda x: ops.arccosh(x), [inside(4, low=1.2, high=3.0)]),
    ("arctanh", lambda x: ops.arctanh(x), [inside(4)]),
    ("arctan2", lambda a, b: ops.arctan2(a, b), [normal(3, 2), normal(2)]),
    ("cbrt", lambda x: ops.cbrt(x), [inside(4, low=0.3, high=2.0) * np.array([1, -1, 1, -1])]),
    ("sinc", lambda x: ops.sinc(x), [np.array([0.0, 0.3, -1.7, 2.5])]),
    ("fmax", lambda a, b: ops.fmax(a, b), [np.array([0.5, -1.0, 2.0]), np.array([1.5, -2.0, np.nan])]),
    ("fmin_nan", lambda a, b: ops.fmin(a, b), [np.array([np.nan, 1.0, 2.0]), np.array([0.5, np.nan, -1.0])]),
    ("fmod", lambda a, b: ops.fmod(a, b), [np.array([2.3, -3.7, 5.1]), np.array([1.1, 1.3, -2.2])]),
    ("ldexp", lambda x: ops.ldexp(x, np.array([1, -1, 3])), [normal(3)]),
    ("logaddexp2", lambda a, b: ops.logaddexp2(a, b), [normal(4), normal(4)]),
    ("select", lambda a, b: ops.select([np.array([True, False, False]), np.array([True, True, False])], [a, b],
                                       default=a * 2.0), [normal(3), normal(3)]),
    ("real_conj", lambda x: ops.real(x) * ops.conj(x) + ops.conjugate(x), [normal(3)]),
    ("copy", lambda x: ops.copy(x) * 3.0, [normal(2, 2)]),
    ("erfinv", lambda x: ops.erfinv(x), [inside(5)]),
    ("i0", lambda x: ops.i0(x), [normal(4) * 3]),
    ("nanprod", lambda x: ops.nanprod(x, axis=1), [with_nans(2, 3)]),
    ("nancumsum", lambda x: ops.nancumsum(x, axis=0), [with_nans(3, 2)]),
    ("nancumprod", lambda x: ops.nancumprod(x), [with_nans(5)]),
    ("nanvar", lambda x: ops.nanvar(x, axis=1), [with_nans(3, 4)]),
    ("nanstd", lambda x: ops.nanstd(x), [with_nans(3, 4)]),
    ("nanmedian", lambda x: ops.nanmedian(x, axis=1), [with_nans(4, 3)]),
    ("nanquantile", lambda x: ops.nanquantile(x, [0.3, 0.8], axis=1), [with_nans(2, 5)]),
    ("nanpercentile", lambda x: ops.nanpercentile(x, 65), [with_nans(3, 3)]),
    ("trapezoid", lambda y: ops.trapezoid(y, axis=0), [normal(4, 2)]),
    ("trapezoid_x", lambda y, x: ops.trapezoid(y, x=x), [normal(2, 4), normal(4)]),
    ("corrcoef", lambda x: ops.corrcoef(x), [normal(3, 5)]),
    ("correlate", lambda a, v: ops.correlate(a, v, mode="full"), [normal(5), normal(3)]),
    ("cross", lambda a, b: ops.cross(a, b), [normal(2, 3), normal(3)]),
    ("kron", lambda a, b: ops.kron(a, b), [normal(2, 3), normal(2, 1)]),
    ("vander", lambda x: ops.vander(x, N=4), [np.array([0.0, 1.5, -0.5])]),
    ("diagflat", lambda x: ops.diagflat(x, 1), [normal(2, 2)]),
    ("cdist", lambda x, y: ops.cdist(x, y), [normal(2, 3, 4), normal(2, 2, 4)]),
    ("rearrange", lambda x: ops.rearrange(x, "a (b c) -> (c a) b", c=2), [normal(3, 4)]),
    ("vectorize", lambda x, y: ops.vectorize(lambda a, b: a * ops.sin(b))(x, y), [normal(2, 3), normal(3)]),
]


@pytest.mark.parametrize("name, fn, inputs", GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_gradcheck(name, fn, inputs):
    assert gradcheck(fn, [np.ascontiguousarray(a) for a in inputs])


@pytest.mark.parametrize("name, fn, inputs", GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_float32_in_float32_out_and_gradients(name, fn, inputs):
    tensors = [Tensor(np.asarray(a, dtype="float32"), requires_grad=True) for a in inputs]
    out = fn(*tensors)
    assert out.dtype == np.float32, f"{name} gave {out.dtype}"
    ops.sum(out * 1.0).backward()
    for t in tensors:
        assert t.grad is not None and t.grad.dtype == np.float32, name


def test_saturate_cast_between_floats_passes_the_gradient_where_it_did_not_clip():
    assert gradcheck(lambda x: ops.saturate_cast(x, "float32"), [normal(4)], eps=1e-2, atol=1e-4, rtol=1e-3)
    x = Tensor(np.array([1e300, -2.0, -1e300]), requires_grad=True)
    out = ops.saturate_cast(x, "float32")
    assert out.dtype == np.float32 and np.isfinite(out.numpy()).all()
    ops.sum(out).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])


def test_cdist_gradient_is_zero_at_zero_distance():
    x = Tensor(np.array([[1.0, 2.0], [0.0, -1.0]]), requires_grad=True)
    ops.sum(ops.cdist(x, x)).backward()
    assert np.isfinite(x.grad).all()


def test_nan_functions_give_nan_or_minus_one_for_all_nan_slices():
    assert ops.nanmedian(NANS, axis=1).numpy()[1] == 3.0  # the one number of a mostly-NaN row
    all_nan = np.full((2, 3), np.nan, "float32")
    assert np.isnan(ops.nanvar(all_nan, axis=1).numpy()).all()
    assert np.isnan(ops.nanquantile(all_nan, 0.5, axis=0).numpy()).all()
    assert (ops.nanargmax(all_nan, axis=1).numpy() == -1).all()


def test_argpartition_partitions():
    values = RNG.permutation(10).astype("float32")
    order = ops.argpartition(values, 4).numpy()
    assert order.dtype == np.int32 and sorted(order.tolist()) == list(range(10))
    parted = values[order]
    assert parted[4] == 4 and (parted[:4] < 4).all() and (parted[5:] > 4).all()


def test_nonzero_gives_one_int32_index_per_axis():
    indices = ops.nonzero(INTS)
    expected = np.nonzero(INTS)
    assert len(indices) == 2
    for ours, theirs in zip(indices, expected):
        assert ours.dtype == np.int32
        np.testing.assert_array_equal(ours.numpy(), theirs)


def test_unique_all_outputs_match_numpy():
    values, index, inverse, counts = ops.unique(INTS, return_index=True, return_inverse=True, return_counts=True)
    expected = np.unique(INTS, return_index=True, return_inverse=True, return_counts=True)
    for ours, theirs in zip((values, index, inverse, counts), expected):
        np.testing.assert_array_equal(ours.numpy(), np.reshape(theirs, ours.shape))
    assert values.dtype == np.int32 and inverse.shape == INTS.shape


def test_integer_results_carry_no_gradient():
    x = Tensor(X, requires_grad=True)
    for result in (ops.argpartition(x, 1), ops.digitize(x, [0.0]), ops.searchsorted(np.sort(X[0]), x),
                   ops.nanargmax(x), ops.unique(x), ops.histogram(ops.ravel(x))[0], ops.isreal(x), ops.angle(x),
                   ops.imag(x), ops.nextafter(x, 0.0)):
        assert not result.requires_grad


@pytest.mark.parametrize("call, error, words", [
    (lambda: ops.gcd(X, 2), TypeError, "integer"),
    (lambda: ops.ldexp(X, 1.5), TypeError, "exponent"),
    (lambda: ops.real(np.array([1 + 2j])), TypeError, "real-valued"),
    (lambda: ops.angle(np.array([1j])), TypeError, "complex"),
    (lambda: ops.searchsorted(X, X), ValueError, "1-D"),
    (lambda: ops.bincount(np.array([1, -1])), ValueError, "non-negative"),
    (lambda: ops.bincount(np.array([1]), sparse=True), ValueError, "sparse"),
    (lambda: ops.histogram(X), ValueError, "1-D"),
    (lambda: ops.correlate(X, VEC), ValueError, "1-D"),
    (lambda: ops.cross(X, VEC), ValueError, "2 or 3"),
    (lambda: ops.cdist(VEC, VEC), ValueError, "rank"),
    (lambda: ops.cdist(X, X[:, :2]), ValueError, "feature"),
    (lambda: ops.vander(X), ValueError, "1-D"),
    (lambda: ops.select([X > 0], [X, X]), ValueError, "same length"),
    (lambda: ops.nanquantile(X, 0.5, method="cubic"), ValueError, "method"),
    (lambda: ops.unravel_index(np.array([12]), (3, 4)), ValueError, "[0, 12)"),
    (lambda: ops.rearrange(X, "a b -> a c"), ValueError, "same axes"),
    (lambda: ops.rearrange(X, "(a b) c -> a b c"), ValueError, "all but one"),
    (lambda: ops.rearrange(X, "a b c -> a b c"), ValueError, "shape"),
    (lambda: ops.view(VEC[:1], "float64"), ValueError, "divide"),
    (lambda: ops.bartlett(2.5), ValueError, "integer"),
    (lambda: ops.vectorize(lambda a: a, signature="(n),(n)->()")(X), ValueError, "signature"),
])
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error, match=None) as info:
        call()
    assert words in str(info.value)


def test_ops_on_a_symbolic_input_record_nodes_that_replay():
    inputs = glassnet.Input((4,))
    hidden = layers.Dense(3)(inputs)
    distances = ops.squeeze(ops.cdist(ops.expand_dims(hidden, 1), ops.expand_dims(hidden, 1)), axis=1)
    mixed = ops.concatenate([ops.arcsinh(hidden), distances, ops.nanstd(hidden, axis=-1, keepdims=True)], axis=-1)
    model = glassnet.Model(inputs, mixed)
    assert mixed.shape == (None, 5)
    h = model.layers[1](X)
    expected = ops.concatenate([ops.arcsinh(h), ops.zeros((3, 1)), ops.nanstd(h, axis=-1, keepdims=True)], axis=-1)
    np.testing.assert_allclose(model.predict(X, verbose=0), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_every_keras_numpy_name_is_in_ops_numpy_and_ops():
    keras = pytest.importorskip("keras")
    names = [n for n in dir(keras.ops.numpy) if not n.startswith("_")]
    assert [n for n in names if not hasattr(ops.numpy, n)] == []
    assert [n for n in dir(keras.ops) if not n.startswith("_") and not hasattr(ops, n)] == []
    assert ops.numpy.slogdet and ops.numpy.arccos is ops.arccos
