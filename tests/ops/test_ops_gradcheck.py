"""Every differentiable op in glassnet.ops against central differences (float64, small shapes),
and the same ops on float32 inputs giving float32 outputs and float32 gradients.

Inputs are chosen away from kinks: no zeros for relu/abs/leaky_relu/elu/selu, no values near
the clip bounds or hard_sigmoid's +-3, no ties for max/min/maximum/minimum.
"""

import numpy as np
import pytest

from glassnet import losses, ops
from glassnet.autodiff import Tensor, gradcheck

RNG = np.random.default_rng(20240601)


def normal(*shape):
    return RNG.standard_normal(shape)


def away(*shape, low=0.2, high=1.5):
    """Values with |v| in [low, high], random signs: far from 0."""
    size = int(np.prod(shape)) if shape else 1
    magnitude = RNG.uniform(low, high, size)
    signs = np.where(np.arange(size) % 2 == 0, 1.0, -1.0)
    RNG.shuffle(signs)
    return (magnitude * signs).reshape(shape)


def positive(*shape, low=0.3, high=2.0):
    return RNG.uniform(low, high, shape)


def distinct(*shape):
    """All values distinct, at least 0.05 apart (no ties for max/min)."""
    size = int(np.prod(shape))
    return RNG.permutation(np.linspace(-2.0, 2.0, size)).reshape(shape)


def probabilities(rows, classes):
    p = RNG.uniform(0.1, 1.0, (rows, classes))
    return p / p.sum(axis=-1, keepdims=True)


LABELS = np.array([2, 0, 4, 1])
ONE_HOT = np.eye(5)[LABELS]
COND = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])
MASK = np.array([[True, False, True, False], [False, True, True, False], [True, False, False, True]])

