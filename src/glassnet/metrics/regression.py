"""Regression metrics: mean squared, mean absolute, mean absolute percentage, mean squared logarithmic and log-cosh
error, and cosine similarity."""

import numpy as np

from glassnet import losses
from glassnet.losses import check_same_shape
from glassnet.metrics.metric import MeanMetricWrapper, as_array, same_rank


class _ElementwiseMetric(MeanMetricWrapper):
    """A metric comparing each target with the prediction at the same place: targets take the predictions' shape."""

    def check_targets(self, y_true, y_pred_shape):
        check_same_shape(f"Metric '{self.name}'", y_true, y_pred_shape, "compares targets with predictions one by one")


def _aligned(y_true, y_pred):
    return same_rank(np.asarray(y_true, dtype="float32"), y_pred)


def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred)^2) over the last axis."""
    y_true, y_pred = _aligned(y_true, y_pred)
    return np.square(y_pred - y_true).mean(axis=-1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|) over the last axis."""
    y_true, y_pred = _aligned(y_true, y_pred)
    return np.abs(y_pred - y_true).mean(axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 mean(|y_true - y_pred| / max(|y_true|, epsilon)) over the last axis (Keras' formula)."""
    y_true, y_pred = _aligned(y_true, y_pred)
    return 100.0 * (np.abs(y_true - y_pred) / np.maximum(np.abs(y_true), 1e-7)).mean(axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2) over the last axis (Keras' formula)."""
    y_true, y_pred = _aligned(y_true, y_pred)
    return np.square(np.log1p(np.maximum(y_pred, 1e-7)) - np.log1p(np.maximum(y_true, 1e-7))).mean(axis=-1)


class MeanSquaredError(_ElementwiseMetric):
    """Mean squared error."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(_ElementwiseMetric):
    """Mean absolute error."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(_ElementwiseMetric):
    """Mean absolute percentage error."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_ElementwiseMetric):
    """Mean squared logarithmic error."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


class RootMeanSquaredError(_ElementwiseMetric):
    """sqrt(mean squared error) over all samples seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)

    def result(self):
        return float(np.sqrt(super().result()))


def cosine_similarity(y_true, y_pred, axis=-1):
    """sum(l2_normalize(y_true) * l2_normalize(y_pred)) over ``axis``: 1 for the same direction, 0 orthogonal."""
    y_true, y_pred = _aligned(y_true, np.asarray(y_pred, dtype="float32"))
    return -as_array(losses.cosine_similarity(y_true, y_pred, axis=axis))


class CosineSimilarity(_ElementwiseMetric):
    """The mean cosine similarity of targets and predictions along ``axis``."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


def _log_cosh(y_true, y_pred):
    y_true, y_pred = _aligned(y_true, np.asarray(y_pred, dtype="float32"))
    return as_array(losses.log_cosh(y_true, y_pred))


class LogCoshError(_ElementwiseMetric):
    """The mean of log(cosh(y_pred - y_true)) over the last axis (``losses.log_cosh``)."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(_log_cosh, name=name, dtype=dtype)
