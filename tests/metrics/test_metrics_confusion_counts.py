"""TruePositives/FalsePositives/TrueNegatives/FalseNegatives, and Precision/Recall against Keras 3 itself."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from glassnet import metrics  # noqa: E402

sk = pytest.importorskip("sklearn.metrics")

COUNTS = {"TruePositives": (1, 1), "FalsePositives": (0, 1), "TrueNegatives": (0, 0), "FalseNegatives": (1, 0)}


@pytest.fixture
def binary(rng):
    y = (rng.uniform(size=120) > 0.5).astype("float32")
    p = np.clip(0.3 * y + 0.7 * rng.uniform(size=120), 0, 1).astype("float32")
    p[:3], p[3:6] = 0.0, 1.0
    w = rng.uniform(size=120).astype("float32")
    return y, p, w


@pytest.mark.parametrize("name", list(COUNTS))
@pytest.mark.parametrize("thresholds", [None, 0.3, [0.2, 0.5, 0.8], [0.0, 0.5, 1.0]])
def test_counts_match_sklearn_confusion_matrix(binary, name, thresholds):
    y, p, w = binary
    label, predicted = COUNTS[name]
    metric = getattr(metrics, name)(thresholds=thresholds)
    metric.update_state(y[:50], p[:50], sample_weight=w[:50])
    metric.update_state(y[50:], p[50:], sample_weight=w[50:])
    values = [0.5] if thresholds is None else np.atleast_1d(thresholds)
    expected = [sk.confusion_matrix(y, p > t, sample_weight=w, labels=[0, 1])[label, predicted] for t in values]
    result = metric.result()
    if len(values) == 1:
        assert isinstance(result, float) and result == pytest.approx(expected[0])
    else:
        assert isinstance(result, list)
        np.testing.assert_allclose(result, expected, rtol=1e-6)
    metric.reset_state()
    assert np.all(np.asarray(metric.result()) == 0)


def test_counts_add_up_to_the_number_of_entries(binary):
    y, p, _ = binary
    thresholds = [0.1, 0.4, 0.6]
    total = sum(np.asarray(getattr(metrics, name)(thresholds=thresholds)(y, p)) for name in COUNTS)
    np.testing.assert_allclose(total, len(y))


def test_counts_names_config_and_errors():
    assert [getattr(metrics, name)().name for name in COUNTS] == [
        "true_positives", "false_positives", "true_negatives", "false_negatives"]
    assert isinstance(metrics.get("true_negatives"), metrics.TrueNegatives)
    metric = metrics.FalseNegatives(thresholds=[0.25, 0.75], name="fn")
    assert metric.get_config() == {"name": "fn", "dtype": "float32", "thresholds": [0.25, 0.75]}
    assert metrics.FalseNegatives.from_config(metric.get_config()).thresholds == [0.25, 0.75]
    with pytest.raises(ValueError, match=r"must be in \[0, 1\]"):
        metrics.TruePositives(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match=r"must be in \[0, 1\]"):
        metrics.Precision(thresholds=-0.1)
    with pytest.raises(ValueError, match="top_k"):
        metrics.Recall(top_k=0)
    with pytest.raises(ValueError, match="class_id"):
        metrics.Precision(class_id=1).update_state(np.ones(3), np.ones(3))


def test_non_zero_labels_count_as_positive_like_keras():
    # Keras casts labels to bool: a soft label of 0.3 is a positive.
    metric = metrics.TruePositives()
    metric.update_state([0.3, 1.0, 0.0], [0.9, 0.9, 0.9])
    assert metric.result() == 2.0


def test_top_k_keeps_exactly_k_among_ties():
    # Three predictions tie for the top: the lower column indices win, as in Keras (tf.math.top_k).
    precision = metrics.Precision(top_k=2)
    precision.update_state([[0, 0, 1, 0]], [[0.5, 0.5, 0.5, 0.1]])
    assert precision.true_positives.tolist() == [0.0] and precision.false_positives.tolist() == [2.0]


# --- Precision and Recall against Keras 3 itself -------------------------------------------------------------
CASES = [
    {}, {"thresholds": 0.3}, {"thresholds": [0.0, 0.5, 1.0]}, {"thresholds": [0.2, 0.5, 0.7]},
    {"thresholds": list(np.linspace(0, 1, 21))}, {"thresholds": [0.05 * i for i in range(1, 20)]},
    {"top_k": 1}, {"top_k": 2}, {"top_k": 2, "thresholds": 0.6}, {"top_k": 1, "class_id": 2},
    {"class_id": 1}, {"class_id": 1, "thresholds": [0.3, 0.6]}, {"top_k": 3, "thresholds": [0.1, 0.5, 0.9]},
]


@pytest.mark.parametrize("name", ["Precision", "Recall"])
@pytest.mark.parametrize("kwargs", CASES, ids=[str(c)[:60] for c in CASES])
@pytest.mark.parametrize("weighted", [False, True])
def test_precision_and_recall_match_keras(rng, name, kwargs, weighted):
    keras = pytest.importorskip("keras")
    y = (rng.uniform(size=(90, 4)) > 0.5).astype("float32")
    p = rng.uniform(size=(90, 4)).astype("float32")
    p[:4, :] = [0.0, 0.5, 1.0, 0.25]
    w = rng.uniform(size=90).astype("float32") if weighted else None
    theirs, ours = getattr(keras.metrics, name)(**kwargs), getattr(metrics, name)(**kwargs)
    for part in (slice(0, 40), slice(40, None)):
        sample_weight = None if w is None else w[part]
        theirs.update_state(y[part], p[part], sample_weight=sample_weight)
        ours.update_state(y[part], p[part], sample_weight=sample_weight)
    np.testing.assert_allclose(ours.result(), np.asarray(theirs.result()), rtol=1e-5, atol=1e-7)
    expected_config = {**theirs.get_config(), "name": ours.name}
    if isinstance(expected_config["thresholds"], np.ndarray):
        expected_config["thresholds"] = expected_config["thresholds"].tolist()
    assert ours.get_config() == expected_config


@pytest.mark.parametrize("name", list(COUNTS))
def test_counts_match_keras(binary, name):
    keras = pytest.importorskip("keras")
    y, p, w = binary
    for thresholds in (None, [0.0, 0.5, 1.0], [0.3, 0.7]):
        theirs = getattr(keras.metrics, name)(thresholds=thresholds)
        ours = getattr(metrics, name)(thresholds=thresholds)
        theirs.update_state(y, p, sample_weight=w)
        ours.update_state(y, p, sample_weight=w)
        np.testing.assert_allclose(ours.result(), np.asarray(theirs.result()), rtol=1e-5, atol=1e-5)  # float32 sums


def test_sample_weight_per_entry_and_column_labels(rng):
    y = (rng.uniform(size=(30, 3)) > 0.5).astype("float32")
    p = rng.uniform(size=(30, 3)).astype("float32")
    w = rng.uniform(size=(30, 3))
    precision = metrics.Precision()
    precision.update_state(y, p, sample_weight=w)
    assert precision.result() == pytest.approx(sk.precision_score(y.ravel(), p.ravel() > 0.5,
                                                                  sample_weight=w.ravel()))
    recall = metrics.Recall()
    recall.update_state(y[:, :1], p[:, 0], sample_weight=w[:, 0])
    assert recall.result() == pytest.approx(sk.recall_score(y[:, 0], p[:, 0] > 0.5, sample_weight=w[:, 0]))
