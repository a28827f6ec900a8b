"""The metrics Keras 3 has beyond the basic ones, against Keras (torch backend) on the same inputs.

Each metric is updated twice (with and without sample weights) and its result compared with Keras';
configs round-trip both ways; names resolve to the classes Keras resolves; the metric functions are the
loss functions, as in Keras.
"""

import os

import numpy as np
import pytest

import glassnet
from glassnet import layers, losses, metrics

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

RNG = np.random.default_rng(3)
N = 8


def probabilities(*shape):
    return RNG.uniform(0.02, 0.98, shape)


def binary(*shape):
    return (RNG.uniform(size=shape) > 0.5).astype("float64")


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def one_hot(n, classes):
    return np.eye(classes)[RNG.integers(0, classes, n)]


def batches(y_true, y_pred):
    """Two batches: the first and second halves."""
    half = len(y_true) // 2
    return [(y_true[:half], y_pred[:half]), (y_true[half:], y_pred[half:])]


CASES = [
    ("bce", "BinaryCrossentropy", {}, binary(N, 3), probabilities(N, 3)),
    ("bce_logits", "BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, binary(N, 3),
     RNG.standard_normal((N, 3)) * 2),
    ("cce", "CategoricalCrossentropy", {}, one_hot(N, 4), probabilities(N, 4)),
    ("cce_logits", "CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, one_hot(N, 4),
     RNG.standard_normal((N, 4))),
    ("scce", "SparseCategoricalCrossentropy", {}, RNG.integers(0, 4, N).astype("float64"),
     softmax(RNG.standard_normal((N, 4)))),
    ("scce_logits", "SparseCategoricalCrossentropy", {"from_logits": True},
     RNG.integers(0, 4, (N, 1)).astype("float64"), RNG.standard_normal((N, 4))),
    ("scce_ignore", "SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 2},
     np.array([0, 2, 1, 3, 2, 0, 1, 2], "float64"), RNG.standard_normal((N, 4))),
    ("categorical_hinge", "CategoricalHinge", {}, one_hot(N, 4), RNG.standard_normal((N, 4))),
    ("hinge", "Hinge", {}, binary(N, 3), RNG.standard_normal((N, 3))),
    ("squared_hinge", "SquaredHinge", {}, np.sign(RNG.standard_normal((N, 3))), RNG.standard_normal((N, 3))),
    ("kld", "KLDivergence", {}, softmax(RNG.standard_normal((N, 4))), softmax(RNG.standard_normal((N, 4)))),
    ("poisson", "Poisson", {}, RNG.poisson(2.0, (N, 3)).astype("float64"), RNG.uniform(0.5, 4, (N, 3))),
    ("cosine", "CosineSimilarity", {}, RNG.standard_normal((N, 4)), RNG.standard_normal((N, 4))),
    ("logcosh", "LogCoshError", {}, RNG.standard_normal((N, 3)), RNG.standard_normal((N, 3)) * 2),
    ("pearson", "PearsonCorrelation", {}, RNG.standard_normal((N, 5)), RNG.standard_normal((N, 5))),
    ("concordance", "ConcordanceCorrelation", {}, RNG.standard_normal((N, 5)), RNG.standard_normal((N, 5))),
    ("r2", "R2Score", {}, RNG.standard_normal((N, 3)), RNG.standard_normal((N, 3))),
    ("r2_variance", "R2Score", {"class_aggregation": "variance_weighted_average"}, RNG.standard_normal((N, 3)),
     RNG.standard_normal((N, 3))),
    ("r2_columns", "R2Score", {"class_aggregation": None}, RNG.standard_normal((N, 3)),
     RNG.standard_normal((N, 3))),
    ("r2_adjusted", "R2Score", {"num_regressors": 2}, RNG.standard_normal((N, 3)), RNG.standard_normal((N, 3))),
    ("r2_flat", "R2Score", {}, RNG.standard_normal(N), RNG.standard_normal((N, 1))),
    ("precision_at_recall", "PrecisionAtRecall", {"recall": 0.6}, binary(N * 4), probabilities(N * 4)),
    ("precision_at_recall_few", "PrecisionAtRecall", {"recall": 0.3, "num_thresholds": 7}, binary(N * 4),
     probabilities(N * 4)),
    ("recall_at_precision", "RecallAtPrecision", {"precision": 0.5}, binary(N * 4), probabilities(N * 4)),
    ("recall_at_precision_one", "RecallAtPrecision", {"precision": 0.4, "num_thresholds": 1}, binary(N * 4),
     probabilities(N * 4)),
    ("sensitivity", "SensitivityAtSpecificity", {"specificity": 0.5}, binary(N * 4), probabilities(N * 4)),
    ("sensitivity_class", "SensitivityAtSpecificity", {"specificity": 0.4, "class_id": 1}, one_hot(N * 4, 3),
     softmax(RNG.standard_normal((N * 4, 3)))),
    ("specificity", "SpecificityAtSensitivity", {"sensitivity": 0.7}, binary(N * 4), probabilities(N * 4)),
]
IDS = [case[0] for case in CASES]


