"""Cross-entropy losses: categorical, sparse categorical, binary, their focal forms, and generalized cross-entropy.

Cross-entropy after a softmax or sigmoid is computed from the logits that
op received, when the graph still holds them: the result is exact even for
confident predictions, and the gradient is ``(p - y) / n``. Probabilities
are otherwise clipped to [epsilon, 1 - epsilon], as Keras does.
"""

import numpy as np

from glassnet import config, ops
from glassnet.autodiff.tensor import Tensor
from glassnet.losses.loss import ElementwiseLoss, OneHotLoss, SparseLoss, as_float, producer, reduce_values
from glassnet.ops.nn import Sigmoid, Softmax

# --- per-sample functions ------------------------------------------------------


def _smooth_labels(target, label_smoothing, classes):
    if label_smoothing:
        return target * (1.0 - label_smoothing) + label_smoothing / classes
    return target


def _check_axis(axis):
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum(y_true * log(y_pred)) over the class axis; y_true one-hot (or probabilities)."""
    _check_axis(axis)
    target = _smooth_labels(as_float(y_true, y_pred), label_smoothing, y_pred.shape[axis])
    softmax = None if from_logits else producer(y_pred, Softmax)
    if (from_logits or softmax is not None) and axis in (-1, y_pred.ndim - 1):
        logits = y_pred if from_logits else softmax.inputs[0]
        return ops.softmax_cross_entropy(logits, target, softmax=softmax)
    if from_logits:
        return ops.negative(ops.sum(ops.multiply(ops.log_softmax(y_pred, axis), target), axis=axis))
    eps = config.epsilon()
    probs = ops.divide(y_pred, ops.sum(y_pred, axis=axis, keepdims=True))
    probs = ops.clip(probs, eps, 1.0 - eps)
    return ops.negative(ops.sum(ops.multiply(ops.log(probs), target), axis=axis))


def _class_ids(y_true, y_pred):
    """Integer labels with one axis fewer than the predictions (a trailing axis of 1 dropped)."""
    labels = y_true.data if isinstance(y_true, Tensor) else np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    return labels.astype(np.int64, copy=False)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """-log(y_pred[label]); y_true holds integer class ids."""
    labels = _class_ids(y_true, y_pred)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)
    softmax = None if from_logits else producer(y_pred, Softmax)
    if from_logits or softmax is not None:
        logits = y_pred if from_logits else softmax.inputs[0]
        values = ops.sparse_softmax_cross_entropy(logits, labels, softmax=softmax)
    else:
        eps = config.epsilon()
        probs = ops.clip(y_pred, eps, 1.0 - eps)
        picked = ops.squeeze(ops.take_along_axis(probs, labels[..., None], axis=-1), axis=-1)
        values = ops.negative(ops.log(picked))
    if valid is not None:
        values = ops.multiply(values, valid.astype(values.dtype))
    return values


def _binary_target(y_true, y_pred, label_smoothing):
    target = as_float(y_true, y_pred)
    if target.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        target = target[..., None]
    if label_smoothing:
        target = target * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return target


def _clipped_bce(target, p):
    """-(t log p + (1 - t) log(1 - p)) with p clipped to [eps, 1 - eps]."""
    eps = config.epsilon()
    p = ops.clip(p, eps, 1.0 - eps)
    positive = ops.multiply(ops.log(p), target)
    negative = ops.multiply(ops.log(ops.subtract(1.0, p)), 1.0 - target)
    return ops.negative(ops.add(positive, negative))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-(y log p + (1 - y) log(1 - p)), mean over the last axis."""
    target = _binary_target(y_true, y_pred, label_smoothing)
    sigmoid = None if from_logits else producer(y_pred, Sigmoid)
    logits = y_pred if from_logits else (sigmoid.inputs[0] if sigmoid is not None else None)
    if logits is not None:
        return ops.mean(ops.sigmoid_cross_entropy(logits, target), axis=axis)
    return ops.mean(_clipped_bce(target, y_pred), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Focal loss (Lin et al., 2017): (1 - p_t)^gamma * bce, p_t = y p + (1 - y)(1 - p); mean over ``axis``.

    With ``apply_class_balancing`` each term is also weighted by alpha (y = 1) or 1 - alpha (y = 0).
    """
    target = _binary_target(y_true, y_pred, label_smoothing)
    probs = ops.sigmoid(y_pred) if from_logits else y_pred
    p_t = ops.add(ops.multiply(probs, target), ops.multiply(ops.subtract(1.0, probs), 1.0 - target))
    focal = ops.multiply(ops.power(ops.subtract(1.0, p_t), float(gamma)), _clipped_bce(target, probs))
    if apply_class_balancing:
        focal = ops.multiply(focal, target * alpha + (1.0 - target) * (1.0 - alpha))
    return ops.mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                                   axis=-1):
    """-sum(alpha (1 - p)^gamma y log p) over the class axis, p the predictions scaled to sum to 1 and clipped."""
    _check_axis(axis)
    target = _smooth_labels(as_float(y_true, y_pred), label_smoothing, y_pred.shape[axis])
    probs = ops.softmax(y_pred, axis=axis) if from_logits else y_pred
    probs = ops.divide(probs, ops.sum(probs, axis=axis, keepdims=True))
    eps = config.epsilon()
    probs = ops.clip(probs, eps, 1.0 - eps)
    weight = ops.multiply(ops.power(ops.subtract(1.0, probs), float(gamma)), float(alpha))
    return ops.negative(ops.sum(ops.multiply(weight, ops.multiply(ops.log(probs), target)), axis=axis))


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """(1 - p^q) / q, p the predicted probability of the true class (Zhang & Sabuncu, 2018): cross-entropy as
    q -> 0, mean absolute error at q = 1; robust to noisy labels. y_true holds integer class ids."""
    labels = _class_ids(y_true, y_pred)
    one_hot = np.eye(y_pred.shape[-1], dtype=y_pred.dtype)[labels]
    picked = ops.sum(ops.multiply(y_pred, one_hot), axis=-1)
    return ops.divide(ops.subtract(1.0, ops.power(picked, float(q))), float(q))


# --- classes -----------------------------------------------------------------------


class CategoricalCrossentropy(OneHotLoss):
    """Cross-entropy for one-hot targets; ``from_logits`` for unnormalised scores."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class SparseCategoricalCrossentropy(SparseLoss):
    """Cross-entropy for integer class ids; ``ignore_class`` masks one id out."""

    def __init__(self, from_logits=False, ignore_class=None, axis=-1, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self.ignore_class is None or self.reduction not in ("sum_over_batch_size", "mean"):
            return super().__call__(y_true, y_pred, sample_weight)
        # Keras 3 masks the ignored entries: the mean is over the entries that count.
        if not isinstance(y_pred, Tensor):
            y_pred = Tensor(np.asarray(y_pred, dtype=config.floatx()))
        labels = y_true.data if isinstance(y_true, Tensor) else np.asarray(y_true)
        valid = int(np.count_nonzero(labels != self.ignore_class))
        total = reduce_values(self.call(y_true, y_pred), sample_weight, "sum")
        return ops.divide(total, float(max(valid, 1)))


class BinaryCrossentropy(ElementwiseLoss):
    """Cross-entropy for 0/1 targets; ``from_logits`` for unnormalised scores."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class BinaryFocalCrossentropy(ElementwiseLoss):
    """Binary cross-entropy that down-weights easy examples by (1 - p_t)^gamma (focal loss)."""

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 axis=-1, reduction="sum_over_batch_size", name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class CategoricalFocalCrossentropy(OneHotLoss):
    """Categorical cross-entropy weighted by alpha (1 - p)^gamma per class (focal loss), for one-hot targets."""

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy", dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class CategoricalGeneralizedCrossEntropy(SparseLoss):
    """Generalized cross-entropy (1 - p^q) / q for integer class ids; ``q`` in (0, 1)."""

    def __init__(self, q=0.5, reduction="sum_over_batch_size", name="categorical_generalized_cross_entropy",
                 dtype=None):
        if isinstance(q, bool) or not isinstance(q, (int, float, np.integer, np.floating)) or not 0 < q < 1:
            raise ValueError(f"CategoricalGeneralizedCrossEntropy: q must be a number in the interval (0, 1), "
                             f"got q={q!r}")
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction, q=q)
