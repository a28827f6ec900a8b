"""Losses against independent references: torch.nn.functional, and Keras 3's formulas written out here.

Keras 3 conventions checked: probabilities clipped to [1e-7, 1 - 1e-7]; categorical cross-entropy
normalises y_pred by its sum; "sum_over_batch_size" is the mean over samples of the (weighted)
per-sample values; label_smoothing; ignore_class averages over the entries that count.
"""

import numpy as np
import pytest

import glassnet
from glassnet import layers, losses, ops

torch = pytest.importorskip("torch")
F = torch.nn.functional

EPS32 = np.float32(1e-7)


def run(loss, y_true, y_pred, sample_weight=None):
    """(value, d value / d y_pred) from glassnet."""
    pred = glassnet.Tensor(np.asarray(y_pred, "float32"), requires_grad=True)
    value = loss(y_true, pred, sample_weight=sample_weight)
    value.backward()
    return float(value.numpy()), pred.grad


def torch_run(fn, y_pred):
    """(value, gradient) of a torch reference computed in float64."""
    pred = torch.tensor(np.asarray(y_pred, "float64"), requires_grad=True)
    value = fn(pred)
    value.backward()
    return float(value.detach()), pred.grad.numpy()


def t64(array):
    return torch.tensor(np.asarray(array, "float64"))


def check(ours, reference, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(ours[0], reference[0], rtol=rtol, atol=atol)
    np.testing.assert_allclose(ours[1], reference[1], rtol=max(rtol, 1e-4), atol=atol)


@pytest.fixture
def regression(rng):
    return rng.standard_normal((6, 4)).astype("float32"), rng.standard_normal((6, 4)).astype("float32")


@pytest.fixture
def binary(rng):
    y = (rng.uniform(size=(6, 3)) > 0.5).astype("float32")
    p = rng.uniform(0.02, 0.98, size=(6, 3)).astype("float32")
    return y, p


@pytest.fixture
def categorical(rng):
    labels = np.array([0, 2, 1, 3, 3, 0])
    logits = (rng.standard_normal((6, 4)) * 2).astype("float32")
    return labels, np.eye(4, dtype="float32")[labels], logits


# --- regression losses ------------------------------------------------------------------------------


def test_mse_matches_torch(regression):
    y, p = regression
    check(run(losses.MeanSquaredError(), y, p), torch_run(lambda q: F.mse_loss(q, t64(y)), p))


def test_mae_matches_torch(regression):
    y, p = regression
    check(run(losses.MeanAbsoluteError(), y, p), torch_run(lambda q: F.l1_loss(q, t64(y)), p))


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_huber_matches_torch(regression, delta):
    y, p = regression
    p = p * 2
    check(run(losses.Huber(delta=delta), y, p), torch_run(lambda q: F.huber_loss(q, t64(y), delta=delta), p))


def test_huber_default_delta_is_one(regression):
    y, p = regression
    check(run(losses.get("huber"), y, p), torch_run(lambda q: F.huber_loss(q, t64(y), delta=1.0), p))


def test_regression_losses_on_3d_inputs_average_the_last_axis(rng):
    y, p = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 4))
    per_sample = ((p - y) ** 2).mean(axis=-1)  # (2, 3)
    values = losses.MeanSquaredError(reduction="none")(y, p)
    assert values.shape == (2, 3)
    np.testing.assert_allclose(values.numpy(), per_sample, rtol=1e-5)
    assert float(losses.MeanSquaredError()(y, p).numpy()) == pytest.approx(per_sample.mean(), rel=1e-5)


# --- reductions and sample weights --------------------------------------------------------------------


def test_reductions(regression):
    y, p = regression
    per_sample = np.mean((p.astype("float64") - y) ** 2, axis=-1)
    np.testing.assert_allclose(losses.MeanSquaredError(reduction="none")(y, p).numpy(), per_sample, rtol=1e-5)
    assert float(losses.MeanSquaredError(reduction="sum")(y, p).numpy()) == pytest.approx(per_sample.sum(), rel=1e-5)
    assert float(losses.MeanSquaredError()(y, p).numpy()) == pytest.approx(per_sample.mean(), rel=1e-5)
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")