def result_of(metric, y_true, y_pred, weighted, backend):
    for i, (true, pred) in enumerate(batches(y_true, y_pred)):
        weight = RNG_WEIGHTS[: len(true)] * (i + 1) if weighted else None
        if backend is keras and weight is not None:
            weight = weight.astype("float32")
        metric.update_state(true.astype("float32"), pred.astype("float32"), sample_weight=weight)
    result = metric.result()
    return np.asarray(keras.ops.convert_to_numpy(result) if backend is keras else result, dtype="float64")


RNG_WEIGHTS = RNG.uniform(0.1, 2.0, N * 4)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_result_matches_keras(case, weighted):
    _, name, kwargs, y_true, y_pred = case
    ours = result_of(getattr(metrics, name)(**kwargs), y_true, y_pred, weighted, glassnet)
    theirs = result_of(getattr(keras.metrics, name)(**kwargs), y_true, y_pred, weighted, keras)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reset_state_starts_over(case):
    _, name, kwargs, y_true, y_pred = case
    metric = getattr(metrics, name)(**kwargs)
    metric.update_state(y_true[::-1].copy(), y_pred)
    metric.reset_state()
    fresh = getattr(metrics, name)(**kwargs)
    for m in (metric, fresh):
        m.update_state(y_true, y_pred)
    np.testing.assert_allclose(metric.result(), fresh.result())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_config_round_trips_both_ways(case):
    _, name, kwargs, y_true, y_pred = case
    ours = getattr(metrics, name)(name="custom", **kwargs)
    theirs = getattr(keras.metrics, name)(name="custom", **kwargs)
    config = ours.get_config()
    assert set(theirs.get_config()) <= set(config)
    clone = getattr(metrics, name).from_config(config)
    assert clone.get_config() == config
    from_theirs = getattr(metrics, name).from_config(theirs.get_config())
    assert from_theirs.name == "custom"
    from_ours = keras.metrics.deserialize(metrics.serialize(ours))
    assert type(from_ours).__name__ == name and from_ours.name == "custom"
    back = metrics.deserialize(keras.metrics.serialize(theirs))
    assert type(back) is type(ours) and back.name == "custom"
    np.testing.assert_allclose(result_of(back, y_true, y_pred, False, glassnet),
                               result_of(from_ours, y_true, y_pred, False, keras), rtol=1e-5, atol=1e-6)


KERAS_NAMES = ["binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
               "categorical_hinge", "concordance_correlation", "cosine_similarity", "hinge", "kl_divergence",
               "log_cosh_error", "pearson_correlation", "poisson", "r2_score", "squared_hinge", "bce", "BCE",
               "BinaryCrossentropy", "KLDivergence", "R2Score", "LogCoshError"]


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_names_resolve_to_the_class_keras_resolves(name):
    ours, theirs = metrics.get(name), keras.metrics.get(name)
    assert type(ours).__name__ == type(theirs).__name__


@pytest.mark.parametrize("name", ["precision_at_recall", "recall_at_precision", "sensitivity_at_specificity",
                                  "specificity_at_sensitivity"])
