"""The losses Keras 3 has beyond the basic ones, against Keras (torch backend) on the same inputs.

For every case: the value under each reduction, with and without sample weights; the gradient by float64
finite differences; get_config round trips in both directions (so .keras files load both ways); each loss
by its string name in compile; one training step with it.
"""

import os

import numpy as np
import pytest

import glassnet
from glassnet import layers, losses
from glassnet.testing import gradcheck

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

RNG = np.random.default_rng(7)
N = 6


def probabilities(*shape):
    return RNG.uniform(0.05, 0.95, shape)


def binary(*shape):
    return (RNG.uniform(size=shape) > 0.5).astype("float64")


def one_hot(n, classes):
    return np.eye(classes)[RNG.integers(0, classes, n)]


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def unit_rows(*shape):
    x = RNG.standard_normal(shape)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def ctc_labels():
    return np.array([[1, 2, 2, 0], [3, 1, 0, 0], [4, 0, 0, 0]], dtype="float64")


# (id, class name, kwargs, y_true, y_pred)
CASES = [
    ("bfce", "BinaryFocalCrossentropy", {}, binary(N, 3), probabilities(N, 3)),
    ("bfce_balanced", "BinaryFocalCrossentropy",
     {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5, "label_smoothing": 0.1}, binary(N, 3),
     probabilities(N, 3)),
    ("bfce_logits", "BinaryFocalCrossentropy", {"from_logits": True, "gamma": 3.0}, binary(N, 3),
     RNG.standard_normal((N, 3)) * 2),
    ("cfce", "CategoricalFocalCrossentropy", {}, one_hot(N, 4), probabilities(N, 4)),
    ("cfce_logits", "CategoricalFocalCrossentropy",
     {"from_logits": True, "label_smoothing": 0.1, "alpha": 0.5, "gamma": 1.0}, one_hot(N, 4),
     RNG.standard_normal((N, 4))),
    ("gce", "CategoricalGeneralizedCrossEntropy", {}, RNG.integers(0, 4, N).astype("float64"),
     softmax(RNG.standard_normal((N, 4)))),
    ("gce_q", "CategoricalGeneralizedCrossEntropy", {"q": 0.8}, RNG.integers(0, 4, N).astype("float64"),
     softmax(RNG.standard_normal((N, 4)))),
    ("categorical_hinge", "CategoricalHinge", {}, one_hot(N, 4), RNG.standard_normal((N, 4))),
    ("circle", "Circle", {}, np.array([0, 1, 0, 2, 1, 2, 0, 3], "float64"), unit_rows(8, 5)),
    ("circle_options", "Circle", {"gamma": 10.0, "margin": 0.25, "remove_diagonal": False},
     np.array([0, 1, 0, 2, 1, 2, 0, 3], "float64"), unit_rows(8, 5)),
    ("cosine", "CosineSimilarity", {}, RNG.standard_normal((N, 4)), RNG.standard_normal((N, 4))),
    ("dice", "Dice", {}, binary(2, 4, 4, 1), probabilities(2, 4, 4, 1)),
    ("dice_axes", "Dice", {"axis": (1, 2, 3)}, binary(2, 4, 4, 1), probabilities(2, 4, 4, 1)),
    ("hinge_signed", "Hinge", {}, np.sign(RNG.standard_normal((N, 3))), RNG.standard_normal((N, 3))),
    ("hinge_01", "Hinge", {}, binary(N, 3), RNG.standard_normal((N, 3))),
    ("kld", "KLDivergence", {}, softmax(RNG.standard_normal((N, 4))), softmax(RNG.standard_normal((N, 4)))),
    ("log_cosh", "LogCosh", {}, RNG.standard_normal((N, 3)), RNG.standard_normal((N, 3)) * 3),
    ("mape", "MeanAbsolutePercentageError", {}, RNG.uniform(0.5, 3, (N, 3)), RNG.uniform(0, 3, (N, 3))),
    ("msle", "MeanSquaredLogarithmicError", {}, RNG.uniform(0, 3, (N, 3)), RNG.uniform(0.1, 3, (N, 3))),
    ("poisson", "Poisson", {}, RNG.poisson(2.0, (N, 3)).astype("float64"), RNG.uniform(0.5, 4, (N, 3))),
    ("squared_hinge", "SquaredHinge", {}, binary(N, 3), RNG.standard_normal((N, 3))),
    ("tversky", "Tversky", {}, binary(2, 4, 4, 1), probabilities(2, 4, 4, 1)),
    ("tversky_options", "Tversky", {"alpha": 0.7, "beta": 0.3, "axis": (1, 2, 3)}, binary(2, 4, 4, 1),
     probabilities(2, 4, 4, 1)),
    ("ctc", "CTC", {}, ctc_labels(), RNG.standard_normal((3, 7, 5))),
]
IDS = [case[0] for case in CASES]
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"]


