"""The best of one rate while another stays at or above a target, over ``num_thresholds`` thresholds.

At each threshold t (evenly spaced over [0, 1]; 0.5 alone for num_thresholds=1)
the confusion counts give

    sensitivity = recall = TP / (TP + FN),   specificity = TN / (TN + FP),   precision = TP / (TP + FP)

and, e.g., ``SensitivityAtSpecificity(0.9)`` is the largest sensitivity over
the thresholds whose specificity is >= 0.9 (0 if none is). As in Keras 3
(``keras/src/metrics/confusion_metrics.py``); ``class_id`` keeps one column.
"""

import numpy as np

from glassnet.metrics.confusion import _check_class_id
from glassnet.metrics.metric import Metric
from glassnet.metrics.metrics_utils import check_confusion_targets, divide_no_nan, update_confusion_matrix


class SensitivitySpecificityBase(Metric):
    """Confusion counts at evenly spaced thresholds; subclasses pick which rate to maximise under which bound."""

    _bound = "value"  # the name of the constructor argument holding the bound, for messages and get_config

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        title = type(self).__name__
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not 0 <= value <= 1:
            raise ValueError(f"Argument `{self._bound}` must be in the range [0, 1]. Received: "
                             f"{self._bound}={value!r}")
        if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, (int, np.integer)) \
                or num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds!r}")
        _check_class_id(title, class_id)
        super().__init__(name=name, dtype=dtype)
        self.value, self.num_thresholds, self.class_id = value, int(num_thresholds), class_id
        if num_thresholds == 1:
            self.thresholds, self._thresholds_distributed_evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._thresholds_distributed_evenly = [0.0] + inner + [1.0], True
        self.reset_state()

    def reset_state(self):
        for kind in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, kind, np.zeros(len(self.thresholds)))

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = {"tp": self.true_positives, "fp": self.false_positives, "tn": self.true_negatives,
                  "fn": self.false_negatives}
        update_confusion_matrix(counts, y_true, y_pred, self.thresholds, self._thresholds_distributed_evenly,
                                class_id=self.class_id, sample_weight=sample_weight, name=type(self).__name__)

    def rates(self):
        """(sensitivity, specificity, precision) at each threshold."""
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        return divide_no_nan(tp, tp + fn), divide_no_nan(tn, tn + fp), divide_no_nan(tp, tp + fp)

    def _max_where_at_least(self, constrained, dependent):
        """The largest ``dependent`` over thresholds where ``constrained >= value`` (0 where there is none)."""
        return float(np.max(np.where(constrained >= self.value, dependent, 0.0), initial=0.0))

    def check_targets(self, y_true, y_pred_shape):
        check_confusion_targets(f"Metric '{self.name}'", y_true, y_pred_shape, self.class_id)

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id, "num_thresholds": self.num_thresholds,
                self._bound: self.value}


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall) at a specificity of at least ``specificity``."""

    _bound = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name=name, dtype=dtype)
        self.specificity = specificity

    def result(self):
        sensitivity, specificity, _ = self.rates()
        return self._max_where_at_least(specificity, sensitivity)


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity at a sensitivity (recall) of at least ``sensitivity``."""

    _bound = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name=name, dtype=dtype)
        self.sensitivity = sensitivity

    def result(self):
        sensitivity, specificity, _ = self.rates()
        return self._max_where_at_least(sensitivity, specificity)


class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision at a recall of at least ``recall``."""

    _bound = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name=name, dtype=dtype)
        self.recall = recall

    def result(self):
        recall, _, precision = self.rates()
        return self._max_where_at_least(recall, precision)


class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall at a precision of at least ``precision``."""

    _bound = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name=name, dtype=dtype)
        self.precision = precision

    def result(self):
        recall, _, precision = self.rates()
        return self._max_where_at_least(precision, recall)
