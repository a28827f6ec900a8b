"""Margin (hinge) losses, as in support vector machines: a prediction on the right side of the margin costs nothing.

Binary targets may be given as 0/1: when every target is 0 or 1 they are
mapped to -1/1, as Keras does.
"""

import numpy as np

from glassnet import ops
from glassnet.losses.loss import ElementwiseLoss, as_float


def _signed_labels(y_true, y_pred):
    """Targets as -1/1: 0/1 targets are mapped by 2 y - 1, anything else is left as it is."""
    target = as_float(y_true, y_pred)
    if np.all((target == 0) | (target == 1)):
        return 2.0 * target - 1.0
    return target


def _margin_violation(y_true, y_pred):
    """max(1 - y_true * y_pred, 0)."""
    return ops.relu(ops.subtract(1.0, ops.multiply(y_pred, _signed_labels(y_true, y_pred))))


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)) over the last axis; y_true -1/1 (or 0/1)."""
    return ops.mean(_margin_violation(y_true, y_pred), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)^2) over the last axis; y_true -1/1 (or 0/1)."""
    return ops.mean(ops.square(_margin_violation(y_true, y_pred)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0): the best wrong class's score must stay
    a margin of 1 below the true class's; y_true one-hot."""
    target = as_float(y_true, y_pred)
    positive = ops.sum(ops.multiply(y_pred, target), axis=-1)
    negative = ops.max(ops.multiply(y_pred, 1.0 - target), axis=-1)
    return ops.relu(ops.add(ops.subtract(negative, positive), 1.0))


class Hinge(ElementwiseLoss):
    """mean(max(1 - y_true * y_pred, 0)), for -1/1 (or 0/1) targets."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction)


class SquaredHinge(ElementwiseLoss):
    """mean(max(1 - y_true * y_pred, 0)^2), for -1/1 (or 0/1) targets."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction)


class CategoricalHinge(ElementwiseLoss):
    """max(best wrong score - true score + 1, 0), for one-hot targets."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction)
