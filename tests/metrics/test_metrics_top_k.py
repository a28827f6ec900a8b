"""TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy against scikit-learn and Keras 3."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from glassnet import metrics  # noqa: E402

sk = pytest.importorskip("sklearn.metrics")


@pytest.fixture
def scores(rng):
    labels = rng.integers(0, 6, 250)
    p = rng.uniform(size=(250, 6)).astype("float32")
    p[np.arange(100), labels[:100]] += 0.4
    weights = rng.uniform(0.1, 2.0, size=250)
    return labels, p, weights


def _run(metric, y, p, weights=None):
    for part in (slice(0, 100), slice(100, None)):
        metric.update_state(y[part], p[part], sample_weight=None if weights is None else weights[part])
    return metric.result()


@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("weighted", [False, True])
def test_match_sklearn_top_k_accuracy(scores, k, weighted):
    labels, p, weights = scores
    weights = weights if weighted else None
    expected = sk.top_k_accuracy_score(labels, p, k=k, sample_weight=weights, labels=range(6))
    assert _run(metrics.SparseTopKCategoricalAccuracy(k=k), labels, p, weights) == pytest.approx(expected)
    assert _run(metrics.SparseTopKCategoricalAccuracy(k=k), labels[:, None], p, weights) == pytest.approx(expected)
    onehot = np.eye(6, dtype="float32")[labels]
    assert _run(metrics.TopKCategoricalAccuracy(k=k), onehot, p, weights) == pytest.approx(expected)


def test_k_one_is_categorical_accuracy_and_k_all_is_one(scores):
    labels, p, _ = scores
    assert _run(metrics.SparseTopKCategoricalAccuracy(k=1), labels, p) == pytest.approx(
        _run(metrics.SparseCategoricalAccuracy(), labels, p))
    assert _run(metrics.SparseTopKCategoricalAccuracy(k=6), labels, p) == 1.0
    assert _run(metrics.SparseTopKCategoricalAccuracy(k=10), labels, p) == 1.0


def test_ties_with_the_kth_score_count_as_in_the_top_k():
    # Keras' in_top_k: the target's score >= the k-th largest.
    values = metrics.sparse_top_k_categorical_accuracy(np.array([2, 3]), np.array([[0.5, 0.5, 0.5, 0.1]] * 2), k=1)
    assert values.tolist() == [1.0, 0.0]


def test_functions_defaults_and_shapes(scores):
    labels, p, _ = scores
    values = metrics.top_k_categorical_accuracy(np.eye(6)[labels], p)
    assert values.shape == (250,) and values.dtype == np.float32  # k=5 by default
    assert metrics.sparse_top_k_categorical_accuracy(labels[:, None], p, k=2).shape == (250, 1)
    sequences = p.reshape(25, 10, 6)
    assert metrics.sparse_top_k_categorical_accuracy(labels.reshape(25, 10), sequences, k=2).shape == (25, 10)


def test_from_sorted_ids():
    sorted_ids = np.array([[3, 1, 0], [2, 0, 1], [0, 1, 2]])
    metric = metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
    metric.update_state(np.array([1, 1, 2]), sorted_ids)
    assert metric.result() == pytest.approx(1 / 3)
    assert metric.get_config()["from_sorted_ids"] is True


def test_reset_names_config_and_lookup(scores):
    labels, p, _ = scores
    metric = metrics.SparseTopKCategoricalAccuracy(k=3)
    first = _run(metric, labels, p)
    metric.reset_state()
    assert metric.result() == 0.0
    assert _run(metric, labels, p) == pytest.approx(first)
    assert metric.get_config() == {"name": "sparse_top_k_categorical_accuracy", "dtype": "float32", "k": 3}
    assert metrics.TopKCategoricalAccuracy().get_config() == {"name": "top_k_categorical_accuracy",
                                                              "dtype": "float32", "k": 5}
    clone = metrics.TopKCategoricalAccuracy.from_config({"name": "top3", "dtype": "float32", "k": 3})
    assert clone.k == 3 and clone.name == "top3"
    assert isinstance(metrics.get("top_k_categorical_accuracy"), metrics.TopKCategoricalAccuracy)
    assert isinstance(metrics.get("sparse_top_k_categorical_accuracy"), metrics.SparseTopKCategoricalAccuracy)
    assert isinstance(metrics.get(metrics.top_k_categorical_accuracy), metrics.TopKCategoricalAccuracy)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        metrics.TopKCategoricalAccuracy(k=0)
    with pytest.raises(ValueError, match=r"class ids must be in \[0, 6\)"):
        metrics.SparseTopKCategoricalAccuracy().update_state(np.array([7]), p[:1])


@pytest.mark.parametrize("k", [1, 2, 4])
def test_match_keras(scores, k):
    keras = pytest.importorskip("keras")
    labels, p, weights = scores
    onehot = np.eye(6, dtype="float32")[labels]
    for ours, theirs, y in [
        (metrics.TopKCategoricalAccuracy(k=k), keras.metrics.TopKCategoricalAccuracy(k=k), onehot),
        (metrics.SparseTopKCategoricalAccuracy(k=k), keras.metrics.SparseTopKCategoricalAccuracy(k=k), labels),
        (metrics.SparseTopKCategoricalAccuracy(k=k), keras.metrics.SparseTopKCategoricalAccuracy(k=k),
         labels[:, None]),
    ]:
        assert _run(ours, y, p, weights) == pytest.approx(float(_run(theirs, y, p, weights)), rel=1e-6)
        assert ours.get_config() == theirs.get_config()