# (id, fn taking Tensors, inputs, extra gradcheck kwargs)
CASES = [
    # --- math
    ("add", ops.add, [normal(3, 4), normal(3, 4)], {}),
    ("add_broadcast", ops.add, [normal(3, 1), normal(2, 3, 4)], {}),
    ("add_python_number", lambda x: ops.add(x, 2.5), [normal(3)], {}),
    ("subtract", ops.subtract, [normal(2, 3), normal(3)], {}),
    ("subtract_from_number", lambda x: ops.subtract(1.0, x), [normal(4)], {}),
    ("multiply", ops.multiply, [normal(2, 3), normal(2, 3)], {}),
    ("multiply_broadcast", ops.multiply, [normal(4, 1, 3), normal(2, 1)], {}),
    ("divide", ops.divide, [normal(2, 3), away(2, 3, low=0.5)], {}),
    ("divide_number_by_tensor", lambda x: ops.divide(2.0, x), [away(5, low=0.5)], {}),
    ("negative", ops.negative, [normal(2, 3)], {}),
    ("power_both", ops.power, [positive(2, 3), normal(2, 3)], {}),
    ("power_broadcast_exponent", ops.power, [positive(2, 3), normal(3)], {}),
    ("power_number_exponent", lambda x: ops.power(x, 3), [normal(4)], {}),
    ("power_fractional_exponent", lambda x: ops.power(x, 1.5), [positive(4)], {}),
    ("power_number_base", lambda x: ops.power(2.0, x), [normal(4)], {}),
    ("square", ops.square, [normal(2, 3)], {}),
    ("sqrt", ops.sqrt, [positive(2, 3)], {}),
    ("exp", ops.exp, [normal(2, 3)], {}),
    ("log", ops.log, [positive(2, 3)], {}),
    ("abs", ops.abs, [away(2, 3)], {}),
    ("clip", lambda x: ops.clip(x, -0.8, 0.9),
     [np.array([[-1.4, -0.5, 0.2], [0.7, 1.3, -0.1], [-0.95, 0.85, 1.1]])], {}),
    ("maximum", ops.maximum, [distinct(3, 4), distinct(3, 4) + 0.013], {}),
    ("maximum_broadcast", ops.maximum, [distinct(3, 4), np.array([-0.51, 0.03, 0.49, 1.02])], {}),
    ("maximum_number", lambda x: ops.maximum(x, 0.1), [away(3, 4)], {}),
    ("minimum", ops.minimum, [distinct(3, 4), distinct(3, 4) + 0.013], {}),
    ("minimum_number", lambda x: ops.minimum(0.1, x), [away(3, 4)], {}),
    ("where", lambda a, b: ops.where(COND, a, b), [normal(3, 4), normal(3, 4)], {}),
    ("where_broadcast", lambda a, b: ops.where(COND, a, b), [normal(3, 1), normal(4)], {}),
    ("where_number", lambda a: ops.where(COND, a, 0.0), [normal(3, 4)], {}),
    # --- reductions
    ("sum_all", ops.sum, [normal(2, 3, 4)], {}),
    ("sum_axis", lambda x: ops.sum(x, axis=1), [normal(2, 3, 4)], {}),
    ("sum_axes_keepdims", lambda x: ops.sum(x, axis=(0, 2), keepdims=True), [normal(2, 3, 4)], {}),
    ("sum_negative_axis", lambda x: ops.sum(x, axis=-1), [normal(2, 3, 4)], {}),
    ("mean_all", ops.mean, [normal(2, 3, 4)], {}),
    ("mean_axis", lambda x: ops.mean(x, axis=0), [normal(2, 3, 4)], {}),
    ("mean_axes_keepdims", lambda x: ops.mean(x, axis=(1, 2), keepdims=True), [normal(2, 3, 4)], {}),
    ("max_all", ops.max, [distinct(2, 3, 4)], {}),
    ("max_axis", lambda x: ops.max(x, axis=1), [distinct(2, 3, 4)], {}),
    ("max_axes_keepdims", lambda x: ops.max(x, axis=(0, 2), keepdims=True), [distinct(2, 3, 4)], {}),
    ("max_negative_axis", lambda x: ops.max(x, axis=-1), [distinct(3, 4)], {}),
    ("min_all", ops.min, [distinct(3, 4)], {}),
    ("min_axis", lambda x: ops.min(x, axis=0), [distinct(3, 4)], {}),
    ("min_axis_keepdims", lambda x: ops.min(x, axis=1, keepdims=True), [distinct(3, 4)], {}),
    ("var_all", ops.var, [normal(3, 4)], {}),
    ("var_axis", lambda x: ops.var(x, axis=1), [normal(3, 4)], {}),
    ("var_axis_keepdims", lambda x: ops.var(x, axis=0, keepdims=True), [normal(3, 4)], {}),
    ("std_all", ops.std, [normal(3, 4)], {}),
    ("std_axis", lambda x: ops.std(x, axis=-1), [normal(3, 4)], {}),
    ("logsumexp_all", ops.logsumexp, [normal(3, 4)], {}),
    ("logsumexp_axis", lambda x: ops.logsumexp(x, axis=1), [normal(3, 4)], {}),
    ("logsumexp_axis_keepdims", lambda x: ops.logsumexp(x, axis=0, keepdims=True), [normal(3, 4)], {}),
    ("logsumexp_large_values", lambda x: ops.logsumexp(x, axis=-1), [normal(2, 3) + 500.0], {}),
    # --- shape
    ("reshape", lambda x: ops.reshape(x, (4, 3)), [normal(2, 6)], {}),
    ("reshape_minus_one", lambda x: ops.reshape(x, (-1, 2)), [normal(2, 3, 2)], {}),
    ("transpose_default", ops.transpose, [normal(2, 3, 4)], {}),
    ("transpose_axes", lambda x: ops.transpose(x, (1, 2, 0)), [normal(2, 3, 4)], {}),
    ("transpose_negative_axes", lambda x: ops.transpose(x, (0, -1, -2)), [normal(2, 3, 4)], {}),
    ("get_item_slice", lambda x: ops.get_item(x, (slice(1, None), slice(None, None, 2))), [normal(3, 5)], {}),
    ("get_item_int", lambda x: ops.get_item(x, 1), [normal(3, 4)], {}),
    ("get_item_negative_step", lambda x: ops.get_item(x, slice(None, None, -1)), [normal(4, 2)], {}),
    ("get_item_int_array_repeats", lambda x: ops.get_item(x, np.array([0, 2, 0, 0, 1])), [normal(3, 4)], {}),
    ("get_item_2d_int_arrays_repeats",
     lambda x: ops.get_item(x, (np.array([0, 1, 0]), np.array([2, 2, 2]))), [normal(3, 4)], {}),
    ("get_item_bool_mask", lambda x: ops.get_item(x, MASK), [normal(3, 4)], {}),
    ("get_item_bool_rows", lambda x: ops.get_item(x, np.array([True, False, True])), [normal(3, 4)], {}),
    ("get_item_mixed", lambda x: ops.get_item(x, (Ellipsis, np.array([3, 3, 0]))), [normal(2, 3, 4)], {}),
    ("get_item_newaxis", lambda x: ops.get_item(x, (None, slice(None), 1)), [normal(3, 4)], {}),
    ("take_flat", lambda x: ops.take(x, np.array([5, 0, 5, 11])), [normal(3, 4)], {}),
    ("take_axis", lambda x: ops.take(x, np.array([1, 1, 3]), axis=1), [normal(3, 4)], {}),
    ("take_axis_2d_indices", lambda x: ops.take(x, np.array([[0, 2], [2, 2]]), axis=0), [normal(3, 4)], {}),
    ("take_negative_axis", lambda x: ops.take(x, np.array([0, 0]), axis=-1), [normal(2, 3, 4)], {}),
    ("take_along_axis_last",
     lambda x: ops.take_along_axis(x, np.array([[0, 0], [3, 1], [2, 2]]), axis=-1), [normal(3, 4)], {}),
    ("take_along_axis_first",
     lambda x: ops.take_along_axis(x, np.array([[0, 1, 2, 2], [2, 2, 0, 1]]), axis=0), [normal(3, 4)], {}),
    ("take_along_axis_none", lambda x: ops.take_along_axis(x, np.array([0, 5, 5, 2]), axis=None),
     [normal(2, 3)], {}),
    ("take_along_axis_broadcast_indices",
     lambda x: ops.take_along_axis(x, np.array([[0, 2, 2]]), axis=1), [normal(3, 4)], {}),
    ("take_along_axis_broadcast_input",
     lambda x: ops.take_along_axis(x, np.array([[0, 3], [1, 1], [2, 0]]), axis=1), [normal(1, 4)], {}),
    ("concatenate", lambda a, b, c: ops.concatenate([a, b, c], axis=0),
     [normal(2, 3), normal(1, 3), normal(4, 3)], {}),
    ("concatenate_last_axis", lambda a, b: ops.concatenate([a, b], axis=-1), [normal(2, 3), normal(2, 1)], {}),
    ("stack", lambda a, b, c: ops.stack([a, b, c]), [normal(2, 3), normal(2, 3), normal(2, 3)], {}),
    ("stack_axis", lambda a, b: ops.stack([a, b], axis=-1), [normal(2, 3), normal(2, 3)], {}),
    ("expand_dims", lambda x: ops.expand_dims(x, 1), [normal(2, 3)], {}),
    ("expand_dims_negative", lambda x: ops.expand_dims(x, -1), [normal(2, 3)], {}),
    ("squeeze_all", ops.squeeze, [normal(1, 3, 1, 2)], {}),
    ("squeeze_axis", lambda x: ops.squeeze(x, axis=2), [normal(1, 3, 1, 2)], {}),
    ("broadcast_to", lambda x: ops.broadcast_to(x, (2, 3, 4)), [normal(3, 1)], {}),
    ("broadcast_to_same_rank", lambda x: ops.broadcast_to(x, (3, 4)), [normal(1, 4)], {}),
    ("pad", lambda x: ops.pad(x, ((1, 2), (0, 3))), [normal(2, 3)], {}),
    ("pad_constant", lambda x: ops.pad(x, ((0, 1), (2, 0), (1, 1)), constant_values=1.5), [normal(2, 2, 2)], {}),
    # --- linear algebra
    ("matmul_2d", ops.matmul, [normal(3, 4), normal(4, 2)], {}),
    ("matmul_batched", ops.matmul, [normal(2, 3, 4), normal(2, 4, 5)], {}),
    ("matmul_broadcast_right", ops.matmul, [normal(2, 3, 4), normal(4, 5)], {}),
    ("matmul_broadcast_left", ops.matmul, [normal(3, 4), normal(2, 4, 5)], {}),
    ("matmul_broadcast_both", ops.matmul, [normal(2, 1, 3, 4), normal(3, 4, 2)], {}),
    ("dot", ops.dot, [normal(3, 4), normal(4, 2)], {}),
    # --- activations
    ("relu", ops.relu, [away(3, 4)], {}),
    ("relu6", ops.relu6, [np.array([-1.0, 0.5, 3.0, 5.9, 6.5, 8.0])], {}),
    ("leaky_relu", ops.leaky_relu, [away(3, 4)], {}),
    ("leaky_relu_slope", lambda x: ops.leaky_relu(x, negative_slope=0.05), [away(3, 4)], {}),
    ("elu", ops.elu, [away(3, 4, high=3.0)], {}),
    ("elu_alpha", lambda x: ops.elu(x, alpha=0.5), [away(3, 4, high=3.0)], {}),
    ("selu", ops.selu, [away(3, 4, high=3.0)], {}),
    ("gelu", ops.gelu, [normal(3, 4) * 2.0], {}),
    ("gelu_approximate", lambda x: ops.gelu(x, approximate=True), [normal(3, 4) * 2.0], {}),
    ("sigmoid", ops.sigmoid, [normal(3, 4) * 3.0], {}),
    ("hard_sigmoid", ops.hard_sigmoid, [np.array([-5.0, -2.9, -1.0, 0.0, 0.5, 2.7, 3.2, 7.0])], {}),
    ("tanh", ops.tanh, [normal(3, 4)], {}),
    ("softmax", ops.softmax, [normal(3, 4)], {}),
    ("softmax_axis0", lambda x: ops.softmax(x, axis=0), [normal(3, 4)], {}),
    ("softmax_3d", ops.softmax, [normal(2, 3, 4)], {}),
    ("log_softmax", ops.log_softmax, [normal(3, 4)], {}),
    ("log_softmax_axis0", lambda x: ops.log_softmax(x, axis=0), [normal(3, 4)], {}),
    ("softplus", ops.softplus, [normal(3, 4) * 3.0], {}),
    ("softsign", ops.softsign, [away(3, 4, high=3.0)], {}),
    ("silu", ops.silu, [normal(3, 4) * 2.0], {}),
    ("swish", ops.swish, [normal(3, 4)], {}),
    # --- fused dense
    *[
        (f"dense_{activation}_{'bias' if use_bias else 'nobias'}",
         (lambda a, b: (lambda x, k, bias=None: ops.dense(x, k, bias, activation=a)))(activation, use_bias),
         [normal(4, 3), normal(3, 5)] + ([normal(5)] if use_bias else []), {})
        for activation in (None, "linear", "relu", "sigmoid", "tanh")
        for use_bias in (True, False)
    ],
    ("dense_3d_input_relu", lambda x, k, b: ops.dense(x, k, b, activation="relu"),
     [normal(2, 3, 4), normal(4, 5), normal(5)], {}),
    ("dense_3d_input_sigmoid_nobias", lambda x, k: ops.dense(x, k, None, activation="sigmoid"),
     [normal(2, 3, 4), normal(4, 2)], {}),
    # --- cross-entropies (targets/labels are not differentiated: check the logits only)
    ("softmax_cross_entropy", ops.softmax_cross_entropy, [normal(4, 5), probabilities(4, 5)], {"check": [0]}),
    ("softmax_cross_entropy_one_hot", ops.softmax_cross_entropy, [normal(4, 5) * 3, ONE_HOT], {"check": [0]}),
    ("softmax_cross_entropy_unnormalised_target", ops.softmax_cross_entropy,
     [normal(4, 5), RNG.uniform(0.0, 2.0, (4, 5))], {"check": [0]}),
    ("softmax_cross_entropy_3d", ops.softmax_cross_entropy,
     [normal(2, 3, 4), np.eye(4)[np.array([[0, 3, 1], [2, 2, 0]])]], {"check": [0]}),
    ("sparse_softmax_cross_entropy", ops.sparse_softmax_cross_entropy, [normal(4, 5), LABELS], {}),
    ("sparse_softmax_cross_entropy_3d", ops.sparse_softmax_cross_entropy,
     [normal(2, 3, 4), np.array([[0, 3, 1], [2, 2, 0]])], {}),
    ("sigmoid_cross_entropy", ops.sigmoid_cross_entropy,
     [normal(3, 4) * 3, RNG.uniform(0, 1, (3, 4))], {"check": [0]}),
    ("sigmoid_cross_entropy_binary", ops.sigmoid_cross_entropy,
     [away(3, 4, high=4.0), (RNG.uniform(size=(3, 4)) > 0.5).astype(float)], {"check": [0]}),
    # --- cross-entropy through the losses, on a recorded softmax: the fused path reusing the node
    ("loss_sparse_cce_reuses_softmax",
     lambda z: losses.sparse_categorical_crossentropy(LABELS, ops.softmax(z)), [normal(4, 5) * 2], {}),
    ("loss_sparse_cce_column_labels_reuses_softmax",
     lambda z: losses.sparse_categorical_crossentropy(LABELS[:, None], ops.softmax(z)), [normal(4, 5)], {}),
    ("loss_cce_reuses_softmax",
     lambda z: losses.categorical_crossentropy(ONE_HOT, ops.softmax(z)), [normal(4, 5) * 2], {}),
    ("loss_cce_label_smoothing_reuses_softmax",
     lambda z: losses.categorical_crossentropy(ONE_HOT, ops.softmax(z), label_smoothing=0.1),
     [normal(4, 5)], {}),
    ("loss_sparse_cce_from_logits",
     lambda z: losses.sparse_categorical_crossentropy(LABELS, z, from_logits=True), [normal(4, 5)], {}),
    ("loss_bce_reuses_sigmoid",
     lambda z: losses.binary_crossentropy(np.array([[1.0], [0.0], [1.0]]), ops.sigmoid(z)), [normal(3, 1)], {}),
    # --- dropout with a fixed mask (a fresh generator with the same seed on every call)
    ("dropout", lambda x: ops.dropout(x, 0.4, np.random.default_rng(7)), [normal(4, 5)], {}),
    ("dropout_noise_shape", lambda x: ops.dropout(x, 0.5, np.random.default_rng(3), noise_shape=(None, 1, 3)),
     [normal(2, 4, 3)], {}),
]

