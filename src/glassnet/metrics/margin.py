"""Hinge metrics: the mean hinge, squared hinge and categorical hinge losses (the loss functions, averaged)."""

from glassnet import losses
from glassnet.metrics.probabilistic import LossFunctionMean


class Hinge(LossFunctionMean):
    """The mean of max(1 - y_true * y_pred, 0); targets -1/1 (or 0/1)."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(losses.hinge, name=name, dtype=dtype)


class SquaredHinge(LossFunctionMean):
    """The mean of max(1 - y_true * y_pred, 0)^2; targets -1/1 (or 0/1)."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(losses.squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(LossFunctionMean):
    """The mean of max(best wrong score - true score + 1, 0); one-hot targets."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(losses.categorical_hinge, name=name, dtype=dtype)
