"""Accuracy metrics: the share of predictions that match the targets."""

import numpy as np

from glassnet.losses import check_class_ids, check_same_shape, shape_text, shapes_match
from glassnet.metrics.metric import MeanMetricWrapper, same_rank


def check_one_hot(owner, y_true, y_pred_shape, sparse_name):
    """One-hot targets as wide as the predictions, with a hint when they look like class ids."""
    if len(y_pred_shape) < 2:
        raise ValueError(f"{owner} expects class scores of shape (n, classes), got predictions of shape "
                         f"{shape_text(y_pred_shape)}")
    if not shapes_match(tuple(y_true.shape[1:]), tuple(y_pred_shape[1:])):
        hint = f". For integer class ids use '{sparse_name}'" if y_true.ndim < len(y_pred_shape) \
            or y_true.shape[-1] == 1 else ""
        raise ValueError(f"{owner} expects one-hot targets of shape {shape_text(y_pred_shape)}, got targets of "
                         f"shape {y_true.shape}{hint}")


def check_sparse_ids(owner, y_true, y_pred_shape, one_hot_name):
    """One class id per row of scores: targets of shape (n,) or (n, 1) for predictions (n, classes)."""
    if len(y_pred_shape) < 2:
        raise ValueError(f"{owner} expects class scores of shape (n, classes), got predictions of shape "
                         f"{shape_text(y_pred_shape)}")
    ids_shape = tuple(y_pred_shape[1:-1])
    if shapes_match(y_true.shape[1:], ids_shape) or shapes_match(y_true.shape[1:], ids_shape + (1,)):
        return
    hint = f". For one-hot targets use '{one_hot_name}'" if tuple(y_true.shape[1:]) == tuple(y_pred_shape[1:]) \
        else ""
    raise ValueError(f"{owner} expects integer class ids of shape {shape_text(y_pred_shape[:-1])} or "
                     f"{shape_text(tuple(y_pred_shape[:-1]) + (1,))} for predictions of shape "
                     f"{shape_text(y_pred_shape)}, got targets of shape {y_true.shape}{hint}")


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

    def check_targets(self, y_true, y_pred_shape):
        check_same_shape(f"Metric '{self.name}'", y_true, y_pred_shape, "compares targets with predictions one by one")


class BinaryAccuracy(MeanMetricWrapper):
    """How often thresholded predictions match binary labels."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)

    def check_targets(self, y_true, y_pred_shape):
        check_same_shape(f"Metric '{self.name}'", y_true, y_pred_shape, "compares targets with predictions one by one")


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the top class matches a one-hot label."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def check_targets(self, y_true, y_pred_shape):
        check_one_hot(f"Metric '{self.name}'", y_true, y_pred_shape, "sparse_categorical_accuracy")


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the top class matches an integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def check_targets(self, y_true, y_pred_shape):
        check_sparse_ids(f"Metric '{self.name}'", y_true, y_pred_shape, "categorical_accuracy")


def _in_top_k(targets, scores, k):
    """True where the target's score is among the k largest of its row (ties with the k-th count as in).

    Keras' ``ops.in_top_k``: score[target] >= the k-th largest score, i.e.
    fewer than k scores are strictly larger.
    """
    target_scores = np.take_along_axis(scores, targets[:, None], axis=-1)
    return (scores > target_scores).sum(axis=-1) < k


def _flatten_for_top_k(y_true_ids, y_pred):
    """Rows of scores (n, classes) and ids (n,), and the shape to give the matches back."""
    y_pred = np.asarray(y_pred)
    if y_pred.ndim < 2:
        raise ValueError(f"top-k accuracy expects class scores of shape (n, classes), got shape {y_pred.shape}")
    shape = y_true_ids.shape
    return y_true_ids.reshape(-1), y_pred.reshape(-1, y_pred.shape[-1]), shape


def _check_ids(ids, classes):
    if ids.size and (ids.min() < 0 or ids.max() >= classes):
        raise ValueError(f"top-k accuracy: class ids must be in [0, {classes}), got ids from {ids.min()} to "
                         f"{ids.max()}")


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the true class (argmax of the one-hot ``y_true``) is among the ``k`` highest scores."""
    y_pred = np.asarray(y_pred)
    ids, scores, shape = _flatten_for_top_k(np.argmax(np.asarray(y_true), axis=-1), y_pred)
    if len(ids) != len(scores):
        raise ValueError(f"top_k_categorical_accuracy: y_true {np.shape(y_true)} and y_pred {y_pred.shape} "
                         "must have the same shape (one-hot labels)")
    return _in_top_k(ids, scores, k).astype("float32").reshape(shape)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1 where the integer label is among the ``k`` highest scores.

    With ``from_sorted_ids=True``, ``y_pred`` holds class ids sorted from best
    to worst (shape (n, N), N >= k) and only the first k are looked at.
    """
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    if not from_sorted_ids:
        y_true = y_true.astype("int64")  # as Keras' cast to int32: whole numbers only
    ids, scores, shape = _flatten_for_top_k(y_true, y_pred)  # labels (n,) or (n, 1): matches take their shape
    if len(ids) != len(scores):
        raise ValueError(f"sparse_top_k_categorical_accuracy: {len(ids)} labels for {len(scores)} rows of scores "
                         f"(y_true {np.shape(y_true)}, y_pred {y_pred.shape})")
    if from_sorted_ids:
        matches = np.any(ids[:, None] == scores[:, :k], axis=1)
    else:
        _check_ids(ids, scores.shape[-1])
        matches = _in_top_k(ids, scores, k)
    return matches.astype("float32").reshape(shape)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is among the ``k`` highest-scored classes."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        _check_k(k)
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}

    def check_targets(self, y_true, y_pred_shape):
        check_one_hot(f"Metric '{self.name}'", y_true, y_pred_shape, "sparse_top_k_categorical_accuracy")


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is among the ``k`` highest-scored classes."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        _check_k(k)
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config

    def check_targets(self, y_true, y_pred_shape):
        owner = f"Metric '{self.name}'"
        check_sparse_ids(owner, y_true, y_pred_shape, "top_k_categorical_accuracy")
        check_class_ids(owner, y_true, None if self.from_sorted_ids else y_pred_shape[-1])


def _check_k(k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer (how many of the top classes count), got k={k!r}")