IDS = [case[0] for case in CASES]
assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("name, fn, inputs, kwargs", CASES, ids=IDS)
def test_gradcheck(name, fn, inputs, kwargs):
    assert gradcheck(fn, inputs, **kwargs)


@pytest.mark.parametrize("name, fn, inputs, kwargs", CASES, ids=IDS)
def test_float32_in_float32_out_and_float32_gradients(name, fn, inputs, kwargs):
    arrays = [np.asarray(a, dtype=np.float32) if np.asarray(a).dtype.kind == "f" else a for a in inputs]
    check = kwargs.get("check", [i for i, a in enumerate(arrays) if np.asarray(a).dtype.kind == "f"])
    tensors = [Tensor(a, requires_grad=i in check) for i, a in enumerate(arrays)]
    out = fn(*tensors)
    assert out.dtype == np.float32, f"{name}: output is {out.dtype}"
    weights = np.random.default_rng(0).standard_normal(out.shape).astype(np.float32)
    out.backward(grad=weights)
    for i in check:
        grad = tensors[i].grad
        assert grad is not None, f"{name}: input {i} got no gradient"
        assert grad.dtype == np.float32, f"{name}: gradient of input {i} is {grad.dtype}"
        assert grad.shape == arrays[i].shape


def test_every_public_differentiable_op_is_covered():
    """Each differentiable op of glassnet.ops has at least one case above."""
    differentiable = [
        "add", "subtract", "multiply", "divide", "negative", "power", "square", "sqrt", "exp", "log", "abs",
        "clip", "maximum", "minimum", "where", "sum", "mean", "max", "min", "var", "std", "logsumexp",
        "reshape", "transpose", "get_item", "take", "take_along_axis", "concatenate", "stack", "expand_dims",
        "squeeze", "broadcast_to", "pad", "matmul", "dot", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu",
        "sigmoid", "hard_sigmoid", "tanh", "softmax", "log_softmax", "softplus", "softsign", "silu", "swish",
        "dense", "softmax_cross_entropy", "sparse_softmax_cross_entropy", "sigmoid_cross_entropy", "dropout",
    ]
    assert all(callable(getattr(ops, op)) for op in differentiable)
    missing = [op for op in differentiable if not any(i == op or i.startswith(op + "_") for i in IDS)]
    assert not missing


