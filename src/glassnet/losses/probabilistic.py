"""Losses between distributions and counts: Kullback-Leibler divergence and Poisson."""

import numpy as np

from glassnet import config, ops
from glassnet.losses.loss import ElementwiseLoss, as_float


def kl_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred)) over the last axis, both clipped to [epsilon, 1]."""
    eps = config.epsilon()
    target = np.clip(as_float(y_true, y_pred), eps, 1.0)
    log_ratio = ops.subtract(np.log(target), ops.log(ops.clip(y_pred, eps, 1.0)))
    return ops.sum(ops.multiply(log_ratio, target), axis=-1)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + epsilon)) over the last axis: the Poisson negative log-likelihood of
    counts y_true under rates y_pred, up to a term that does not depend on y_pred."""
    target = as_float(y_true, y_pred)
    log_rate = ops.log(ops.add(y_pred, config.epsilon()))
    return ops.mean(ops.subtract(y_pred, ops.multiply(log_rate, target)), axis=-1)


class KLDivergence(ElementwiseLoss):
    """Kullback-Leibler divergence of the predicted distribution from the target one."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction)


class Poisson(ElementwiseLoss):
    """Poisson loss: y_pred - y_true log(y_pred), for count targets and positive predicted rates."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction)