def test_metrics_that_need_arguments_say_so_by_name(name):
    with pytest.raises(ValueError, match="needs arguments"):
        metrics.get(name)


FUNCTIONS = ["binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
             "categorical_focal_crossentropy", "categorical_hinge", "hinge", "huber", "kl_divergence", "log_cosh",
             "poisson", "sparse_categorical_crossentropy", "squared_hinge"]


@pytest.mark.parametrize("fn_name", FUNCTIONS)
def test_metric_functions_are_the_loss_functions(fn_name):
    assert getattr(metrics, fn_name) is getattr(losses, fn_name)
    assert metrics.deserialize(metrics.serialize(getattr(metrics, fn_name))) is getattr(metrics, fn_name)


@pytest.mark.parametrize("fn_name", ["pearson_correlation", "concordance_correlation"])
@pytest.mark.parametrize("axis", [-1, 0])
def test_correlation_functions_match_keras(fn_name, axis):
    y_true, y_pred = RNG.standard_normal((5, 6)).astype("float32"), RNG.standard_normal((5, 6)).astype("float32")
    ours = getattr(metrics, fn_name)(y_true, y_pred, axis=axis)
    theirs = getattr(keras.metrics, fn_name)(y_true, y_pred, axis=axis)
    np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(theirs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn_name", ["pearson_correlation", "concordance_correlation"])
def test_correlation_functions_are_differentiable(fn_name):
    from glassnet.testing import gradcheck

    y_true = RNG.standard_normal((4, 6))
    assert gradcheck(lambda p: getattr(metrics, fn_name)(y_true, p), [RNG.standard_normal((4, 6))])


def test_bad_arguments_are_refused_before_any_state():
    with pytest.raises(ValueError, match="`recall` must be in the range"):
        metrics.PrecisionAtRecall(1.5)
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.SensitivityAtSpecificity(0.5, num_thresholds=0)
    with pytest.raises(ValueError, match="class_aggregation"):
        metrics.R2Score(class_aggregation="median")
    with pytest.raises(ValueError, match="num_regressors"):
        metrics.R2Score(num_regressors=-1)
    r2 = metrics.R2Score()
    r2.update_state(np.ones((4, 2)), np.zeros((4, 2)))
    before = r2.result()
    with pytest.raises(ValueError, match="2D inputs"):
        r2.update_state(np.ones((4, 2, 1, 3)), np.ones((4, 2, 1, 3)))
    with pytest.raises(ValueError, match="built for 2 outputs"):
        r2.update_state(np.ones((4, 3)), np.ones((4, 3)))
    assert r2.result() == before


@pytest.mark.parametrize("metric,good,bad,shape", [
    (metrics.Hinge(), np.zeros((4, 3)), np.zeros((4, 2)), (None, 3)),
    (metrics.CategoricalCrossentropy(), np.eye(3)[[0, 1, 2, 0]], np.array([0, 1, 2, 0]), (None, 3)),
    (metrics.SparseCategoricalCrossentropy(), np.array([0, 1, 2, 0]), np.array([0, 1, 3, 0]), (None, 3)),
    (metrics.R2Score(), np.zeros((4, 3)), np.zeros((4, 2)), (None, 3)),
    (metrics.PrecisionAtRecall(0.5, class_id=1), np.zeros((4, 3)), np.zeros((4, 3)), (None, 1)),
])
def test_check_targets(metric, good, bad, shape):
    metric.check_targets(good, shape if not isinstance(metric, metrics.PrecisionAtRecall) else (None, 3))
    with pytest.raises(ValueError, match=metric.name):
        metric.check_targets(bad, shape)


def test_metrics_in_fit_by_name_and_object():
    model = glassnet.Sequential([layers.Input((4,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy",
                  metrics=["hinge", "binary_crossentropy", metrics.PrecisionAtRecall(0.5), metrics.R2Score()])
    x = RNG.standard_normal((16, 4)).astype("float32")
    y = binary(16)
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert {"hinge", "binary_crossentropy", "precision_at_recall", "r2_score"} <= set(history.history)
    assert all(np.isfinite(values[0]) for values in history.history.values())
