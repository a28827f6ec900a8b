"""The keras.ops.nn / ops.linalg / segment ops added for Keras 3.15 parity: values against Keras
(torch backend) and torch, dtypes and shapes, float64 finite-difference gradients."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported

from glassnet import ops  # noqa: E402
from glassnet.autodiff import Tensor, gradcheck  # noqa: E402

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
                                                 np.array([7, 7, 4]), mask_index=4 if o is ops else 4)),
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
