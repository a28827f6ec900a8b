"""Metrics that average a loss function over samples: the cross-entropies, KL divergence and Poisson.

As in Keras 3 the metric functions are the loss functions; the metric
computes them on arrays (no graph is recorded) in float32 and keeps their
weighted mean. Targets follow the same rules as the loss's.
"""

import numpy as np

from glassnet import losses
from glassnet.autodiff.grad_mode import no_grad
from glassnet.losses.targets import check_one_hot_targets, check_same_shape, check_sparse_targets
from glassnet.metrics.metric import Mean, MeanMetricWrapper, as_array, same_rank


class LossFunctionMean(MeanMetricWrapper):
    """The (weighted) mean over samples of a loss function ``fn(y_true, y_pred, **kwargs)``."""

    def values(self, y_true, y_pred):
        """The per-sample values of this batch, as a NumPy array (targets and predictions lined up first)."""
        y_true, y_pred = same_rank(as_array(y_true), np.asarray(as_array(y_pred), dtype=self.dtype))
        with no_grad():
            return as_array(self.fn(y_true, y_pred, **self.fn_kwargs))

    def update_state(self, y_true, y_pred, sample_weight=None):
        Mean.update_state(self, self.values(y_true, y_pred), sample_weight)

    def check_targets(self, y_true, y_pred_shape):
        check_same_shape(f"Metric '{self.name}'", y_true, y_pred_shape, "compares targets with predictions one by one")


class BinaryCrossentropy(LossFunctionMean):
    """The mean binary cross-entropy of 0/1 targets and predicted probabilities (or logits with ``from_logits``)."""

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(losses.binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(LossFunctionMean):
    """The mean categorical cross-entropy of one-hot targets and predicted probabilities (or logits)."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(losses.categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)

    def check_targets(self, y_true, y_pred_shape):
        check_one_hot_targets(f"Metric '{self.name}'", y_true, y_pred_shape)


class SparseCategoricalCrossentropy(LossFunctionMean):
    """The mean cross-entropy of integer class ids and predicted probabilities (or logits).

    With ``ignore_class`` the ignored entries count as 0; as in Keras they still count in the number of
    values averaged over, unless sample weights are given (then they weigh 0).
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, ignore_class=None,
                 axis=-1):
        super().__init__(losses.sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)
        self.ignore_class = ignore_class

    def values(self, y_true, y_pred):
        y_pred = np.asarray(as_array(y_pred), dtype=self.dtype)
        with no_grad():
            return as_array(self.fn(as_array(y_true), y_pred, **self.fn_kwargs))

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self.values(y_true, y_pred)
        if sample_weight is not None and self.ignore_class is not None:
            labels = as_array(y_true).reshape(values.shape)
            weight = np.asarray(as_array(sample_weight), dtype="float64")
            weight = weight.reshape(weight.shape + (1,) * (values.ndim - weight.ndim))
            sample_weight = weight * (labels != self.ignore_class)
        Mean.update_state(self, values, sample_weight)

    def check_targets(self, y_true, y_pred_shape):
        check_sparse_targets(f"Metric '{self.name}'", y_true, y_pred_shape, self.ignore_class)


class KLDivergence(LossFunctionMean):
    """The mean Kullback-Leibler divergence sum(y_true log(y_true / y_pred))."""

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(losses.kl_divergence, name=name, dtype=dtype)


class Poisson(LossFunctionMean):
    """The mean Poisson loss y_pred - y_true log(y_pred)."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(losses.poisson, name=name, dtype=dtype)