@pytest.mark.parametrize("make_loss,torch_elementwise", [
    (lambda: losses.MeanSquaredError(), lambda q, y: F.mse_loss(q, y, reduction="none")),
    (lambda: losses.MeanAbsoluteError(), lambda q, y: F.l1_loss(q, y, reduction="none")),
    (lambda: losses.Huber(delta=0.7), lambda q, y: F.huber_loss(q, y, delta=0.7, reduction="none")),
])
@pytest.mark.parametrize("weight_shape", ["(n,)", "(n, 1)"])
def test_sample_weight_is_a_weighted_sum_over_batch_size(make_loss, torch_elementwise, weight_shape, regression, rng):
    y, p = regression
    w = rng.uniform(0, 2, size=6).astype("float32")
    given = w if weight_shape == "(n,)" else w[:, None]
    # Keras: sum_i w_i * mean_j loss_ij, divided by the number of samples.
    reference = torch_run(lambda q: (torch_elementwise(q, t64(y)).mean(dim=-1) * t64(w)).sum() / 6, p)
    check(run(make_loss(), y, p, sample_weight=given), reference)


def test_zero_sample_weights_still_divide_by_batch_size(regression):
    y, p = regression
    w = np.array([1, 0, 0, 0, 0, 0], "float32")
    expected = np.mean((p[0].astype("float64") - y[0]) ** 2) / 6
    assert float(losses.MeanSquaredError()(y, p, sample_weight=w).numpy()) == pytest.approx(expected, rel=1e-5)


# --- binary cross-entropy --------------------------------------------------------------------------------


def test_bce_matches_torch(binary):
    y, p = binary
    check(run(losses.BinaryCrossentropy(), y, p), torch_run(lambda q: F.binary_cross_entropy(q, t64(y)), p))


def test_bce_clips_probabilities_like_keras():
    y = np.array([[1.0, 0.0, 1.0, 0.0]], "float32")
    p = np.array([[0.0, 1.0, 1.0, 0.0]], "float32")
    clipped = np.clip(p, EPS32, np.float32(1) - EPS32).astype("float64")
    expected = -np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped))
    value, grad = run(losses.BinaryCrossentropy(), y, p)
    assert np.isfinite(value)
    assert value == pytest.approx(expected, rel=1e-4)
    assert value > 7.0  # two confidently wrong entries out of four, each about 16
    # Outside the clip range the gradient is zero, as for Keras' clip.
    np.testing.assert_array_equal(grad, np.zeros_like(grad))


def test_bce_from_logits_matches_torch_and_stays_finite(binary, rng):
    y, _ = binary
    logits = (rng.standard_normal((6, 3)) * 3).astype("float32")
    logits[0] = [60.0, -60.0, 0.0]
    reference = torch_run(lambda z: F.binary_cross_entropy_with_logits(z, t64(y)), logits)
    ours = run(losses.BinaryCrossentropy(from_logits=True), y, logits)
    check(ours, reference)
    assert np.all(np.isfinite(ours[1]))


@pytest.mark.parametrize("smoothing", [0.1, 0.3])
def test_bce_label_smoothing(binary, smoothing):
    y, p = binary
    target = y * (1 - smoothing) + 0.5 * smoothing
    check(run(losses.BinaryCrossentropy(label_smoothing=smoothing), y, p),
          torch_run(lambda q: F.binary_cross_entropy(q, t64(target)), p))
    check(run(losses.BinaryCrossentropy(from_logits=True, label_smoothing=smoothing), y, p * 4 - 2),
          torch_run(lambda z: F.binary_cross_entropy_with_logits(z, t64(target)), p * 4 - 2))


def test_bce_targets_of_shape_n_against_predictions_n_1(rng):
    y = (rng.uniform(size=8) > 0.5).astype("float32")
    p = rng.uniform(0.05, 0.95, size=(8, 1)).astype("float32")
    check(run(losses.BinaryCrossentropy(), y, p),
          torch_run(lambda q: F.binary_cross_entropy(q, t64(y[:, None])), p))