def keras_value(loss, y_true, y_pred, sample_weight=None):
    value = loss(y_true.astype("float32"), y_pred.astype("float32"), sample_weight=sample_weight)
    return keras.ops.convert_to_numpy(value)


def our_value(loss, y_true, y_pred, sample_weight=None):
    return loss(y_true.astype("float32"), y_pred.astype("float32"), sample_weight=sample_weight).numpy()


def weights_for(y_true):
    return RNG.uniform(0.1, 2.0, len(y_true)).astype("float32")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_value_matches_keras(case, reduction):
    _, name, kwargs, y_true, y_pred = case
    ours = getattr(losses, name)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, name)(reduction=reduction, **kwargs)
    np.testing.assert_allclose(our_value(ours, y_true, y_pred), keras_value(theirs, y_true, y_pred),
                               rtol=2e-5, atol=2e-6)
    weight = weights_for(y_true)
    np.testing.assert_allclose(our_value(ours, y_true, y_pred, weight), keras_value(theirs, y_true, y_pred, weight),
                               rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_function_matches_keras(case):
    _, name, kwargs, y_true, y_pred = case
    fn_name = {"CategoricalGeneralizedCrossEntropy": "categorical_generalized_cross_entropy", "CTC": "ctc",
               "KLDivergence": "kl_divergence", "LogCosh": "log_cosh"}.get(name)
    fn_name = fn_name or glassnet.utils.naming.to_snake_case(name)
    kwargs = dict(kwargs)
    if name == "CategoricalGeneralizedCrossEntropy":
        kwargs.setdefault("q", 0.5)
    ours = getattr(losses, fn_name)(y_true.astype("float32"), glassnet.Tensor(y_pred.astype("float32")), **kwargs)
    tensors = [keras.ops.convert_to_tensor(a.astype("float32")) for a in (y_true, y_pred)]
    theirs = getattr(keras.losses, fn_name)(*tensors, **kwargs)
    np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(theirs), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradient_by_finite_differences(case):
    _, name, kwargs, y_true, y_pred = case
    loss = getattr(losses, name)(**kwargs)
    weight = weights_for(y_true).astype("float64")
    assert gradcheck(lambda p: loss(y_true, p, sample_weight=weight), [y_pred], atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_float32_in_float32_out(case):
    _, name, kwargs, y_true, y_pred = case
    pred = glassnet.Tensor(y_pred.astype("float32"), requires_grad=True)
    value = getattr(losses, name)(**kwargs)(y_true, pred)
    value.backward()
    assert value.dtype == np.float32 and pred.grad.dtype == np.float32
    assert np.all(np.isfinite(pred.grad))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_config_round_trips_both_ways(case):
    _, name, kwargs, y_true, y_pred = case
    ours = getattr(losses, name)(reduction="sum", name="custom_name", **kwargs)
    theirs = getattr(keras.losses, name)(reduction="sum", name="custom_name", **kwargs)
    config = ours.get_config()
    assert set(theirs.get_config()) <= set(config)
    from_ours = getattr(keras.losses, name).from_config(config)
    from_theirs = getattr(losses, name).from_config(theirs.get_config())
    clone = getattr(losses, name).from_config(config)
    assert clone.get_config() == config and from_theirs.name == "custom_name" and from_theirs.reduction == "sum"
    expected = our_value(ours, y_true, y_pred)
    np.testing.assert_allclose(our_value(clone, y_true, y_pred), expected, rtol=1e-6)
    np.testing.assert_allclose(keras_value(from_ours, y_true, y_pred), expected, rtol=2e-5, atol=2e-6)
    restored = losses.deserialize(losses.serialize(ours))
    assert type(restored) is type(ours) and restored.get_config() == config


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_serialized_loss_loads_in_keras_and_back(case):
    _, name, kwargs, _, _ = case
    config = losses.serialize(getattr(losses, name)(**kwargs))
    assert config["module"] == "keras.losses" and config["class_name"] == name
    if name == "CategoricalGeneralizedCrossEntropy":
        pytest.skip("Keras 3.15 leaves this class out of keras.losses' deserialization table")
    theirs = keras.losses.deserialize(config)
    assert type(theirs).__name__ == name
    back = losses.deserialize(keras.saving.serialize_keras_object(theirs))
    assert type(back).__name__ == name


FUNCTION_NAMES = ["binary_focal_crossentropy", "categorical_focal_crossentropy", "categorical_hinge", "circle",
                  "cosine_similarity", "ctc", "dice", "hinge", "kl_divergence", "log_cosh",
                  "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "poisson", "squared_hinge",
                  "tversky", "categorical_generalized_cross_entropy"]


@pytest.mark.parametrize("fn_name", FUNCTION_NAMES)
def test_functions_serialize_by_name_as_keras_does(fn_name):
    fn = getattr(losses, fn_name)
    config = losses.serialize(fn)
    assert config["class_name"] == "function" and config["config"] == fn_name
    assert losses.deserialize(config) is fn
    if fn_name != "categorical_generalized_cross_entropy":  # not in keras.losses' deserialization table
        assert keras.losses.deserialize(config) is getattr(keras.losses, fn_name)
    assert losses.deserialize(keras.losses.serialize(getattr(keras.losses, fn_name))) is fn


@pytest.mark.parametrize("fn_name", FUNCTION_NAMES)
def test_names_resolve_to_the_class_keras_uses(fn_name):
    loss = losses.get(fn_name)
    assert loss.name == fn_name
    if fn_name == "categorical_generalized_cross_entropy":  # Keras 3.15 does not resolve this name
        assert loss.fn is losses.categorical_generalized_cross_entropy
        return
    theirs = keras.losses.get(fn_name)
    assert loss.fn is getattr(losses, theirs.__name__)


@pytest.mark.parametrize("name", ["kld", "KLD", "mape", "MAPE", "msle", "MSLE", "bce", "BCE"])
def test_aliases_name_the_function_keras_names(name):
    assert losses.get(name).fn is getattr(losses, keras.losses.get(name).__name__)


@pytest.mark.parametrize("name", ["Hinge", "LogCosh", "KLDivergence", "BinaryFocalCrossentropy", "Poisson"])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum"])
def test_masked_timesteps_count_for_nothing_as_in_keras(name, reduction):
    y_true, y_pred = binary(3, 5, 2), probabilities(3, 5, 2).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], bool)
    weight = RNG.uniform(0.1, 2.0, (3, 5)).astype("float32")  # one per timestep
    pred = glassnet.Tensor(y_pred)
    pred._keras_mask = mask
    ours = getattr(losses, name)(reduction=reduction)(y_true, pred, sample_weight=weight).numpy()
    keras_pred = keras.ops.convert_to_tensor(y_pred)
    keras.src.backend.set_keras_mask(keras_pred, keras.ops.convert_to_tensor(mask))
    theirs = getattr(keras.losses, name)(reduction=reduction)(y_true.astype("float32"), keras_pred,
                                                               sample_weight=weight)
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(theirs), rtol=2e-5, atol=2e-6)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="q must be a number in the interval"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)
    with pytest.raises(ValueError, match="reduction"):
        losses.Hinge(reduction="average")
    with pytest.raises(ValueError, match=r"y_true.shape=\(3,\)"):
        losses.CTC()(np.array([1, 2, 0]), np.zeros((3, 4, 5), "float32"))
    with pytest.raises(ValueError, match="axis"):
        losses.categorical_focal_crossentropy(np.eye(3), np.eye(3), axis=True)


