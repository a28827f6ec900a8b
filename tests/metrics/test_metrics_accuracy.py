"""Accuracy metrics, the "accuracy" resolution rule of Keras 3, and metric lookup."""

import numpy as np
import pytest

from glassnet import metrics

sklearn_metrics = pytest.importorskip("sklearn.metrics")


def _batches(rng, n=40, classes=5):
    labels = rng.integers(0, classes, size=n)
    scores = rng.uniform(size=(n, classes)).astype("float32")
    # Make about half the predictions right, so accuracy is far from 0 and 1.
    right = rng.uniform(size=n) < 0.5
    scores[right, labels[right]] += 1.0
    return labels, scores


def test_accuracy_exact_match_over_batches_and_reset(rng):
    metric = metrics.Accuracy()
    y1, p1 = rng.integers(0, 3, 20), rng.integers(0, 3, 20)
    y2, p2 = rng.integers(0, 3, 12), rng.integers(0, 3, 12)
    metric.update_state(y1, p1)
    assert metric.result() == pytest.approx(sklearn_metrics.accuracy_score(y1, p1))
    metric.update_state(y2, p2)
    expected = sklearn_metrics.accuracy_score(np.concatenate([y1, y2]), np.concatenate([p1, p2]))
    assert metric.result() == pytest.approx(expected)
    metric.reset_state()
    assert metric.result() == 0.0
    metric.update_state([1, 2, 3], [1, 2, 0])
    assert metric.result() == pytest.approx(2 / 3)


@pytest.mark.parametrize("threshold", [0.5, 0.3, 0.8])
def test_binary_accuracy_threshold(threshold, rng):
    y = (rng.uniform(size=(30, 1)) > 0.5).astype("float32")
    p = rng.uniform(size=(30, 1)).astype("float32")
    metric = metrics.BinaryAccuracy(threshold=threshold)
    metric.update_state(y, p)
    expected = sklearn_metrics.accuracy_score(y.ravel(), (p.ravel() > threshold).astype("float32"))
    assert metric.result() == pytest.approx(expected)


def test_binary_accuracy_default_threshold_and_label_shapes(rng):
    y = (rng.uniform(size=25) > 0.5).astype("float32")
    p = rng.uniform(size=(25, 1)).astype("float32")
    flat, column = metrics.BinaryAccuracy(), metrics.BinaryAccuracy()
    flat.update_state(y, p)
    column.update_state(y[:, None], p)
    expected = sklearn_metrics.accuracy_score(y, (p.ravel() > 0.5).astype("float32"))
    assert flat.result() == pytest.approx(expected)
    assert column.result() == pytest.approx(expected)
    assert metrics.BinaryAccuracy().fn_kwargs["threshold"] == 0.5


def test_binary_accuracy_multilabel_averages_over_all_entries(rng):
    y = (rng.uniform(size=(10, 4)) > 0.5).astype("float32")
    p = rng.uniform(size=(10, 4)).astype("float32")
    metric = metrics.BinaryAccuracy()
    metric.update_state(y, p)
    assert metric.result() == pytest.approx(np.mean((p > 0.5) == (y == 1)))


def test_categorical_accuracy(rng):
    labels, scores = _batches(rng)
    onehot = np.eye(5, dtype="float32")[labels]
    metric = metrics.CategoricalAccuracy()
    metric.update_state(onehot[:25], scores[:25])
    metric.update_state(onehot[25:], scores[25:])
    assert metric.result() == pytest.approx(sklearn_metrics.accuracy_score(labels, scores.argmax(1)))
    assert 0.2 < metric.result() < 0.9


@pytest.mark.parametrize("label_shape", ["(n,)", "(n, 1)", "(n, 1) float"])
def test_sparse_categorical_accuracy_label_shapes(label_shape, rng):
    labels, scores = _batches(rng)
    given = {"(n,)": labels, "(n, 1)": labels[:, None], "(n, 1) float": labels[:, None].astype("float32")}[label_shape]
    metric = metrics.SparseCategoricalAccuracy()
    metric.update_state(given, scores)
    assert metric.result() == pytest.approx(sklearn_metrics.accuracy_score(labels, scores.argmax(1)))


def test_sparse_categorical_accuracy_with_sample_weight(rng):
    labels, scores = _batches(rng)
    w = rng.uniform(size=40)
    metric = metrics.SparseCategoricalAccuracy()
    metric.update_state(labels, scores, sample_weight=w)
    expected = sklearn_metrics.accuracy_score(labels, scores.argmax(1), sample_weight=w)
    assert metric.result() == pytest.approx(expected, rel=1e-6)


