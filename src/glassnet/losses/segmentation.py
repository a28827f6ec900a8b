"""Overlap losses for image segmentation: Dice and Tversky, 1 minus a soft overlap score.

With ``axis=None`` the sums run over every element of the batch (one
score for the whole batch); give the spatial axes, e.g. ``axis=(1, 2)``,
for one score per image.
"""

from glassnet import config, ops
from glassnet.losses.loss import ElementwiseLoss, as_float


def _axes(axis):
    """An axis, a tuple of axes or None (a list read back from a config becomes a tuple)."""
    return tuple(axis) if isinstance(axis, list) else axis


def dice(y_true, y_pred, axis=None):
    """1 - 2 sum(y_true y_pred) / (sum(y_true) + sum(y_pred) + epsilon), the sums over ``axis``."""
    target, axis = as_float(y_true, y_pred), _axes(axis)
    overlap = ops.multiply(ops.sum(ops.multiply(y_pred, target), axis=axis), 2.0)
    total = ops.add(ops.sum(y_pred, axis=axis), target.sum(axis=axis) + config.epsilon())
    return ops.subtract(1.0, ops.divide(overlap, total))


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """1 - TP / (TP + alpha FP + beta FN + epsilon) with soft counts over ``axis`` (Salehi et al., 2017):

    TP = sum(y_true y_pred), FP = sum(y_true (1 - y_pred)), FN = sum((1 - y_true) y_pred), as Keras computes
    them; alpha = beta = 0.5 gives the Dice loss.
    """
    target, axis = as_float(y_true, y_pred), _axes(axis)
    overlap = ops.sum(ops.multiply(y_pred, target), axis=axis)
    missed = ops.sum(ops.multiply(ops.subtract(1.0, y_pred), target), axis=axis)
    extra = ops.sum(ops.multiply(y_pred, 1.0 - target), axis=axis)
    total = ops.add(ops.add(overlap, ops.multiply(missed, float(alpha))), ops.multiply(extra, float(beta)))
    return ops.subtract(1.0, ops.divide(overlap, ops.add(total, config.epsilon())))


class Dice(ElementwiseLoss):
    """1 - the Dice coefficient of targets and predictions (``axis``: the axes summed over; None for all)."""

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, axis=_axes(axis))


class Tversky(ElementwiseLoss):
    """1 - the Tversky index: Dice with ``alpha`` and ``beta`` weighting the two kinds of error."""

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky", axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, alpha=alpha, beta=beta, axis=_axes(axis))