@pytest.mark.parametrize("loss,good,bad,shape", [
    (losses.Hinge(), np.zeros((4, 3)), np.zeros((4, 2)), (None, 3)),
    (losses.CategoricalFocalCrossentropy(), np.eye(3)[[0, 1, 2, 0]], np.array([0, 1, 2, 0]), (None, 3)),
    (losses.CategoricalGeneralizedCrossEntropy(), np.array([0, 1, 2, 0]), np.array([0, 1, 3, 0]), (None, 3)),
    (losses.CTC(), np.array([[1, 2, 0]]), np.array([1, 2, 0]), (None, 5, 4)),
    (losses.CTC(), np.array([[1, 2, 0]]), np.array([[1, 7, 0]]), (None, 5, 4)),
    (losses.Circle(), np.array([0, 1, 1]), np.zeros((3, 2)), (None, 8)),
])
def test_check_targets(loss, good, bad, shape):
    loss.check_targets(good, shape)
    with pytest.raises(ValueError, match=loss.name):
        loss.check_targets(bad, shape)


def test_circle_counts_only_anchors_with_a_positive_loss():
    labels = np.array([0, 1, 2, 0])  # anchors 1 and 2 have no positive pair: their loss is 0 and not averaged
    embeddings = unit_rows(4, 3)
    values = losses.Circle(reduction="none")(labels, embeddings).numpy()
    assert values[1] == 0 and values[2] == 0 and values[0] > 0
    mean = float(losses.Circle()(labels, embeddings).numpy())
    np.testing.assert_allclose(mean, values[values > 0].mean(), rtol=1e-6)