@pytest.mark.parametrize("name, fn, inputs, kwargs", CASES, ids=IDS)
def test_incoming_gradient_is_not_modified(name, fn, inputs, kwargs):
    """The gradient array handed to the last op of each case holds the same values afterwards."""
    check = kwargs.get("check", [i for i, a in enumerate(inputs) if np.asarray(a).dtype.kind == "f"])
    tensors = [Tensor(np.array(a), requires_grad=i in check) for i, a in enumerate(inputs)]
    out = fn(*tensors)
    grad = np.random.default_rng(1).standard_normal(out.shape)
    snapshot = grad.copy()
    out.backward(grad=grad)
    np.testing.assert_array_equal(grad, snapshot)
    for i in check:  # and the gradients that came back are finite numbers
        assert np.isfinite(tensors[i].grad).all()


def test_fused_path_is_taken_through_the_losses():
    """The loss on softmax(z) must be one SparseSoftmaxCrossEntropy node fed by z itself."""
    from glassnet.ops.nn import SoftmaxCrossEntropy, SparseSoftmaxCrossEntropy

    z = Tensor(normal(4, 5).astype(np.float32), requires_grad=True)
    y = ops.softmax(z)
    sparse = losses.sparse_categorical_crossentropy(LABELS, y)
    assert isinstance(sparse.creator, SparseSoftmaxCrossEntropy)
    assert sparse.creator.inputs[0] is z
    dense = losses.categorical_crossentropy(ONE_HOT, y)
    assert isinstance(dense.creator, SoftmaxCrossEntropy)
    assert dense.creator.inputs[0] is z
    # the values equal -log(softmax(z)[label]) computed independently
    zd = z.data.astype(np.float64)
    log_p = zd - zd.max(-1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(-1, keepdims=True))
    np.testing.assert_allclose(sparse.data, -log_p[np.arange(4), LABELS], rtol=1e-5)
    np.testing.assert_allclose(dense.data, -log_p[np.arange(4), LABELS], rtol=1e-5)
    # and the gradient wrt z is softmax(z) - onehot, weighted by the incoming gradient
    sparse.sum().backward()
    np.testing.assert_allclose(z.grad, np.exp(log_p) - ONE_HOT, rtol=1e-5, atol=1e-6)