def test_bce_sample_weight(binary, rng):
    y, p = binary
    w = rng.uniform(0, 2, size=6).astype("float32")
    reference = torch_run(lambda q: (F.binary_cross_entropy(q, t64(y), reduction="none").mean(-1) * t64(w)).sum() / 6,
                          p)
    check(run(losses.BinaryCrossentropy(), y, p, sample_weight=w), reference)


# --- categorical cross-entropy ---------------------------------------------------------------------------


def _keras_cce(target, q):
    """Keras 3 on probabilities: normalise by the sum, clip, -sum(target * log p), mean over samples."""
    p = q / q.sum(dim=-1, keepdim=True)
    p = torch.clamp(p, float(EPS32), float(np.float32(1) - EPS32))
    return -(target * torch.log(p)).sum(dim=-1).mean()


def test_cce_on_probabilities_matches_torch(categorical):
    labels, onehot, logits = categorical
    probs = torch.softmax(t64(logits), -1).numpy().astype("float32")
    ours = run(losses.CategoricalCrossentropy(), onehot, probs)
    value, _ = torch_run(lambda q: F.nll_loss(torch.log(q), torch.from_numpy(labels)), probs)
    assert ours[0] == pytest.approx(value, rel=1e-5)
    # The gradient includes Keras' normalisation by the row sum (d/dq of q / sum(q)).
    check(ours, torch_run(lambda q: _keras_cce(t64(onehot), q), probs))


def test_cce_normalises_predictions_by_their_sum(categorical, rng):
    _, onehot, _ = categorical
    scores = rng.uniform(0.1, 3.0, size=(6, 4)).astype("float32")  # not summing to one
    check(run(losses.CategoricalCrossentropy(), onehot, scores), torch_run(lambda q: _keras_cce(t64(onehot), q), scores))


def test_cce_from_logits_class_targets_matches_torch(categorical):
    labels, onehot, logits = categorical
    check(run(losses.CategoricalCrossentropy(from_logits=True), onehot, logits),
          torch_run(lambda z: F.cross_entropy(z, torch.from_numpy(labels)), logits))


def test_cce_from_logits_probability_targets_matches_torch(categorical, rng):
    _, _, logits = categorical
    soft = rng.dirichlet(np.ones(4), size=6).astype("float32")
    check(run(losses.CategoricalCrossentropy(from_logits=True), soft, logits),
          torch_run(lambda z: F.cross_entropy(z, t64(soft)), logits))


@pytest.mark.parametrize("smoothing", [0.1, 0.25])
def test_cce_label_smoothing(categorical, smoothing):
    labels, onehot, logits = categorical
    check(run(losses.CategoricalCrossentropy(from_logits=True, label_smoothing=smoothing), onehot, logits),
          torch_run(lambda z: F.cross_entropy(z, torch.from_numpy(labels), label_smoothing=smoothing), logits))
    probs = torch.softmax(t64(logits), -1).numpy().astype("float32")
    target = onehot * (1 - smoothing) + smoothing / 4
    check(run(losses.CategoricalCrossentropy(label_smoothing=smoothing), onehot, probs),
          torch_run(lambda q: _keras_cce(t64(target), q), probs))


def test_cce_sample_weight(categorical, rng):
    labels, onehot, logits = categorical
    w = rng.uniform(0, 2, size=6).astype("float32")
    reference = torch_run(
        lambda z: (F.cross_entropy(z, torch.from_numpy(labels), reduction="none") * t64(w)).sum() / 6, logits)
    check(run(losses.CategoricalCrossentropy(from_logits=True), onehot, logits, sample_weight=w), reference)


# --- sparse categorical cross-entropy -----------------------------------------------------------------------


@pytest.mark.parametrize("label_shape", ["(n,)", "(n, 1)"])
def test_sparse_cce_from_logits_matches_torch(categorical, label_shape):
    labels, _, logits = categorical
    given = labels if label_shape == "(n,)" else labels[:, None]
    check(run(losses.SparseCategoricalCrossentropy(from_logits=True), given, logits),
          torch_run(lambda z: F.cross_entropy(z, torch.from_numpy(labels)), logits))


