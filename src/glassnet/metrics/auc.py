"""AUC: the area under the ROC or precision-recall curve, from counts at fixed thresholds.

Predictions are compared with ``num_thresholds`` thresholds spread evenly
over [0, 1] (plus a little below 0 and above 1, so that predictions of exactly
0 and 1 are counted); the true/false positive/negative counts at each
threshold give one point of the curve, and the area is a Riemann sum over
consecutive points. Like Keras 3 (``keras/src/metrics/confusion_metrics.py``)
this approximates the exact area of scikit-learn's ``roc_auc_score``: more
thresholds, closer area.

- ROC: x = false positive rate FP / (FP + TN), y = recall TP / (TP + FN);
  "interpolation" sums trapezoids, (x_i - x_{i+1}) (y_i + y_{i+1}) / 2.
- PR: x = recall, y = precision TP / (TP + FP); "interpolation" uses the
  interpolation of Davis & Goadrich (2006): between two thresholds the
  precision follows the number of true positives linearly in the number of
  predicted positives P = TP + FP, which integrates to
  slope * (dTP + intercept * log(P_i / P_{i+1})) / (TP_{i+1} + FN_{i+1}).
- "minoring" / "majoring" take the lower / upper of the two heights.
"""

import numpy as np

from glassnet.losses import shape_text
from glassnet.metrics.metric import Metric
from glassnet.metrics.metrics_utils import (
    EPSILON, check_confusion_targets, check_number, divide_no_nan, is_evenly_distributed_thresholds,
    update_confusion_matrix,
)

_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = {"interpolation": "interpolation", "majoring": "majoring", "minoring": "minoring"}


def _choice(argument, value, table, shown):
    key = value.lower() if isinstance(value, str) else getattr(value, "value", value)
    key = key.lower() if isinstance(key, str) else key
    if key not in table:
        raise ValueError(f'AUC: invalid {argument} value "{value}". Expected values are {shown}')
    return table[key]


