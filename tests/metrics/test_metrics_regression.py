"""Mean-type metrics: Mean (weighted), Sum, MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError."""

import numpy as np
import pytest

from glassnet import metrics

sklearn_metrics = pytest.importorskip("sklearn.metrics")


def test_mean_unweighted_over_batches_and_reset():
    metric = metrics.Mean()
    metric.update_state([1.0, 2.0, 3.0])
    metric.update_state(np.array([[10.0, 20.0]]))
    assert metric.result() == pytest.approx(36.0 / 5)
    metric.reset_state()
    assert metric.result() == 0.0
    metric.update_state(4.0)
    assert metric.result() == pytest.approx(4.0)


def test_mean_with_sample_weight(rng):
    values, weights = rng.standard_normal(20), rng.uniform(size=20)
    metric = metrics.Mean()
    metric.update_state(values[:12], sample_weight=weights[:12])
    metric.update_state(values[12:], sample_weight=weights[12:])
    assert metric.result() == pytest.approx(np.average(values, weights=weights), rel=1e-6)


def test_mean_with_per_sample_weight_on_2d_values(rng):
    # Keras 3 reduces each sample to its mean and weights it: sum_i w_i mean_j v_ij / sum_i w_i.
    values, weights = rng.standard_normal((6, 3)), rng.uniform(size=6)
    metric = metrics.Mean()
    metric.update_state(values, sample_weight=weights)
    assert metric.result() == pytest.approx(np.average(values.mean(axis=1), weights=weights), rel=1e-6)


def test_mean_zero_weights_are_ignored():
    metric = metrics.Mean()
    metric.update_state([1.0, 100.0, 3.0], sample_weight=[1.0, 0.0, 1.0])
    assert metric.result() == pytest.approx(2.0)


def test_sum_with_and_without_weights():
    metric = metrics.Sum()
    metric.update_state([1.0, 2.0])
    metric.update_state([3.0], sample_weight=[2.0])
    assert metric.result() == pytest.approx(9.0)


@pytest.mark.parametrize("metric_cls,reference", [
    (metrics.MeanSquaredError, sklearn_metrics.mean_squared_error),
    (metrics.MeanAbsoluteError, sklearn_metrics.mean_absolute_error),
    (metrics.RootMeanSquaredError, lambda y, p: np.sqrt(sklearn_metrics.mean_squared_error(y, p))),
])
def test_regression_metrics_over_batches_match_sklearn(metric_cls, reference, rng):
    y, p = rng.standard_normal((30, 3)), rng.standard_normal((30, 3))
    metric = metric_cls()
    metric.update_state(y[:10], p[:10])
    metric.update_state(y[10:], p[10:])
    assert metric.result() == pytest.approx(reference(y, p), rel=1e-5)
    metric.reset_state()
    metric.update_state(y[:5], y[:5])
    assert metric.result() == pytest.approx(0.0, abs=1e-7)


@pytest.mark.parametrize("metric_cls,reference", [
    (metrics.MeanSquaredError, sklearn_metrics.mean_squared_error),
    (metrics.MeanAbsoluteError, sklearn_metrics.mean_absolute_error),
])
def test_regression_metrics_with_sample_weight_match_sklearn(metric_cls, reference, rng):
    y, p, w = rng.standard_normal((20, 2)), rng.standard_normal((20, 2)), rng.uniform(size=20)
    metric = metric_cls()
    metric.update_state(y, p, sample_weight=w)
    assert metric.result() == pytest.approx(reference(y, p, sample_weight=w), rel=1e-5)


def test_rmse_is_root_of_the_pooled_mean_not_mean_of_roots(rng):
    metric = metrics.RootMeanSquaredError()
    metric.update_state([[0.0]], [[3.0]])
    metric.update_state([[0.0]], [[1.0]])
    assert metric.result() == pytest.approx(np.sqrt((9 + 1) / 2))


def test_regression_metric_targets_of_shape_n_against_predictions_n_1(rng):
    y, p = rng.standard_normal(12), rng.standard_normal((12, 1))
    metric = metrics.MeanAbsoluteError()
    metric.update_state(y, p)
    assert metric.result() == pytest.approx(np.abs(y - p.ravel()).mean(), rel=1e-5)


def test_names_and_config():
    assert metrics.MeanSquaredError().name == "mean_squared_error"
    assert metrics.RootMeanSquaredError().name == "root_mean_squared_error"
    metric = metrics.Mean(name="my_mean")
    clone = metrics.Mean.from_config(metric.get_config())
    assert clone.name == "my_mean"


@pytest.mark.parametrize("metric_cls,reference", [
    (metrics.MeanSquaredError, sklearn_metrics.mean_squared_error),
    (metrics.MeanAbsoluteError, sklearn_metrics.mean_absolute_error),
    (metrics.RootMeanSquaredError, lambda y, p: np.sqrt(sklearn_metrics.mean_squared_error(y, p))),
])
@pytest.mark.parametrize("direction", ["flat targets, column predictions", "column targets, flat predictions"])
def test_flat_and_column_shapes_are_lined_up(metric_cls, reference, direction, rng):
    y, p = rng.standard_normal(9), rng.standard_normal(9)
    metric = metric_cls()
    if direction.startswith("flat"):
        metric.update_state(y, p[:, None])
    else:
        metric.update_state(y[:, None], p)
    assert metric.result() == pytest.approx(reference(y, p), rel=1e-5)


def test_mape_and_msle_match_keras(rng):
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    import glassnet

    y_true = rng.uniform(0.5, 3.0, (6, 4)).astype("float32")
    y_pred = rng.uniform(0.0, 3.0, (6, 4)).astype("float32")
    for name in ("MeanAbsolutePercentageError", "MeanSquaredLogarithmicError"):
        ours, theirs = getattr(glassnet.metrics, name)(), getattr(keras.metrics, name)()
        ours.update_state(y_true, y_pred)
        theirs.update_state(y_true, y_pred)
        np.testing.assert_allclose(float(ours.result()), float(theirs.result()), rtol=1e-5)
    assert isinstance(glassnet.metrics.get("mape"), glassnet.metrics.MeanAbsolutePercentageError)


def test_regularizer_lowercase_aliases():
    import glassnet

    assert isinstance(glassnet.regularizers.l2(1e-4), glassnet.regularizers.L2)
    assert glassnet.regularizers.l1(0.5).l1 == 0.5