@pytest.mark.parametrize("label_shape", ["(n,)", "(n, 1)"])
def test_sparse_cce_on_probabilities(categorical, label_shape, rng):
    labels, _, _ = categorical
    probs = rng.dirichlet(np.ones(4), size=6).astype("float32")
    probs[0] = [0.0, 0.0, 0.0, 1.0]  # label 0 gets probability 0: clipped to 1e-7
    given = labels if label_shape == "(n,)" else labels[:, None].astype("float32")
    reference = torch_run(
        lambda q: F.nll_loss(torch.log(torch.clamp(q, float(EPS32), float(np.float32(1) - EPS32))),
                             torch.from_numpy(labels)), probs)
    check(run(losses.SparseCategoricalCrossentropy(), given, probs), reference)


def test_sparse_cce_sample_weight(categorical, rng):
    labels, _, logits = categorical
    w = rng.uniform(0, 2, size=6).astype("float32")
    reference = torch_run(
        lambda z: (F.cross_entropy(z, torch.from_numpy(labels), reduction="none") * t64(w)).sum() / 6, logits)
    check(run(losses.SparseCategoricalCrossentropy(from_logits=True), labels, logits, sample_weight=w), reference)


def test_sparse_cce_ignore_class_averages_over_counted_entries(categorical):
    labels, _, logits = categorical  # labels [0, 2, 1, 3, 3, 0]: class 3 appears twice
    check(run(losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=3), labels, logits),
          torch_run(lambda z: F.cross_entropy(z, torch.from_numpy(labels), ignore_index=3), logits))
    probs = torch.softmax(t64(logits), -1).numpy().astype("float32")
    check(run(losses.SparseCategoricalCrossentropy(ignore_class=3), labels[:, None], probs),
          torch_run(lambda q: F.nll_loss(torch.log(q), torch.from_numpy(labels), ignore_index=3), probs))


def test_sparse_cce_ignore_class_with_sample_weight_and_sum(categorical, rng):
    labels, _, logits = categorical
    w = rng.uniform(0.5, 2, size=6).astype("float32")
    valid = labels != 0
    per_sample = F.cross_entropy(t64(logits), torch.from_numpy(labels), reduction="none").numpy()
    # Keras 3 masks ignored entries; the weighted sum is divided by the number of valid entries.
    expected_mean = (per_sample * w * valid).sum() / valid.sum()
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    assert float(loss(labels, logits, sample_weight=w).numpy()) == pytest.approx(expected_mean, rel=1e-5)
    summed = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0, reduction="sum")
    assert float(summed(labels, logits).numpy()) == pytest.approx((per_sample * valid).sum(), rel=1e-5)
    none = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0, reduction="none")
    np.testing.assert_allclose(none(labels, logits).numpy(), per_sample * valid, rtol=1e-5, atol=1e-7)
    all_ignored = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    assert float(all_ignored(np.zeros(6, "int64"), logits).numpy()) == 0.0


def test_sparse_cce_ignore_class_matches_keras(categorical):
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("needs the Keras torch backend")
    labels, _, logits = categorical
    probs = torch.softmax(t64(logits), -1).numpy().astype("float32")
    w = np.linspace(0.5, 1.5, 6).astype("float32")
    for kwargs in ({}, {"sample_weight": w}):
        theirs = keras.losses.SparseCategoricalCrossentropy(ignore_class=3)(labels, probs, **kwargs)
        ours = losses.SparseCategoricalCrossentropy(ignore_class=3)(labels, probs, **kwargs)
        assert float(ours.numpy()) == pytest.approx(float(keras.ops.convert_to_numpy(theirs)), rel=1e-5)


def test_sparse_cce_accepts_float_labels(categorical):
    labels, _, logits = categorical
    a = losses.SparseCategoricalCrossentropy(from_logits=True)(labels.astype("float32"), logits)
    b = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    assert float(a.numpy()) == float(b.numpy())