class AUC(Metric):
    """Area under the ROC curve (``curve="ROC"``) or the precision-recall curve (``curve="PR"``).

    Args:
        num_thresholds: how many thresholds (> 1) to evaluate the curve at; 200 by default.
        curve: "ROC", "PR" (or "PRGAIN", precision-recall-gain).
        summation_method: "interpolation" (trapezoids; Davis-Goadrich for PR),
            "minoring" or "majoring" (rectangles under / over the curve).
        thresholds: explicit thresholds in [0, 1] instead of ``num_thresholds``
            evenly spaced ones (0 - epsilon and 1 + epsilon are added).
        multi_label: with 2-D predictions, one curve per column, averaged
            (weighted by ``label_weights``); otherwise every entry counts once.
        num_labels: the number of columns when ``multi_label=True`` (else found at the first update).
        label_weights: per-column weights: how much each column counts in the
            single curve, or in the average over curves with ``multi_label``.
        from_logits: apply a sigmoid to the predictions first.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        self.curve = _choice("curve", curve, _CURVES, '["PR", "ROC", "PRGAIN"]')
        self.summation_method = _choice("summation_method", summation_method, _SUMMATIONS,
                                        '["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            thresholds = sorted(check_number("AUC", "thresholds", float(t), 0.0, 1.0)
                                for t in np.atleast_1d(np.asarray(thresholds, dtype="float64")).ravel())
            self.num_thresholds = len(thresholds) + 2
            self._thresholds_distributed_evenly = is_evenly_distributed_thresholds([0.0] + thresholds + [1.0])
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, (int, np.integer)) \
                    or num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds!r}")
            self.num_thresholds = int(num_thresholds)
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = np.array([0.0 - EPSILON] + thresholds + [1.0 + EPSILON])
        super().__init__(name=name, dtype=dtype)
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype="float64")
        if self.label_weights is not None and (self.label_weights.ndim != 1 or np.any(self.label_weights < 0)):
            raise ValueError(f"AUC: label_weights must be a 1-D list of non-negative weights, one per label, "
                             f"got {label_weights!r}")
        self._from_logits = bool(from_logits)
        self._built = False
        if self.multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        """The thresholds used, including the two outside [0, 1]."""
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. "
                                 f"Full shape received for `y_pred`: {tuple(shape)}")
            self._num_labels = shape[1]
            if self.label_weights is not None and len(self.label_weights) != self._num_labels:
                raise ValueError(f"AUC: label_weights has {len(self.label_weights)} weights for "
                                 f"{self._num_labels} labels")
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self._variable_shape = variable_shape
        self._built = True
        self.reset_state()

    def reset_state(self):
        if self._built:
            self.true_positives = np.zeros(self._variable_shape)
            self.false_positives = np.zeros(self._variable_shape)
            self.true_negatives = np.zeros(self._variable_shape)
            self.false_negatives = np.zeros(self._variable_shape)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if hasattr(y_pred, "numpy") and not isinstance(y_pred, np.ndarray):
            y_pred = y_pred.numpy()
        y_pred = np.asarray(y_pred, dtype="float32")
        if self._built and self.multi_label and (y_pred.ndim != 2 or y_pred.shape[1] != self._num_labels):
            raise ValueError(f"AUC with multi_label=True expects predictions of shape (n, {self._num_labels}), "
                             f"got {y_pred.shape}")
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            y_pred = (1.0 / (1.0 + np.exp(-y_pred.astype("float64")))).astype("float32")
        counts = {"tp": self.true_positives, "fp": self.false_positives, "tn": self.true_negatives,
                  "fn": self.false_negatives}
        update_confusion_matrix(counts, y_true, y_pred, self._thresholds, self._thresholds_distributed_evenly,
                                sample_weight=sample_weight, multi_label=self.multi_label,
                                label_weights=None if self.multi_label else self.label_weights, name="AUC")

    def check_targets(self, y_true, y_pred_shape):
        name = f"Metric '{self.name}'"
        check_confusion_targets(name, y_true, y_pred_shape, multi_label=self.multi_label)
        if self.multi_label and self._built and y_pred_shape[-1] not in (None, self._num_labels):
            raise ValueError(f"{name} with multi_label=True expects predictions of shape (n, {self._num_labels}), "
                             f"got {shape_text(y_pred_shape)}")

    def interpolate_pr_auc(self):
        """PR area with Davis & Goadrich's interpolation of precision between thresholds."""
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        prec_slope = divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        both_positive = (p[: n - 1] > 0) & (p[1:] > 0)
        safe_p_ratio = np.where(both_positive, divide_no_nan(p[: n - 1], np.maximum(p[1:], 0)), 1.0)
        increments = divide_no_nan(prec_slope * (dtp + intercept * np.log(safe_p_ratio)),
                                   np.maximum(tp[1:] + fn[1:], 0))
        return self._reduce(increments)

    def _reduce(self, terms):
        if not self.multi_label:
            return float(np.sum(terms))
        by_label = np.sum(terms, axis=0)
        if self.label_weights is None:
            return float(np.mean(by_label))
        return float(divide_no_nan(np.sum(by_label * self.label_weights), np.sum(self.label_weights)))

    def result(self):
        if not self._built:
            return 0.0
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:  # PRGAIN
            scaling = divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scaling * divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling * divide_no_nan(fp, tp)
            recall_gain = np.where(tp == 0, 0.0, recall_gain)
            precision_gain = np.where(tp == 0, 1.0, precision_gain)
            x, y = np.maximum(recall_gain, 0.0), precision_gain
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[: n - 1], y[1:])
        else:
            heights = np.maximum(y[: n - 1], y[1:])
        return self._reduce((x[: n - 1] - x[1:]) * heights)

    def get_config(self):
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self._thresholds[1:-1]]
        return config

