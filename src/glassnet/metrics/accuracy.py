"""Accuracy metrics: the share of predictions that match the targets."""

import numpy as np

from glassnet.metrics.metric import MeanMetricWrapper, same_rank


def _labels(y_true, like_ndim):
    """Integer labels with the trailing size-1 axis removed."""
    if type(y_true) is not np.ndarray:
        y_true = np.asarray(y_true)
    if y_true.ndim == like_ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return y_true


def accuracy(y_true, y_pred):
    """1 where y_pred equals y_true exactly."""
    y_true, y_pred = same_rank(y_true, y_pred)
    return (y_true == y_pred).astype("float32")


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1 where (y_pred > threshold) equals y_true, averaged over the last axis."""
    y_true, y_pred = same_rank(y_true, y_pred)
    return ((y_pred > threshold) == (y_true > 0.5)).mean(axis=-1, dtype="float32")


def categorical_accuracy(y_true, y_pred):
    """True where argmax(y_pred) equals argmax(y_true) (one-hot targets)."""
    return np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)


def sparse_categorical_accuracy(y_true, y_pred):
    """True where argmax(y_pred) equals the integer label (booleans average like 1 and 0)."""
    y_pred = np.asarray(y_pred)
    return _labels(y_true, y_pred.ndim) == y_pred.argmax(axis=-1)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often thresholded predictions match binary labels."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the top class matches a one-hot label."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the top class matches an integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)