# --- the fused softmax / sigmoid path ----------------------------------------------------------------------


def _softmax_np(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize("producer", ["op", "activation_layer", "activations_function"])
@pytest.mark.parametrize("sparse", [False, True])
def test_crossentropy_after_softmax_has_the_fused_gradient(producer, sparse, categorical):
    labels, onehot, logits = categorical
    z = glassnet.Tensor(logits, requires_grad=True)
    if producer == "op":
        probs = ops.softmax(z)
    elif producer == "activation_layer":
        probs = layers.Activation("softmax")(z)
    else:
        probs = glassnet.activations.softmax(z)
    if sparse:
        value = losses.SparseCategoricalCrossentropy()(labels, probs)
    else:
        value = losses.CategoricalCrossentropy()(onehot, probs)
    value.backward()
    np.testing.assert_allclose(z.grad, (_softmax_np(logits.astype("float64")) - onehot) / 6, rtol=1e-5, atol=1e-7)
    reference = F.cross_entropy(t64(logits), torch.from_numpy(labels))
    assert float(value.numpy()) == pytest.approx(float(reference), rel=1e-5)


def test_dense_softmax_then_crossentropy_is_fused(rng):
    x = rng.standard_normal((5, 3)).astype("float32")
    labels = np.array([0, 1, 2, 3, 1])
    layer = layers.Dense(4, activation="softmax")
    value = losses.SparseCategoricalCrossentropy()(labels, layer(x))
    value.backward()
    logits = x.astype("float64") @ layer.kernel.numpy() + layer.bias.numpy()
    dz = (_softmax_np(logits) - np.eye(4)[labels]) / 5
    np.testing.assert_allclose(layer.kernel.grad, x.T @ dz, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(layer.bias.grad, dz.sum(0), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("sparse", [False, True])
def test_confidently_wrong_prediction_after_softmax_is_exact(sparse):
    logits = np.array([[100.0, -100.0], [3.0, 1.0]], "float32")
    labels = np.array([1, 0])
    onehot = np.eye(2, dtype="float32")[labels]
    z = glassnet.Tensor(logits, requires_grad=True)
    probs = ops.softmax(z)
    loss = losses.SparseCategoricalCrossentropy() if sparse else losses.CategoricalCrossentropy()
    value = loss(labels if sparse else onehot, probs)
    value.backward()
    reference = float(F.cross_entropy(t64(logits), torch.from_numpy(labels)))
    assert reference == pytest.approx(100.0635, rel=1e-4)  # (200 + 0.127) / 2
    assert float(value.numpy()) == pytest.approx(reference, rel=1e-5)
    assert np.all(np.isfinite(z.grad))
    np.testing.assert_allclose(z.grad, (_softmax_np(logits.astype("float64")) - onehot) / 2, atol=1e-6)
    # The clipped-probability path (no graph: a plain array) would say about 8.1 instead.
    clipped = float(loss(labels if sparse else onehot, probs.numpy()).numpy())
    assert np.isfinite(clipped) and 7.0 < clipped < 9.0


def test_softmax_output_is_not_modified_by_the_fused_backward(categorical):
    labels, _, logits = categorical
    probs = ops.softmax(glassnet.Tensor(logits, requires_grad=True))
    before = probs.numpy().copy()
    losses.SparseCategoricalCrossentropy()(labels, probs).backward()
    np.testing.assert_array_equal(probs.numpy(), before)


def test_bce_after_sigmoid_is_fused_and_exact(rng):
    logits = np.array([[50.0, -50.0, 0.5], [-3.0, 2.0, 40.0]], "float32")
    y = np.array([[0.0, 1.0, 1.0], [0.0, 1.0, 0.0]], "float32")
    z = glassnet.Tensor(logits, requires_grad=True)
    value = losses.BinaryCrossentropy()(y, ops.sigmoid(z))
    value.backward()
    reference = torch_run(lambda t: F.binary_cross_entropy_with_logits(t, t64(y)), logits)
    assert float(value.numpy()) == pytest.approx(reference[0], rel=1e-5)
    assert reference[0] > 20  # the clipped path would cap each term near 16
    np.testing.assert_allclose(z.grad, reference[1], rtol=1e-5, atol=1e-7)


# --- lookup ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,cls", [
    ("mse", losses.MeanSquaredError), ("mean_squared_error", losses.MeanSquaredError),
    ("MeanSquaredError", losses.MeanSquaredError), ("mae", losses.MeanAbsoluteError),
    ("binary_crossentropy", losses.BinaryCrossentropy), ("categorical_crossentropy", losses.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy), ("huber", losses.Huber),
])
def test_get_by_name(name, cls):
    loss = losses.get(name)
    assert type(loss) is cls
    assert loss.name == name


def test_get_accepts_classes_instances_and_functions(regression):
    y, p = regression
    expected = float(np.mean((p.astype("float64") - y) ** 2))
    instance = losses.BinaryCrossentropy(from_logits=True)
    assert losses.get(instance) is instance
    assert type(losses.get(losses.Huber)) is losses.Huber
    assert type(losses.get(losses.mean_squared_error)) is losses.MeanSquaredError
    assert float(losses.get(losses.mse)(y, p).numpy()) == pytest.approx(expected, rel=1e-5)

    def my_loss(y_true, y_pred):
        return ops.mean(ops.square(ops.subtract(y_pred, y_true)), axis=-1)

    wrapped = losses.get(my_loss)
    assert isinstance(wrapped, losses.Loss)
    assert float(wrapped(y, p).numpy()) == pytest.approx(expected, rel=1e-5)
    assert losses.get(None) is None


def test_unknown_loss_name_lists_valid_names():
    with pytest.raises(ValueError) as info:
        losses.get("categorical_cross_entropy")
    message = str(info.value)
    assert "categorical_cross_entropy" in message
    for name in ("categorical_crossentropy", "mse", "binary_crossentropy", "sparse_categorical_crossentropy"):
        assert name in message


def test_config_round_trip(categorical):
    labels, onehot, logits = categorical
    loss = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2, reduction="sum", name="cce")
    config = loss.get_config()
    assert config["from_logits"] is True and config["label_smoothing"] == 0.2 and config["reduction"] == "sum"
    clone = losses.CategoricalCrossentropy.from_config(config)
    assert float(clone(onehot, logits).numpy()) == float(loss(onehot, logits).numpy())