def test_calling_a_metric_updates_and_returns_result(rng):
    metric = metrics.CategoricalAccuracy()
    assert metric(np.eye(3)[[0, 1]], np.eye(3)[[0, 2]]) == pytest.approx(0.5)
    assert metric(np.eye(3)[[2, 2]], np.eye(3)[[2, 2]]) == pytest.approx(0.75)


def test_metric_names_match_keras():
    assert metrics.Accuracy().name == "accuracy"
    assert metrics.BinaryAccuracy().name == "binary_accuracy"
    assert metrics.CategoricalAccuracy().name == "categorical_accuracy"
    assert metrics.SparseCategoricalAccuracy().name == "sparse_categorical_accuracy"


# --- "accuracy" resolution ----------------------------------------------------------------------------------


# Keras 3 (trainers/compile_utils.get_metric): one output unit -> binary; labels of lower rank, or a
# last axis of 1 against several classes -> sparse; otherwise categorical.
RESOLUTION = [
    ((8,), (8, 1), metrics.BinaryAccuracy),
    ((8, 1), (8, 1), metrics.BinaryAccuracy),
    ((8,), (8, 5), metrics.SparseCategoricalAccuracy),
    ((8, 1), (8, 5), metrics.SparseCategoricalAccuracy),
    ((8, 5), (8, 5), metrics.CategoricalAccuracy),
    ((8, 2), (8, 2), metrics.CategoricalAccuracy),
    ((8, 3), (8, 3, 5), metrics.SparseCategoricalAccuracy),
    ((8, 3, 1), (8, 3, 5), metrics.SparseCategoricalAccuracy),
    ((8, 3, 5), (8, 3, 5), metrics.CategoricalAccuracy),
]


@pytest.mark.parametrize("y_true_shape,y_pred_shape,expected", RESOLUTION)
def test_resolve_accuracy_like_keras(y_true_shape, y_pred_shape, expected):
    assert metrics.resolve_accuracy(y_true_shape, y_pred_shape) is expected


def test_resolve_accuracy_agrees_with_keras_itself():
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("needs the Keras torch backend")
    from keras.src.trainers.compile_utils import get_metric

    for y_true_shape, y_pred_shape, _ in RESOLUTION:
        theirs = get_metric("accuracy", np.zeros(y_true_shape), np.zeros(y_pred_shape))
        ours = metrics.resolve_accuracy(y_true_shape, y_pred_shape)
        assert type(theirs).__name__ == ours.__name__, (y_true_shape, y_pred_shape)


# --- lookup --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,cls", [
    ("accuracy", metrics.Accuracy), ("binary_accuracy", metrics.BinaryAccuracy),
    ("categorical_accuracy", metrics.CategoricalAccuracy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy), ("mse", metrics.MeanSquaredError),
    ("mae", metrics.MeanAbsoluteError), ("rmse", metrics.RootMeanSquaredError), ("precision", metrics.Precision),
    ("recall", metrics.Recall), ("MeanSquaredError", metrics.MeanSquaredError),
])
def test_get_by_name(name, cls):
    assert type(metrics.get(name)) is cls


def test_get_instances_classes_and_functions(rng):
    instance = metrics.Precision(thresholds=0.7)
    assert metrics.get(instance) is instance
    assert type(metrics.get(metrics.Recall)) is metrics.Recall
    assert type(metrics.get(metrics.categorical_accuracy)) is metrics.CategoricalAccuracy

    def fraction_positive(y_true, y_pred):
        return (np.asarray(y_pred) > 0).astype("float32").mean(axis=-1)

    wrapped = metrics.get(fraction_positive)
    wrapped.update_state(np.zeros((2, 2)), np.array([[1.0, -1.0], [1.0, 1.0]]))
    assert wrapped.result() == pytest.approx(0.75)
    assert wrapped.name == "fraction_positive"


def test_unknown_metric_name_lists_valid_names():
    with pytest.raises(ValueError) as info:
        metrics.get("acuracy")
    message = str(info.value)
    assert "acuracy" in message
    for name in ("accuracy", "binary_accuracy", "mse", "precision"):
        assert name in message


@pytest.mark.parametrize("direction", ["flat targets, column predictions", "column targets, flat predictions"])
def test_binary_accuracy_and_accuracy_line_up_flat_and_column_shapes(direction, rng):
    y = (rng.uniform(size=15) > 0.5).astype("float32")
    p = rng.uniform(size=15).astype("float32")
    hard = (p > 0.5).astype("float32")
    expected = sklearn_metrics.accuracy_score(y, hard)
    binary, exact = metrics.BinaryAccuracy(), metrics.Accuracy()
    if direction.startswith("flat"):
        binary.update_state(y, p[:, None])
        exact.update_state(y, hard[:, None])
    else:
        binary.update_state(y[:, None], p)
        exact.update_state(y[:, None], hard)
    assert binary.result() == pytest.approx(expected)
    assert exact.result() == pytest.approx(expected)
