"""Precision and recall: counts of true/false positives at a threshold.

precision = TP / (TP + FP);  recall = TP / (TP + FN). Predictions above the
threshold (0.5 by default) count as positive; ``top_k`` and ``class_id``
restrict which predictions count, as in Keras.
"""

import numpy as np

from glassnet.metrics.metric import Metric, as_array


class _ConfusionCounts(Metric):
    """Keeps true positives, false positives and false negatives per threshold."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        default = 0.5 if top_k is None else -np.inf
        values = [default] if thresholds is None else np.atleast_1d(thresholds).tolist()
        self.thresholds = np.asarray(values, dtype="float64")
        self.top_k, self.class_id = top_k, class_id
        self.reset_state()

    def reset_state(self):
        size = len(self.thresholds)
        self.true_positives = np.zeros(size)
        self.false_positives = np.zeros(size)
        self.false_negatives = np.zeros(size)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = as_array(y_true).astype("float64"), as_array(y_pred).astype("float64")
        if y_true.shape != y_pred.shape:
            y_true = y_true.reshape(y_pred.shape)
        if self.top_k is not None:
            kth = np.sort(y_pred, axis=-1)[..., -self.top_k][..., None]
            y_pred = np.where(y_pred >= kth, y_pred, -np.inf)
        if self.class_id is not None:
            y_true, y_pred = y_true[..., self.class_id], y_pred[..., self.class_id]
        weight = np.ones_like(y_true) if sample_weight is None else np.broadcast_to(
            as_array(sample_weight).reshape(-1, *([1] * (y_true.ndim - 1))), y_true.shape)
        actual = y_true > 0.5
        for i, threshold in enumerate(self.thresholds):
            predicted = y_pred > threshold
            self.true_positives[i] += float((weight * (predicted & actual)).sum())
            self.false_positives[i] += float((weight * (predicted & ~actual)).sum())
            self.false_negatives[i] += float((weight * (~predicted & actual)).sum())

    def _value(self, values):
        return float(values[0]) if len(values) == 1 else values.tolist()

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


def _ratio(numerator, denominator):
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


class Precision(_ConfusionCounts):
    """The share of positive predictions that are right: TP / (TP + FP)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name="precision", dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name, dtype=dtype)

    def result(self):
        return self._value(_ratio(self.true_positives, self.true_positives + self.false_positives))


class Recall(_ConfusionCounts):
    """The share of actual positives that were found: TP / (TP + FN)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name="recall", dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name, dtype=dtype)

    def result(self):
        return self._value(_ratio(self.true_positives, self.true_positives + self.false_negatives))
