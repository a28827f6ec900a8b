"""The keras.ops.nn / ops.linalg / segment ops added for Keras 3.15 parity: values against Keras
(torch backend) and torch, dtypes and shapes, float64 finite-difference gradients."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported

from glassnet import ops
from glassnet.autodiff import Tensor, gradcheck

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

RNG = np.random.default_rng(5)


def normal(*shape, dtype="float32"):
    return RNG.standard_normal(shape).astype(dtype)


def fixed(*shape):
    """The same random values for Keras and for us (a seed from the shape)."""
    return np.random.default_rng(sum(shape) * 7 + len(shape)).standard_normal(shape).astype("float32")


X = normal(2, 5, 3)
IMAGES = normal(2, 6, 7, 3)
IMAGES_CF = normal(2, 3, 6, 7)
Q, K, V = normal(2, 4, 4, 8), normal(2, 5, 2, 8), normal(2, 5, 2, 8)
KV_FULL = normal(2, 5, 4, 8)
MASK = RNG.uniform(size=(2, 1, 4, 5)) > 0.3
UPPER = np.triu(normal(3, 3)) + 3 * np.eye(3, dtype="float32")
LOWER = UPPER.T.copy()
SPD_FACTOR = np.tril(normal(3, 3)) + 2 * np.eye(3, dtype="float32")
SQUARE = normal(2, 4, 4) + 4 * np.eye(4, dtype="float32")
DATA = normal(6, 2)
IDS = np.array([0, 0, 2, 1, 2, 2])
NCHW = normal(2, 3, 5, 6)
PEAKED = np.array([[-1.0, 0.0, 1.0], [0.1, 3.0, -2.0]], dtype="float32")
CTC_LOGITS = normal(3, 7, 5)
CTC_TARGET = np.array([[1, 2, 2], [3, 1, 0], [4, 0, 0]])

PARITY = [
    ("adaptive_average_pool_2d", lambda o: o.nn.adaptive_average_pool(IMAGES, (4, 3))),
    ("adaptive_average_pool_1d", lambda o: o.adaptive_average_pool(X, 3)),
    ("adaptive_max_pool_2d_cf", lambda o: o.nn.adaptive_max_pool(IMAGES_CF, 4, data_format="channels_first")),
    ("adaptive_max_pool_3d", lambda o: o.adaptive_max_pool(fixed(1, 5, 4, 3, 2), (2, 3, 2))),
    ("batch_normalization", lambda o: o.nn.batch_normalization(IMAGES, np.full(3, 0.1, "float32"),
                                                                np.full(3, 2.0, "float32"), axis=-1,
                                                                offset=np.ones(3, "float32"),
                                                                scale=np.arange(3, dtype="float32"))),
    ("batch_normalization_axis1", lambda o: o.batch_normalization(IMAGES_CF, np.zeros(3, "float32"),
                                                                   np.ones(3, "float32"), axis=1, epsilon=0.1)),
    ("layer_normalization", lambda o: o.nn.layer_normalization(X, np.arange(3, dtype="float32"),
                                                                np.ones(3, "float32"))),
    ("rms_normalization", lambda o: o.nn.rms_normalization(X, np.arange(3, dtype="float32"))),
    ("ctc_loss", lambda o: o.nn.ctc_loss(CTC_TARGET, CTC_LOGITS, np.array([3, 2, 1]), np.array([7, 5, 3]))),
    ("ctc_loss_blank_last", lambda o: o.ctc_loss(CTC_TARGET, CTC_LOGITS, np.array([3, 2, 1]),
                                                 np.array([7, 7, 4]), mask_index=4)),
    ("ctc_decode_greedy_paths", lambda o: o.nn.ctc_decode(CTC_LOGITS, np.array([7, 5, 3]))[0]),
    ("ctc_decode_greedy_scores", lambda o: o.ctc_decode(CTC_LOGITS, np.array([7, 5, 3]))[1]),
    ("ctc_decode_greedy_unmerged", lambda o: o.ctc_decode(CTC_LOGITS, np.array([7, 5, 3]),
                                                          merge_repeated=False)[0]),
    ("ctc_decode_beam_paths", lambda o: o.ctc_decode(CTC_LOGITS, np.array([7, 5, 3]), strategy="beam_search",
                                                     beam_width=8, top_paths=3)[0]),
    ("ctc_decode_beam_scores", lambda o: o.ctc_decode(CTC_LOGITS, np.array([7, 5, 3]), strategy="beam_search",
                                                      beam_width=8, top_paths=3)[1]),
    ("depth_to_space", lambda o: o.nn.depth_to_space(fixed(2, 3, 2, 8), 2)),
    ("depth_to_space_cf", lambda o: o.depth_to_space(fixed(2, 8, 3, 2), 2, data_format="channels_first")),
    ("space_to_depth", lambda o: o.nn.space_to_depth(fixed(2, 4, 6, 3), 2)),
    ("space_to_depth_cf", lambda o: o.space_to_depth(fixed(2, 3, 4, 6), 2, data_format="channels_first")),
    ("dot_product_attention_gqa", lambda o: o.nn.dot_product_attention(Q, K, V)),
    ("dot_product_attention_mask_causal", lambda o: o.dot_product_attention(Q, KV_FULL, KV_FULL, mask=MASK,
                                                                            is_causal=True)),
    ("dot_product_attention_bias_scale", lambda o: o.dot_product_attention(Q, KV_FULL, KV_FULL, scale=0.3,
                                                                           bias=fixed(1, 4, 4, 5))),
    ("dot_product_attention_causal", lambda o: o.dot_product_attention(Q, K, V, is_causal=True)),
    ("unfold", lambda o: o.nn.unfold(o.convert_to_tensor(NCHW), 2)),
    ("unfold_args", lambda o: o.unfold(o.convert_to_tensor(NCHW), (2, 3), dilation=(1, 2), padding=1, stride=2)),
    ("fold", lambda o: o.nn.fold(o.convert_to_tensor(fixed(2, 12, 20)), (5, 6), 2)),
    ("fold_args", lambda o: o.fold(o.convert_to_tensor(fixed(2, 18, 6)), (5, 6), (2, 3), dilation=(1, 2),
                                   padding=1, stride=2)),
    ("polar", lambda o: o.nn.polar(np.abs(X), X)),
    ("psnr", lambda o: o.nn.psnr(IMAGES, IMAGES * 0.9, 1.0)),
    ("separable_conv_2d", lambda o: o.nn.separable_conv(IMAGES, fixed(3, 3, 3, 2), fixed(1, 1, 6, 4),
                                                        strides=2, padding="same")),
    ("separable_conv_1d", lambda o: o.separable_conv(X, fixed(2, 3, 1), fixed(1, 3, 2))),
    ("conv_transpose_2d", lambda o: o.nn.conv_transpose(IMAGES, fixed(3, 3, 4, 3), strides=2, padding="same")),
    ("conv_transpose_1d", lambda o: o.nn.conv_transpose(X, fixed(3, 2, 3), strides=2)),
    ("sparse_sigmoid", lambda o: o.nn.sparse_sigmoid(X * 2)),
    # Keras' threshold is right only when one value is in the support (see test_sparsemax_is_the_projection)
    ("sparsemax_one_winner", lambda o: o.nn.sparsemax(PEAKED)),
    ("sparsemax_one_winner_axis0", lambda o: o.sparsemax(PEAKED.T.copy(), axis=0)),
    ("cholesky_inverse", lambda o: o.linalg.cholesky_inverse(SPD_FACTOR)),
    ("cholesky_inverse_upper", lambda o: o.cholesky_inverse(SPD_FACTOR.T.copy(), upper=True)),
    ("solve_triangular_upper", lambda o: o.linalg.solve_triangular(UPPER, fixed(3, 2))),
    ("solve_triangular_lower_vector", lambda o: o.solve_triangular(LOWER, fixed(3), lower=True)),
    ("lu_factor_lu", lambda o: o.linalg.lu_factor(SQUARE)[0]),
    ("lu_factor_pivots", lambda o: o.lu_factor(SQUARE[0])[1]),
    ("logdet", lambda o: o.logdet(SQUARE)),
    ("segment_sum", lambda o: o.segment_sum(DATA, IDS)),
    ("segment_sum_num", lambda o: o.segment_sum(DATA, IDS, num_segments=4)),
    ("segment_max", lambda o: o.segment_max(DATA, IDS)),
    ("segment_min", lambda o: o.segment_min(DATA, IDS, num_segments=3)),
    ("segment_prod", lambda o: o.segment_prod(DATA, IDS)),
    ("associative_scan", lambda o: o.associative_scan(lambda a, b: a + b, X, axis=1)),
    ("associative_scan_reverse", lambda o: o.associative_scan(lambda a, b: a * b, X, reverse=True)),
    ("associative_scan_tree", lambda o: o.associative_scan(lambda a, b: [a[0] + b[0], a[1] * b[1]],
                                                           [X, X + 1.0])[1]),
]


@pytest.mark.parametrize("name, call", PARITY, ids=[p[0] for p in PARITY])
def test_matches_keras(name, call):
    keras = pytest.importorskip("keras")
    theirs = keras.ops.convert_to_numpy(call(keras.ops))
    ours = ops.convert_to_numpy(call(ops))
    assert ours.shape == theirs.shape, f"{name}: {ours.shape} vs Keras {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{name}: {ours.dtype} vs Keras {theirs.dtype}"
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


# --- against torch and NumPy references ------------------------------------------------------


def test_ctc_loss_and_gradient_match_torch():
    torch = pytest.importorskip("torch")
    target_length, output_length = np.array([3, 2, 1]), np.array([7, 5, 3])
    logits = Tensor(CTC_LOGITS, requires_grad=True)
    weights = np.array([1.0, -2.0, 0.5], dtype="float32")
    loss = ops.ctc_loss(CTC_TARGET, logits, target_length, output_length)
    ops.sum(loss * weights).backward()
    reference = torch.tensor(CTC_LOGITS, requires_grad=True)
    expected = torch.nn.functional.ctc_loss(
        torch.log_softmax(reference, -1).transpose(0, 1), torch.tensor(CTC_TARGET), torch.tensor(output_length),
        torch.tensor(target_length), blank=0, reduction="none")
    (expected * torch.tensor(weights)).sum().backward()
    assert loss.dtype == np.float32 and logits.grad.dtype == np.float32
    np.testing.assert_allclose(loss.data, expected.detach().numpy(), rtol=1e-5)
    np.testing.assert_allclose(logits.grad, reference.grad.numpy(), atol=1e-5)


def test_dot_product_attention_matches_torch_sdpa():
    torch = pytest.importorskip("torch")
    q, k, v = (torch.tensor(a).transpose(1, 2) for a in (Q, KV_FULL, KV_FULL))
    expected = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=torch.tensor(MASK))
    ours = ops.dot_product_attention(Q, KV_FULL, KV_FULL, mask=MASK)
    np.testing.assert_allclose(ours.data, expected.transpose(1, 2).numpy(), atol=1e-5)


def test_layer_and_rms_normalization_over_leading_axes_match_numpy():
    x = IMAGES.astype("float64")
    mean, var = x.mean(axis=(1, 2), keepdims=True), x.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(ops.layer_normalization(x, axis=(1, 2), epsilon=1e-3).data,
                               (x - mean) / np.sqrt(var + 1e-3), atol=1e-10)
    np.testing.assert_allclose(ops.rms_normalization(X, axis=0).data,
                               X / np.sqrt((X**2).mean(axis=0, keepdims=True) + 1e-7), rtol=1e-5)


def _projection(z):
    """Sparsemax by its definition: the closest point of the simplex (threshold from the sorted values)."""
    ordered = np.sort(z)[::-1]
    k = max(j for j in range(1, len(z) + 1) if 1 + j * ordered[j - 1] > ordered[:j].sum())
    return np.maximum(z - (ordered[:k].sum() - 1) / k, 0.0)


def test_sparsemax_is_the_projection_onto_the_simplex():
    z = normal(4, 6) * 0.5
    ours = ops.sparsemax(z).data
    np.testing.assert_allclose(ours, np.stack([_projection(row) for row in z]), atol=1e-6)
    np.testing.assert_allclose(ours.sum(axis=-1), 1.0, rtol=1e-6)


def test_ctc_beam_search_finds_the_most_probable_labelling():
    """With a beam wide enough to keep everything, the best path is the exact argmax over labellings."""
    import itertools

    logits = CTC_LOGITS[:1, :4, :3]
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    totals = {}
    for alignment in itertools.product(range(3), repeat=4):
        labels = tuple(c for i, c in enumerate(alignment) if c != 0 and (i == 0 or alignment[i - 1] != c))
        totals[labels] = np.logaddexp(totals.get(labels, -np.inf), log_probs[0, range(4), alignment].sum())
    best = max(totals, key=totals.get)
    paths, scores = ops.ctc_decode(logits, np.array([4]), strategy="beam_search", beam_width=100)
    assert paths.shape == (1, 1, 4) and paths.dtype == np.int32
    assert tuple(paths.data[0, 0, :len(best)]) == best and np.all(paths.data[0, 0, len(best):] == -1)
    np.testing.assert_allclose(scores.data[0, 0], totals[best], rtol=1e-5)


def test_jvp_matches_jacobian_times_tangent():
    x, t = normal(3, dtype="float64"), normal(3, dtype="float64")
    outputs, product = ops.linalg.jvp(lambda a: ops.sin(a) * a[0], (x,), (t,))
    jacobian = np.diag(np.cos(x) * x[0])
    jacobian[:, 0] += np.sin(x)
    np.testing.assert_allclose(outputs.data, np.sin(x) * x[0])
    np.testing.assert_allclose(product.data, jacobian @ t, rtol=1e-10)
    _, _, aux = ops.jvp(lambda a: (ops.sum(a), "aux"), (x,), (t,), has_aux=True)
    assert aux == "aux"


def test_bad_inputs_get_clear_errors():
    with pytest.raises(ValueError, match="one id per row"):
        ops.segment_sum(DATA, np.array([0, 1]))
    with pytest.raises(ValueError, match="4-D inputs"):
        ops.dot_product_attention(X, X, X)
    with pytest.raises(ValueError, match="divisible"):
        ops.depth_to_space(normal(1, 2, 2, 3), 2)
    with pytest.raises(ValueError, match="strategy"):
        ops.ctc_decode(CTC_LOGITS, np.array([7, 7, 7]), strategy="best")
    with pytest.raises(ValueError, match="square"):
        ops.logdet(normal(2, 3))
    with pytest.raises(ValueError, match="fold expects"):
        ops.fold(normal(2, 5, 20), (5, 6), 2)


# --- gradients -------------------------------------------------------------------------------


def f64(*shape):
    return RNG.standard_normal(shape)


def distinct(*shape):
    return RNG.permutation(np.arange(int(np.prod(shape)))).reshape(shape) * 0.37 - 1.0


GRADIENTS = [
    ("adaptive_average_pool", lambda x: ops.adaptive_average_pool(x, (2, 3)), [f64(1, 5, 4, 2)]),
    ("adaptive_max_pool", lambda x: ops.adaptive_max_pool(x, 2, data_format="channels_first"), [distinct(1, 2, 5, 3)]),
    ("batch_normalization", lambda x, m, v, b, s: ops.batch_normalization(x, m, v, axis=1, offset=b, scale=s),
     [f64(2, 3, 2), f64(3), RNG.uniform(0.5, 2, 3), f64(3), f64(3)]),
    ("layer_normalization", lambda x, g, b: ops.layer_normalization(x, g, b), [f64(3, 4), f64(4), f64(4)]),
    ("layer_normalization_rms_scaling", lambda x, g: ops.layer_normalization(x, g, rms_scaling=True),
     [f64(3, 4), f64(4)]),
    ("rms_normalization", lambda x, s: ops.rms_normalization(x, s), [f64(3, 4), f64(4)]),
    ("ctc_loss", lambda z: ops.ctc_loss(CTC_TARGET[:2], z, np.array([3, 2]), np.array([6, 4])), [f64(2, 6, 5)]),
    ("depth_to_space", lambda x: ops.depth_to_space(x, 2), [f64(1, 2, 2, 4)]),
    ("space_to_depth", lambda x: ops.space_to_depth(x, 2, data_format="channels_first"), [f64(1, 2, 4, 2)]),
    ("dot_product_attention", lambda q, k, v: ops.dot_product_attention(q, k, v, is_causal=True),
     [f64(1, 3, 2, 4), f64(1, 3, 1, 4), f64(1, 3, 1, 4)]),
    ("dot_product_attention_bias", lambda q, k, v, b: ops.dot_product_attention(q, k, v, bias=b),
     [f64(1, 2, 1, 3), f64(1, 3, 1, 3), f64(1, 3, 1, 3), f64(1, 1, 2, 3)]),
    ("unfold", lambda x: ops.unfold(x, 2, padding=1, stride=2), [f64(1, 2, 3, 4)]),
    ("fold", lambda x: ops.fold(x, (3, 4), 2, padding=1, stride=2), [f64(1, 8, 6)]),
    ("psnr", lambda a, b: ops.psnr(a, b, 2.0), [f64(2, 3), f64(2, 3)]),
    ("separable_conv", lambda x, d, p: ops.separable_conv(x, d, p, padding="same"),
     [f64(1, 4, 4, 2), f64(3, 3, 2, 1), f64(1, 1, 2, 3)]),
    ("conv_transpose", lambda x, k: ops.nn.conv_transpose(x, k, strides=2), [f64(1, 3, 2), f64(3, 2, 2)]),
    ("sparse_sigmoid", lambda x: ops.sparse_sigmoid(x), [np.array([-1.5, -0.3, 0.4, 1.6])]),
    ("sparsemax", lambda x: ops.sparsemax(x, axis=0), [f64(5, 2) * 0.4]),
    ("cholesky_inverse", lambda x: ops.cholesky_inverse(x), [np.tril(f64(3, 3)) + 2 * np.eye(3)]),
    ("solve_triangular", lambda a, b: ops.solve_triangular(a, b, lower=True),
     [np.tril(f64(3, 3)) + 3 * np.eye(3), f64(3, 2)]),
    ("logdet", lambda x: ops.logdet(x), [f64(2, 3, 3) * 0.3 + 2 * np.eye(3)]),
    ("segment_sum", lambda x: ops.segment_sum(x, np.array([1, 0, 1, 5]), num_segments=3), [f64(4, 2)]),
    ("segment_max", lambda x: ops.segment_max(x, np.array([1, 0, 1, 1])), [distinct(4, 2)]),
    ("segment_min", lambda x: ops.segment_min(x, np.array([1, 0, 1, 1])), [distinct(4, 2)]),
    ("associative_scan", lambda x: ops.associative_scan(lambda a, b: a * b, x, axis=1), [f64(2, 5)]),
]


@pytest.mark.parametrize("name, fn, inputs", GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_gradcheck(name, fn, inputs):
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("name, fn, inputs", GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_float32_in_float32_out(name, fn, inputs):
    tensors = [Tensor(np.asarray(a, dtype="float32"), requires_grad=True) for a in inputs]
    out = fn(*tensors)
    assert out.dtype == np.float32, f"{name} gave {out.dtype}"
    ops.sum(out * 1.0).backward()
    for t in tensors:
        assert t.grad is not None and t.grad.dtype == np.float32, name