# --- compile by name and one training step ------------------------------------------------------------


def model_for(case):
    _, name, kwargs, y_true, y_pred = case
    if name == "CTC":
        return glassnet.Sequential([layers.Input((7, 3)), layers.Dense(5)]), RNG.standard_normal((3, 7, 3))
    if name == "Circle":
        return glassnet.Sequential([layers.Input((4,)), layers.Dense(5), layers.UnitNormalization()]), \
            RNG.standard_normal((8, 4))
    if name in ("Dice", "Tversky"):
        return glassnet.Sequential([layers.Input((4, 4, 2)), layers.Dense(1, activation="sigmoid")]), \
            RNG.standard_normal((2, 4, 4, 2))
    units = y_pred.shape[-1]
    activation = "softmax" if name in ("CategoricalGeneralizedCrossEntropy", "KLDivergence") else (
        "softplus" if name in ("Poisson", "MeanSquaredLogarithmicError") else None)
    if name in ("BinaryFocalCrossentropy", "CategoricalFocalCrossentropy") and not kwargs.get("from_logits"):
        activation = "sigmoid" if name.startswith("Binary") else "softmax"
    return glassnet.Sequential([layers.Input((4,)), layers.Dense(units, activation=activation)]), \
        RNG.standard_normal((len(y_true), 4))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_model_trains_one_step(case):
    _, name, kwargs, y_true, _ = case
    model, x = model_for(case)
    model.compile(optimizer=glassnet.optimizers.SGD(0.1), loss=getattr(losses, name)(**kwargs))
    before = [w.numpy().copy() for w in model.trainable_weights]
    history = model.fit(x.astype("float32"), y_true.astype("float32"), epochs=1, batch_size=len(x), verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert any(not np.array_equal(a, w.numpy()) for a, w in zip(before, model.trainable_weights))


@pytest.mark.parametrize("loss_name,metric_name", [
    ("hinge", "kl_divergence"), ("squared_hinge", "poisson"), ("log_cosh", "hinge"),
    ("poisson", "log_cosh_error"), ("kl_divergence", "cosine_similarity"), ("kld", "squared_hinge"),
])
def test_compile_by_string_names(loss_name, metric_name):
    model = glassnet.Sequential([layers.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss=loss_name, metrics=[metric_name])
    x = RNG.standard_normal((8, 4)).astype("float32")
    y = softmax(RNG.standard_normal((8, 3))).astype("float32")
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert set(history.history) == {"loss", metric_name}
    theirs = keras.metrics.get(metric_name)
    assert type(glassnet.metrics.get(metric_name)).__name__ == type(theirs).__name__
    assert losses.get(loss_name).fn is getattr(losses, keras.losses.get(loss_name).__name__)
