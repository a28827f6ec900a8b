"""AUC against scikit-learn's exact areas (many thresholds) and Keras 3's own AUC (exactly)."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from glassnet import metrics  # noqa: E402

sk = pytest.importorskip("sklearn.metrics")


@pytest.fixture
def scores(rng):
    y = (rng.uniform(size=500) > 0.6).astype("float32")
    p = np.clip(0.3 * y + 0.7 * rng.uniform(size=500), 0, 1).astype("float32")
    p[:5], p[5:10], p[10:15] = 0.0, 1.0, 0.5  # the edges of the threshold grid
    w = rng.uniform(0.1, 2.0, size=500).astype("float32")
    return y, p, w


def _auc(y, p, sample_weight=None, batches=(slice(0, 200), slice(200, None)), **kwargs):
    metric = metrics.AUC(**kwargs)
    for part in batches:
        metric.update_state(y[part], p[part], sample_weight=None if sample_weight is None else sample_weight[part])
    return metric.result()


@pytest.mark.parametrize("weighted", [False, True])
def test_roc_auc_approaches_sklearn_with_many_thresholds(scores, weighted):
    y, p, w = scores
    w = w if weighted else None
    exact = sk.roc_auc_score(y, p, sample_weight=w)
    assert _auc(y, p, w, num_thresholds=5000) == pytest.approx(exact, abs=2e-3)
    assert _auc(y, p, w) == pytest.approx(exact, abs=1e-2)  # the default 200 thresholds: close, not exact


def test_roc_auc_is_exact_when_predictions_sit_on_the_threshold_grid(rng):
    # With predictions on the grid k / (T - 1), the trapezoids are exactly sklearn's.
    y = (rng.uniform(size=400) > 0.5).astype("float32")
    p = (np.round(rng.uniform(size=400) * 10 + 4 * y) / 20).astype("float32")
    assert _auc(y, p, num_thresholds=21) == pytest.approx(sk.roc_auc_score(y, p), abs=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
def test_pr_auc_approaches_average_precision(scores, weighted):
    y, p, w = scores
    w = w if weighted else None
    # The interpolated PR area and sklearn's step-wise average precision differ by a little.
    assert _auc(y, p, w, curve="PR", num_thresholds=2000) == pytest.approx(
        sk.average_precision_score(y, p, sample_weight=w), abs=1e-2)


def test_pr_majoring_with_many_thresholds_is_close_to_average_precision(scores):
    y, p, _ = scores
    # sklearn's AP sums precision * (recall step), taking the precision where each positive is added; with a
    # threshold between nearly every pair of predictions, that is the upper of the two heights ("majoring").
    area = _auc(y, p, curve="PR", summation_method="majoring", num_thresholds=20000)
    assert area == pytest.approx(sk.average_precision_score(y, p), abs=1e-3)
    lower = _auc(y, p, curve="PR", summation_method="minoring", num_thresholds=20000)
    assert lower < area


def test_perfect_and_useless_predictions():
    y = np.array([0, 0, 1, 1], dtype="float32")
    assert metrics.AUC()(y, np.array([0.1, 0.2, 0.8, 0.9])) == pytest.approx(1.0, abs=1e-6)
    assert metrics.AUC()(y, np.array([0.9, 0.8, 0.2, 0.1])) == pytest.approx(0.0, abs=1e-6)
    assert metrics.AUC()(y, np.full(4, 0.5)) == pytest.approx(0.5, abs=1e-6)


def test_keras_docstring_example():
    m = metrics.AUC(num_thresholds=3)
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    assert m.result() == pytest.approx(0.75)
    m.reset_state()
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], sample_weight=[1, 0, 0, 1])
    assert m.result() == pytest.approx(1.0)


def test_from_logits_applies_a_sigmoid(scores):
    y, p, _ = scores
    logits = np.log(np.clip(p, 1e-4, 1 - 1e-4) / (1 - np.clip(p, 1e-4, 1 - 1e-4)))
    assert _auc(y, logits, from_logits=True, num_thresholds=1000) == pytest.approx(
        _auc(y, np.clip(p, 1e-4, 1 - 1e-4), num_thresholds=1000), abs=1e-6)


def test_multi_label_averages_one_curve_per_column(rng):
    y = (rng.uniform(size=(300, 3)) > 0.5).astype("float32")
    p = np.clip(0.4 * y + 0.6 * rng.uniform(size=(300, 3)), 0, 1).astype("float32")
    per_column = [sk.roc_auc_score(y[:, j], p[:, j]) for j in range(3)]
    multi = metrics.AUC(multi_label=True, num_thresholds=4000)
    multi.update_state(y, p)
    assert multi.result() == pytest.approx(np.mean(per_column), abs=2e-3)
    weighted = metrics.AUC(multi_label=True, num_thresholds=4000, label_weights=[1.0, 0.0, 3.0])
    weighted.update_state(y, p)
    assert weighted.result() == pytest.approx((per_column[0] + 3 * per_column[2]) / 4, abs=2e-3)
    flat = metrics.AUC(num_thresholds=4000)  # multi_label=False: every entry counts once
    flat.update_state(y, p)
    assert flat.result() == pytest.approx(sk.roc_auc_score(y.ravel(), p.ravel()), abs=2e-3)
    assert sk.roc_auc_score(y, p, average="macro") == pytest.approx(np.mean(per_column))


def test_reset_state_and_accumulation(scores):
    y, p, _ = scores
    metric = metrics.AUC()
    metric.update_state(y, p)
    once = metric.result()
    metric.reset_state()
    assert metric.result() == 0.0
    for part in np.array_split(np.arange(len(y)), 7):
        metric.update_state(y[part], p[part])
    assert metric.result() == pytest.approx(once, abs=1e-12)


def test_labels_as_a_column_and_as_lists(scores):
    y, p, _ = scores
    assert _auc(y[:, None], p, batches=(slice(None),)) == pytest.approx(_auc(y, p, batches=(slice(None),)))
    assert _auc(y, p[:, None], batches=(slice(None),)) == pytest.approx(_auc(y, p, batches=(slice(None),)))
    assert metrics.AUC()(y.tolist(), p.tolist()) == pytest.approx(_auc(y, p, batches=(slice(None),)))


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="ROCK")
    with pytest.raises(ValueError, match="summation_method"):
        metrics.AUC(summation_method="simpson")
    with pytest.raises(ValueError, match="num_labels"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match="thresholds"):
        metrics.AUC(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="rank 2"):
        metrics.AUC(multi_label=True).update_state(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match="same shape"):
        metrics.AUC().update_state(np.ones(4), np.ones(5))


def test_names_and_config_round_trip():
    assert metrics.AUC().name == "auc"
    assert metrics.get("auc").name == "auc" and isinstance(metrics.get("AUC"), metrics.AUC)
    metric = metrics.AUC(curve="pr", summation_method="Minoring", thresholds=[0.7, 0.2], multi_label=True,
                         num_labels=2, label_weights=[1, 2], name="pr_auc")
    config = metric.get_config()
    assert config == {"name": "pr_auc", "dtype": "float32", "num_thresholds": 4, "curve": "PR",
                      "summation_method": "minoring", "multi_label": True, "num_labels": 2,
                      "label_weights": [1.0, 2.0], "from_logits": False, "thresholds": [0.2, 0.7]}
    clone = metrics.AUC.from_config(config)
    assert clone.get_config() == config
    assert clone.thresholds == pytest.approx([-1e-7, 0.2, 0.7, 1 + 1e-7])


# --- against Keras' own AUC: the same numbers ----------------------------------------------------------------
KERAS_CASES = [
    {}, {"curve": "PR"}, {"curve": "PRGAIN"}, {"summation_method": "minoring"}, {"summation_method": "majoring"},
    {"curve": "PR", "summation_method": "majoring"}, {"num_thresholds": 7}, {"num_thresholds": 2000},
    {"thresholds": [0.1, 0.35, 0.5, 0.9]}, {"thresholds": [0.25, 0.5, 0.75]}, {"curve": "PR", "thresholds": [0.3]},
]


@pytest.mark.parametrize("kwargs", KERAS_CASES, ids=[str(k) for k in KERAS_CASES])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras_auc(scores, kwargs, weighted):
    keras = pytest.importorskip("keras")
    y, p, w = scores
    w = w if weighted else None
    theirs = keras.metrics.AUC(**kwargs)
    for part in (slice(0, 200), slice(200, None)):
        theirs.update_state(y[part], p[part], sample_weight=None if w is None else w[part])
    assert _auc(y, p, w, **kwargs) == pytest.approx(float(theirs.result()), abs=2e-6)
    assert metrics.AUC(**kwargs).get_config() == keras.metrics.AUC(name="auc", **kwargs).get_config()


@pytest.mark.parametrize("kwargs", [
    {"multi_label": True}, {"multi_label": True, "label_weights": [1, 2, 0, 3]},
    {"multi_label": False, "label_weights": [1, 2, 0, 3]}, {"multi_label": True, "curve": "PR"},
    {"from_logits": True}, {"multi_label": True, "num_labels": 4, "thresholds": [0.2, 0.4, 0.9]},
])
def test_matches_keras_on_several_columns(rng, kwargs):
    keras = pytest.importorskip("keras")
    y = (rng.uniform(size=(200, 4)) > 0.5).astype("float32")
    p = np.clip(0.3 * y + 0.7 * rng.uniform(size=(200, 4)), 0, 1).astype("float32")
    if kwargs.get("from_logits"):
        p = (p - 0.5) * 6
    w = rng.uniform(size=200).astype("float32")
    theirs, ours = keras.metrics.AUC(**kwargs), metrics.AUC(**kwargs)
    theirs.update_state(y, p, sample_weight=w)
    ours.update_state(y, p, sample_weight=w)
    assert ours.result() == pytest.approx(float(theirs.result()), abs=2e-6)