# --- targets of shape (n,) against predictions of shape (n, 1) ------------------------------------------------


@pytest.mark.parametrize("make_loss,elementwise", [
    (losses.MeanSquaredError, lambda q, y: (q - y) ** 2),
    (losses.MeanAbsoluteError, lambda q, y: (q - y).abs()),
    (losses.Huber, lambda q, y: F.huber_loss(q, y, reduction="none")),
])
def test_flat_targets_against_column_predictions_are_lined_up(make_loss, elementwise, rng):
    # The regression-tutorial case: y of shape (n,), Dense(1) output of shape (n, 1). Keras lines them up
    # (squeeze_or_expand_to_same_rank) instead of broadcasting to (n, n).
    y = rng.standard_normal(7).astype("float32")
    p = rng.standard_normal((7, 1)).astype("float32")
    reference = torch_run(lambda q: elementwise(q[:, 0], t64(y)).mean(), p)
    check(run(make_loss(), y, p), reference)
    # ...and the other way round: column targets, flat predictions.
    check(run(make_loss(), y[:, None], p[:, 0]), torch_run(lambda q: elementwise(q, t64(y)).mean(), p[:, 0]))
    assert make_loss(reduction="none")(y, p).shape == (7,)


def test_flat_targets_with_sample_weight_against_column_predictions(rng):
    y = rng.standard_normal(5).astype("float32")
    p = rng.standard_normal((5, 1)).astype("float32")
    w = rng.uniform(size=5).astype("float32")
    expected = float(np.sum(w * (p[:, 0].astype("float64") - y) ** 2) / 5)
    assert float(losses.MeanSquaredError()(y, p, sample_weight=w).numpy()) == pytest.approx(expected, rel=1e-5)


