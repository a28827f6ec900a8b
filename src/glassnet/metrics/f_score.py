"""F-beta and F1 scores: the weighted harmonic mean of precision and recall, per class or averaged.

For each class (column of ``y_true`` / ``y_pred``, both of shape (n, classes)):

    precision = TP / (TP + FP + eps),  recall = TP / (TP + FN + eps)
    F_beta = (1 + beta^2) * precision * recall / (beta^2 * precision + recall + eps)

with eps = 1e-7, as Keras 3 computes it (``keras/src/metrics/f_score_metrics.py``).
A prediction counts as positive where it is above ``threshold``; with
``threshold=None`` the largest prediction of each row is the positive one.

``average``: None gives one score per class (a list); "micro" counts TP, FP,
FN over all classes together; "macro" is the plain mean of the per-class
scores; "weighted" weighs them by each class's number of true instances.
"""

import numpy as np

from glassnet.losses import shape_text, shapes_match
from glassnet.metrics.metric import Metric, as_array
from glassnet.metrics.metrics_utils import EPSILON, as_result, check_number

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """F-beta score: beta > 1 favours recall, beta < 1 precision (F1 at beta = 1)."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in _AVERAGES:
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                             f"'weighted'}}. Received: average={average!r}")
        beta = float(check_number(type(self).__name__, "beta", beta, low=0.0, low_open=True))
        if threshold is not None:
            threshold = float(check_number(type(self).__name__, "threshold", threshold, low=0.0, high=1.0,
                                           low_open=True))
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={tuple(y_pred_shape)} and "
                             f"y_true.shape={tuple(y_true_shape)}. For integer labels, one-hot encode them with "
                             "glassnet.utils.to_categorical")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        self._shape = shape
        self._num_classes = y_pred_shape[-1]
        self._built = True
        self.reset_state()

    def reset_state(self):
        if self._built:
            self.true_positives = np.zeros(self._shape)
            self.false_positives = np.zeros(self._shape)
            self.false_negatives = np.zeros(self._shape)
            self.intermediate_weights = np.zeros(self._shape)

    def check_targets(self, y_true, y_pred_shape):
        name = f"Metric '{self.name}'"
        if len(y_pred_shape) != 2 or y_true.ndim != 2 or not shapes_match(y_true.shape[1:], y_pred_shape[1:]):
            raise ValueError(f"{name} expects one-hot (or 0/1 multi-label) targets and predictions of one shape "
                             f"(n, classes); got targets of shape {y_true.shape} and predictions of shape "
                             f"{shape_text(y_pred_shape)}. For integer labels, one-hot encode them with "
                             "glassnet.utils.to_categorical")
        if self._built and y_pred_shape[-1] not in (None, self._num_classes):
            raise ValueError(f"{name} was built for predictions with {self._num_classes} columns, got shape "
                             f"{shape_text(y_pred_shape)}")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = np.asarray(as_array(y_true), dtype="float32")
        y_pred = np.asarray(as_array(y_pred), dtype="float32")
        if self._built and (y_pred.ndim != 2 or y_pred.shape[-1] != self._num_classes):
            raise ValueError(f"{type(self).__name__} was built for predictions with {self._num_classes} columns, "
                             f"got shape {y_pred.shape}")
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if y_true.shape != y_pred.shape:
            raise ValueError(f"{type(self).__name__}: y_true and y_pred must have the same shape, got "
                             f"{y_true.shape} and {y_pred.shape}")
        if self.threshold is None:
            predicted = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.astype("float64")
        y_true = y_true.astype("float64")
        weight = None
        if sample_weight is not None:
            weight = np.asarray(as_array(sample_weight), dtype="float64").reshape(-1)
            if weight.size == 1:
                weight = np.full(len(y_true), weight[0])
            if weight.shape != (len(y_true),):
                raise ValueError(f"{type(self).__name__}: sample_weight must have one value per sample "
                                 f"({len(y_true)}), got shape {np.shape(sample_weight)}")
            weight = weight[:, None]

        def weighted_sum(values):
            return (values if weight is None else values * weight).sum(axis=self.axis)

        self.true_positives = self.true_positives + weighted_sum(predicted * y_true)
        self.false_positives = self.false_positives + weighted_sum(predicted * (1 - y_true))
        self.false_negatives = self.false_negatives + weighted_sum((1 - predicted) * y_true)
        self.intermediate_weights = self.intermediate_weights + weighted_sum(y_true)

    def result(self):
        if not self._built:
            return 0.0
        precision = self.true_positives / (self.true_positives + self.false_positives + EPSILON)
        recall = self.true_positives / (self.true_positives + self.false_negatives + EPSILON)
        beta2 = self.beta ** 2
        score = (1 + beta2) * (precision * recall) / (beta2 * precision + recall + EPSILON)
        if self.average == "weighted":
            weights = self.intermediate_weights / (np.sum(self.intermediate_weights) + EPSILON)
            score = np.sum(score * weights)
        elif self.average is not None:  # micro (already a scalar) or macro
            score = np.mean(score)
        return as_result(score)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score: the harmonic mean of precision and recall, 2 P R / (P + R)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
