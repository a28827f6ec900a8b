"""Regression losses: squared, absolute, percentage, logarithmic and log-cosh errors, Huber, cosine similarity.

Each compares a target with the output at the same place and averages
over the last axis (cosine similarity sums over ``axis``).
"""

import math

import numpy as np

from glassnet import config, ops
from glassnet.losses.loss import ElementwiseLoss, as_float

# --- per-sample functions ------------------------------------------------------


def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred)^2) over the last axis."""
    return ops.mean(ops.square(ops.subtract(y_pred, as_float(y_true, y_pred))), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|) over the last axis."""
    return ops.mean(ops.abs(ops.subtract(y_pred, as_float(y_true, y_pred))), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 mean(|y_true - y_pred| / max(|y_true|, epsilon)) over the last axis."""
    target = as_float(y_true, y_pred)
    scale = 100.0 / np.maximum(np.abs(target), config.epsilon())
    return ops.mean(ops.multiply(ops.abs(ops.subtract(y_pred, target)), scale), axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2) over the last axis."""
    eps = config.epsilon()
    target_log = np.log1p(np.maximum(as_float(y_true, y_pred), eps))
    return ops.mean(ops.square(ops.subtract(ops.log1p(ops.maximum(y_pred, eps)), target_log)), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta); mean over the last axis."""
    error = ops.subtract(y_pred, as_float(y_true, y_pred))
    absolute = ops.abs(error)
    quadratic = ops.minimum(absolute, float(delta))
    linear = ops.subtract(absolute, quadratic)
    values = ops.add(ops.multiply(ops.square(quadratic), 0.5), ops.multiply(linear, float(delta)))
    return ops.mean(values, axis=-1)


def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true))) over the last axis: e^2 / 2 for small errors, |e| - log 2 for large ones.

    Computed as e + softplus(-2 e) - log 2, which never overflows.
    """
    error = ops.subtract(y_pred, as_float(y_true, y_pred))
    values = ops.add(error, ops.softplus(ops.multiply(error, -2.0)))
    return ops.mean(ops.subtract(values, math.log(2.0)), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred)) over ``axis``: -1 for the same direction, 0 orthogonal."""
    target = ops.nn.normalize(as_float(y_true, y_pred), axis=axis)
    return ops.negative(ops.sum(ops.multiply(target, ops.nn.normalize(y_pred, axis=axis)), axis=axis))


# --- classes -----------------------------------------------------------------------


class MeanSquaredError(ElementwiseLoss):
    """mean((y_true - y_pred)^2)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction)


class MeanAbsoluteError(ElementwiseLoss):
    """mean(|y_true - y_pred|)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction)


class MeanAbsolutePercentageError(ElementwiseLoss):
    """100 mean(|y_true - y_pred| / |y_true|)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction)


class MeanSquaredLogarithmicError(ElementwiseLoss):
    """mean((log(y_pred + 1) - log(y_true + 1))^2)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction)


class Huber(ElementwiseLoss):
    """Quadratic for small errors, linear beyond ``delta`` (1.0)."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, name=name, reduction=reduction, delta=delta)


class LogCosh(ElementwiseLoss):
    """mean(log(cosh(y_pred - y_true))): like mean squared error for small errors, absolute error for large."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction)


class CosineSimilarity(ElementwiseLoss):
    """The negative cosine similarity of targets and predictions along ``axis``: minimising it aligns them."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, axis=axis)
