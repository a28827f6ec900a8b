"""F1Score and FBetaScore against scikit-learn (same averaging) and Keras 3."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from glassnet import metrics  # noqa: E402

sk = pytest.importorskip("sklearn.metrics")
AVERAGES = [None, "micro", "macro", "weighted"]


@pytest.fixture
def multiclass(rng):
    labels = rng.integers(0, 4, 300)
    scores = rng.uniform(size=(300, 4)).astype("float32")
    scores[np.arange(150), labels[:150]] += 0.5
    scores /= scores.sum(axis=1, keepdims=True)
    onehot = np.eye(4, dtype="float32")[labels]
    weights = rng.uniform(0.1, 2.0, size=300).astype("float32")
    return labels, onehot, scores, weights


def _score(metric, onehot, scores, weights=None):
    for part in (slice(0, 120), slice(120, None)):
        metric.update_state(onehot[part], scores[part], sample_weight=None if weights is None else weights[part])
    return metric.result()


@pytest.mark.parametrize("average", AVERAGES)
@pytest.mark.parametrize("weighted", [False, True])
def test_f1_with_argmax_predictions_matches_sklearn(multiclass, average, weighted):
    labels, onehot, scores, weights = multiclass
    weights = weights if weighted else None
    result = _score(metrics.F1Score(average=average), onehot, scores, weights)
    expected = sk.f1_score(labels, scores.argmax(axis=1), average=average, sample_weight=weights)
    # Keras' formula adds epsilon = 1e-7 to each denominator.
    np.testing.assert_allclose(result, expected, atol=1e-6)
    assert isinstance(result, list) if average is None else isinstance(result, float)


@pytest.mark.parametrize("average", AVERAGES)
@pytest.mark.parametrize("beta", [0.5, 2.0, 1.0])
@pytest.mark.parametrize("threshold", [0.3, 0.5])
def test_fbeta_with_a_threshold_matches_sklearn_multilabel(multiclass, average, beta, threshold):
    _, onehot, scores, weights = multiclass
    result = _score(metrics.FBetaScore(average=average, beta=beta, threshold=threshold), onehot, scores, weights)
    expected = sk.fbeta_score(onehot, (scores > threshold).astype(int), beta=beta, average=average,
                              sample_weight=weights, zero_division=0)
    np.testing.assert_allclose(result, expected, atol=1e-6)


def test_keras_docstring_example():
    metric = metrics.F1Score(threshold=0.5)
    y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32)
    y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32)
    metric.update_state(y_true, y_pred)
    np.testing.assert_allclose(metric.result(), [0.5, 0.8, 0.6666667], rtol=1e-6)
    beta = metrics.FBetaScore(beta=2.0, threshold=0.5)
    beta.update_state(y_true, y_pred)
    np.testing.assert_allclose(beta.result(), [0.3846154, 0.90909094, 0.8333334], rtol=1e-6)


def test_zero_predictions_do_not_count_as_the_row_maximum():
    metric = metrics.F1Score(average="micro")
    metric.update_state(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]))
    assert metric.true_positives == 0 and metric.false_negatives == 1


def test_reset_state_and_config(multiclass):
    _, onehot, scores, _ = multiclass
    metric = metrics.FBetaScore(average="macro", beta=2.0, threshold=0.4, name="f2")
    once = _score(metric, onehot, scores)
    metric.reset_state()
    assert metric.result() == 0.0
    assert _score(metric, onehot, scores) == pytest.approx(once)
    assert metric.get_config() == {"name": "f2", "dtype": "float32", "average": "macro", "beta": 2.0,
                                   "threshold": 0.4}
    assert metrics.FBetaScore.from_config(metric.get_config()).get_config() == metric.get_config()
    f1 = metrics.F1Score(average="weighted")
    assert f1.get_config() == {"name": "f1_score", "dtype": "float32", "average": "weighted", "threshold": None}
    assert metrics.F1Score.from_config(f1.get_config()).average == "weighted"
    assert metrics.FBetaScore().name == "fbeta_score"
    assert isinstance(metrics.get("f1_score"), metrics.F1Score)
    assert isinstance(metrics.get("f_beta_score"), metrics.FBetaScore)


@pytest.mark.parametrize("make,message", [
    (lambda: metrics.F1Score(average="samples"), "average"),
    (lambda: metrics.FBetaScore(beta=0.0), "beta"),
    (lambda: metrics.FBetaScore(beta="2"), "beta"),
    (lambda: metrics.F1Score(threshold=0.0), "threshold"),
    (lambda: metrics.F1Score(threshold=1.5), "threshold"),
])
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_inputs():
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.F1Score().update_state(np.array([0, 1, 2]), np.ones((3, 3)))
    metric = metrics.F1Score()
    metric.update_state(np.eye(3), np.eye(3))
    with pytest.raises(ValueError, match="3 columns"):
        metric.update_state(np.eye(4), np.eye(4))
    with pytest.raises(ValueError, match="one value per sample"):
        metrics.F1Score().update_state(np.eye(3), np.eye(3), sample_weight=[1, 2])


@pytest.mark.parametrize("average", AVERAGES)
@pytest.mark.parametrize("threshold", [None, 0.35])
def test_matches_keras(multiclass, average, threshold):
    keras = pytest.importorskip("keras")
    _, onehot, scores, weights = multiclass
    for beta in (1.0, 0.5, 3.0):
        theirs = keras.metrics.FBetaScore(average=average, beta=beta, threshold=threshold)
        ours = metrics.FBetaScore(average=average, beta=beta, threshold=threshold)
        expected = _score(theirs, onehot, scores, weights)
        np.testing.assert_allclose(_score(ours, onehot, scores, weights), np.asarray(expected), rtol=1e-5, atol=1e-6)
        assert ours.get_config() == theirs.get_config()
    assert metrics.F1Score(average=average).get_config() == keras.metrics.F1Score(average=average).get_config()