def test_sequence_targets_against_trailing_unit_axis(rng):
    y = rng.standard_normal((3, 4)).astype("float32")
    p = rng.standard_normal((3, 4, 1)).astype("float32")
    expected = float(np.mean((p[..., 0].astype("float64") - y) ** 2))
    assert float(losses.MeanSquaredError()(y, p).numpy()) == pytest.approx(expected, rel=1e-5)


def test_bce_after_sigmoid_with_flat_targets_stays_fused():
    logits = np.array([[40.0], [-2.0], [0.3]], "float32")
    y = np.array([0.0, 0.0, 1.0], "float32")
    z = glassnet.Tensor(logits, requires_grad=True)
    value = losses.BinaryCrossentropy()(y, ops.sigmoid(z))
    value.backward()
    reference = torch_run(lambda t: F.binary_cross_entropy_with_logits(t, t64(y[:, None])), logits)
    assert float(value.numpy()) == pytest.approx(reference[0], rel=1e-5)  # about 40/3: not capped near 16/3
    np.testing.assert_allclose(z.grad, reference[1], rtol=1e-5, atol=1e-7)


# --- check_targets: each loss states the targets it takes ------------------------------------------------------------
@pytest.mark.parametrize("loss,good,bad,words", [
    (losses.MeanSquaredError(), np.zeros((4, 3)), np.zeros(4), ["'mean_squared_error'", "(n, 3)", "(4,)"]),
    (losses.MeanAbsoluteError(), np.zeros((4, 3)), np.zeros((4, 1)), ["(n, 3)", "(4, 1)"]),
    (losses.Huber(), np.zeros((4, 3)), np.zeros((4, 3, 1, 2)), ["(n, 3)", "(4, 3, 1, 2)"]),
    (losses.BinaryCrossentropy(), np.zeros((4, 3)), np.zeros((4, 2)), ["(n, 3)", "(4, 2)"]),
    (losses.CategoricalCrossentropy(), np.eye(3)[[0, 1, 2, 0]], np.array([0, 1, 2, 0]),
     ["one-hot", "(n, 3)", "sparse_categorical_crossentropy", "to_categorical(y, 3)"]),
    (losses.CategoricalCrossentropy(), np.eye(3)[[0, 1, 2, 0]], np.eye(4), ["(n, 3)", "(4, 4)"]),
    (losses.SparseCategoricalCrossentropy(), np.array([[0], [1], [2], [0]]), np.array([0, 1, 3, 0]),
     ["[0, 3)", "from 0 to 3"]),
    (losses.SparseCategoricalCrossentropy(), np.array([0.0, 1.0, 2.0, 0.0]), np.array([0.0, 1.5, 2.0, 0.0]),
     ["integer class ids", "1.5"]),
    (losses.SparseCategoricalCrossentropy(), np.array([0, 1, 2, 0]), np.zeros((4, 2), dtype=int),
     ["(n,) or (n, 1)", "(4, 2)"]),
    (losses.SparseCategoricalCrossentropy(), np.array([0, 1, 2, 0]), np.eye(3)[[0, 1, 2, 0]],
     ["one-hot", "categorical_crossentropy", "(4, 3)"]),
])
def test_each_loss_refuses_targets_it_cannot_take(loss, good, bad, words):
    loss.check_targets(good, (None, 3))  # passes
    with pytest.raises(ValueError) as info:
        loss.check_targets(bad, (None, 3))
    for word in words:
        assert word in str(info.value)


def test_sparse_targets_may_hold_the_ignored_class():
    loss = losses.SparseCategoricalCrossentropy(ignore_class=-1)
    loss.check_targets(np.array([0, -1, 2]), (None, 3))
    with pytest.raises(ValueError, match="from -2 to 2"):
        loss.check_targets(np.array([0, -2, 2]), (None, 3))


def test_custom_losses_accept_any_targets_unless_they_say_otherwise():
    losses.get(lambda y_true, y_pred: ops.mean(y_pred)).check_targets(np.zeros((2, 7)), (None, 3))