def test_fused_loss_does_not_modify_the_softmax_output():
    z = Tensor(normal(4, 5).astype(np.float32), requires_grad=True)
    y = ops.softmax(z)
    before = y.data.copy()
    losses.sparse_categorical_crossentropy(LABELS, y).sum().backward()
    z2 = Tensor(z.data.copy(), requires_grad=True)
    y2 = ops.softmax(z2)
    losses.categorical_crossentropy(ONE_HOT, y2).sum().backward()
    np.testing.assert_array_equal(y.data, before)
    np.testing.assert_array_equal(y2.data, before)


def test_dropout_gradient_equals_the_mask():
    rate = 0.3
    x = Tensor(normal(6, 7), requires_grad=True)
    y = ops.dropout(x, rate, np.random.default_rng(11))
    expected_mask = (np.random.default_rng(11).random((6, 7), dtype=np.float32) >= rate) / (1.0 - rate)
    np.testing.assert_allclose(y.data, x.data * expected_mask)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, expected_mask)
    assert 0 < np.count_nonzero(expected_mask) < expected_mask.size


def test_dropout_noise_shape_shares_the_mask_along_broadcast_axes():
    x = Tensor(np.ones((3, 4, 5)), requires_grad=True)
    y = ops.dropout(x, 0.5, np.random.default_rng(2), noise_shape=(None, 1, 5))
    kept = y.data != 0
    assert (kept == kept[:, :1, :]).all()
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.data)  # for x = 1, y = mask = gradient


def test_max_gradient_is_shared_among_ties():
    # a documented choice (split evenly), checked against the formula: 1 / (number of tied maxima)
    x = Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 0.0, -1.0]]), requires_grad=True)
    ops.max(x, axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])
