"""Precision, recall and the four confusion counts, at one or several thresholds.

precision = TP / (TP + FP);  recall = TP / (TP + FN). A prediction above the
threshold (0.5 by default) counts as positive, a non-zero label as a real
positive. ``top_k`` and ``class_id`` restrict which predictions count, as in
Keras 3 (``keras/src/metrics/confusion_metrics.py``). With several
thresholds, ``result()`` is a list with one value per threshold.
"""

import numpy as np

from glassnet.metrics.metric import Metric
from glassnet.metrics.metrics_utils import (
    NEG_INF, as_result, check_confusion_targets, divide_no_nan, is_evenly_distributed_thresholds, parse_thresholds,
    update_confusion_matrix,
)


def _check_top_k(name, top_k):
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1):
        raise ValueError(f"{name}: top_k must be a positive integer or None, got top_k={top_k!r}")


def _check_class_id(name, class_id):
    if class_id is not None and (isinstance(class_id, bool) or not isinstance(class_id, (int, np.integer))):
        raise ValueError(f"{name}: class_id must be an integer column index or None, got class_id={class_id!r}")


class _ThresholdCounts(Metric):
    """Keeps the confusion counts named in ``_kinds`` per threshold."""

    _kinds = ()

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        title = type(self).__name__
        _check_top_k(title, top_k)
        _check_class_id(title, class_id)
        self.init_thresholds = thresholds
        self.top_k, self.class_id = top_k, class_id
        self.thresholds = parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF, title)
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(self.thresholds)
        self.reset_state()

    def reset_state(self):
        for kind in self._kinds:
            setattr(self, _ATTRIBUTES[kind], np.zeros(len(self.thresholds)))

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix({kind: getattr(self, _ATTRIBUTES[kind]) for kind in self._kinds}, y_true, y_pred,
                                self.thresholds, self._thresholds_distributed_evenly, top_k=self.top_k,
                                class_id=self.class_id, sample_weight=sample_weight, name=type(self).__name__)

    def check_targets(self, y_true, y_pred_shape):
        check_confusion_targets(f"Metric '{self.name}'", y_true, y_pred_shape, self.class_id)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


_ATTRIBUTES = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives", "fn": "false_negatives"}


class Precision(_ThresholdCounts):
    """The share of positive predictions that are right: TP / (TP + FP) (0 when nothing is predicted positive)."""

    _kinds = ("tp", "fp")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name or "precision", dtype=dtype)

    def result(self):
        return as_result(_first_or_all(divide_no_nan(self.true_positives, self.true_positives + self.false_positives)))


class Recall(_ThresholdCounts):
    """The share of actual positives that were found: TP / (TP + FN) (0 when there are no positives)."""

    _kinds = ("tp", "fn")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name or "recall", dtype=dtype)

    def result(self):
        return as_result(_first_or_all(divide_no_nan(self.true_positives, self.true_positives + self.false_negatives)))


def _first_or_all(values):
    return values[0] if len(values) == 1 else values


class _ConfusionMatrixConditionCount(_ThresholdCounts):
    """The (weighted) number of one kind of outcome, per threshold."""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds, name=name, dtype=dtype)

    @property
    def accumulator(self):
        return getattr(self, _ATTRIBUTES[self._kinds[0]])

    def result(self):
        return as_result(_first_or_all(self.accumulator))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """How many positives were predicted positive: count of (label != 0 and prediction > threshold)."""

    _kinds = ("tp",)


class FalsePositives(_ConfusionMatrixConditionCount):
    """How many negatives were predicted positive: count of (label == 0 and prediction > threshold)."""

    _kinds = ("fp",)


class TrueNegatives(_ConfusionMatrixConditionCount):
    """How many negatives were predicted negative: count of (label == 0 and prediction <= threshold)."""

    _kinds = ("tn",)


class FalseNegatives(_ConfusionMatrixConditionCount):
    """How many positives were missed: count of (label != 0 and prediction <= threshold)."""

    _kinds = ("fn",)
