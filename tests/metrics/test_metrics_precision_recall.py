"""Precision and Recall (thresholds, top_k, class_id, sample_weight) against scikit-learn."""

import numpy as np
import pytest

from glassnet import metrics

sklearn_metrics = pytest.importorskip("sklearn.metrics")
precision_score, recall_score = sklearn_metrics.precision_score, sklearn_metrics.recall_score


@pytest.fixture
def binary(rng):
    y = (rng.uniform(size=60) > 0.4).astype("float32")
    p = (0.2 * y + 0.8 * rng.uniform(size=60)).astype("float32")
    return y, p


@pytest.fixture
def multilabel(rng):
    y = (rng.uniform(size=(40, 5)) > 0.5).astype("float32")
    p = rng.uniform(size=(40, 5)).astype("float32")
    return y, p


def _both(y, p, **kwargs):
    precision, recall = metrics.Precision(**kwargs), metrics.Recall(**kwargs)
    for m in (precision, recall):
        m.update_state(y, p)
    return precision.result(), recall.result()


@pytest.mark.parametrize("threshold", [None, 0.3, 0.5, 0.75])
def test_binary_thresholds_match_sklearn(binary, threshold):
    y, p = binary
    kwargs = {} if threshold is None else {"thresholds": threshold}
    predicted = p > (0.5 if threshold is None else threshold)
    precision, recall = _both(y, p, **kwargs)
    assert precision == pytest.approx(precision_score(y, predicted))
    assert recall == pytest.approx(recall_score(y, predicted))
    assert 0 < precision < 1 and 0 < recall < 1


def test_several_thresholds_give_a_list(binary):
    y, p = binary
    thresholds = [0.2, 0.5, 0.8]
    precision, recall = _both(y, p, thresholds=thresholds)
    assert isinstance(precision, list) and len(precision) == 3
    np.testing.assert_allclose(precision, [precision_score(y, p > t) for t in thresholds])
    np.testing.assert_allclose(recall, [recall_score(y, p > t) for t in thresholds])


def test_multilabel_counts_every_entry(multilabel):
    y, p = multilabel
    precision, recall = _both(y, p)
    assert precision == pytest.approx(precision_score(y.ravel(), p.ravel() > 0.5))
    assert recall == pytest.approx(recall_score(y.ravel(), p.ravel() > 0.5))


@pytest.mark.parametrize("class_id", [0, 3])
def test_class_id_looks_at_one_column(multilabel, class_id):
    y, p = multilabel
    precision, recall = _both(y, p, class_id=class_id)
    assert precision == pytest.approx(precision_score(y[:, class_id], p[:, class_id] > 0.5))
    assert recall == pytest.approx(recall_score(y[:, class_id], p[:, class_id] > 0.5))


def _top_k_mask(p, k):
    order = np.argsort(-p, axis=1)[:, :k]
    mask = np.zeros_like(p, dtype=bool)
    np.put_along_axis(mask, order, True, axis=1)
    return mask


@pytest.mark.parametrize("k", [1, 2])
def test_top_k_counts_the_k_best_as_positive(multilabel, k):
    y, p = multilabel
    predicted = _top_k_mask(p, k)
    precision, recall = _both(y, p, top_k=k)
    assert precision == pytest.approx(precision_score(y.ravel(), predicted.ravel()))
    assert recall == pytest.approx(recall_score(y.ravel(), predicted.ravel()))


def test_top_k_with_threshold_and_class_id(multilabel):
    y, p = multilabel
    top = _top_k_mask(p, 2)
    predicted = top & (p > 0.6)
    precision, recall = _both(y, p, top_k=2, thresholds=0.6)
    assert precision == pytest.approx(precision_score(y.ravel(), predicted.ravel()))
    assert recall == pytest.approx(recall_score(y.ravel(), predicted.ravel()))
    precision, recall = _both(y, p, top_k=2, class_id=4)
    assert precision == pytest.approx(precision_score(y[:, 4], top[:, 4]))
    assert recall == pytest.approx(recall_score(y[:, 4], top[:, 4]))


def test_sample_weight_matches_sklearn(binary, rng):
    y, p = binary
    w = rng.uniform(size=60)
    precision, recall = metrics.Precision(), metrics.Recall()
    precision.update_state(y, p, sample_weight=w)
    recall.update_state(y, p, sample_weight=w)
    assert precision.result() == pytest.approx(precision_score(y, p > 0.5, sample_weight=w))
    assert recall.result() == pytest.approx(recall_score(y, p > 0.5, sample_weight=w))


def test_accumulates_over_batches_and_resets(binary):
    y, p = binary
    precision = metrics.Precision()
    precision.update_state(y[:20], p[:20])
    precision.update_state(y[20:], p[20:])
    assert precision.result() == pytest.approx(precision_score(y, p > 0.5))
    precision.reset_state()
    assert precision.result() == 0.0  # no predictions yet: 0, not NaN
    precision.update_state([1, 0], [0.9, 0.2])
    assert precision.result() == pytest.approx(1.0)


def test_no_positive_predictions_gives_zero_not_nan():
    precision, recall = _both(np.array([1.0, 0.0]), np.array([0.1, 0.2]))
    assert precision == 0.0 and recall == 0.0


def test_column_predictions_against_flat_labels(binary):
    y, p = binary
    precision, _ = _both(y, p[:, None])
    assert precision == pytest.approx(precision_score(y, p > 0.5))


def test_names_and_config_round_trip():
    assert metrics.Precision().name == "precision" and metrics.Recall().name == "recall"
    metric = metrics.Recall(thresholds=[0.2, 0.4], top_k=3, class_id=1, name="r")
    clone = metrics.Recall.from_config(metric.get_config())
    assert clone.get_config() == metric.get_config()
    assert clone.top_k == 3 and clone.class_id == 1
