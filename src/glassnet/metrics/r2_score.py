"""R2Score: the coefficient of determination, 1 - SS_res / SS_tot, per output column, over all samples seen.

Per column j (with sample weights w):  SS_res = sum w (y - y_hat)^2,
SS_tot = sum w y^2 - (sum w y)^2 / sum w. Columns are combined by
``class_aggregation``: "uniform_average" (the mean), "variance_weighted_average"
(weighted by SS_tot) or None (one score per column). With ``num_regressors``
p > 0 the adjusted score 1 - (1 - R2)(n - 1) / (n - p - 1) is returned,
n counting every target value seen, as Keras does.
"""

import warnings

import numpy as np

from glassnet.losses.targets import shape_text
from glassnet.metrics.metric import Metric, as_array
from glassnet.metrics.metrics_utils import as_result, squeeze_or_expand_to_same_rank

_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """The coefficient of determination of predictions of shape (n, outputs)."""

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of {_AGGREGATIONS}. "
                             f"Received: class_aggregation={class_aggregation!r}")
        if isinstance(num_regressors, bool) or not isinstance(num_regressors, (int, np.integer)) or num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected an integer >= 0. "
                             f"Received: num_regressors={num_regressors!r}")
        super().__init__(name=name, dtype=dtype)
        self.class_aggregation = class_aggregation
        self.num_regressors = int(num_regressors)
        self.reset_state()

    def reset_state(self):
        self.num_samples = 0
        self.sums = None  # per column: sum w y, sum w y^2, sum w (y - y_hat)^2, sum w

    def _prepared(self, y_true, y_pred, sample_weight):
        y_true = np.asarray(as_array(y_true), dtype="float64")
        y_pred = np.asarray(as_array(y_pred), dtype="float64")
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if y_true.ndim != 2 or y_pred.ndim != 2 or y_true.shape != y_pred.shape:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                             f"y_pred.shape={y_pred.shape} and y_true.shape={y_true.shape}")
        if self.sums is not None and y_pred.shape[-1] != len(self.sums[0]):
            raise ValueError(f"R2Score was built for {len(self.sums[0])} outputs, got predictions of shape "
                             f"{y_pred.shape}")
        weight = np.ones(()) if sample_weight is None else np.asarray(as_array(sample_weight), dtype="float64")
        if weight.ndim == 1:
            weight = weight[:, None]
        try:
            weight = np.broadcast_to(weight, y_true.shape)
        except ValueError:
            raise ValueError(f"R2Score: sample_weight of shape {np.shape(sample_weight)} does not fit targets of "
                             f"shape {y_true.shape}; give one weight per sample") from None
        return y_true, y_pred, weight

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred, weight = self._prepared(y_true, y_pred, sample_weight)
        batch = np.stack([(weight * y_true).sum(0), (weight * y_true * y_true).sum(0),
                          (weight * (y_true - y_pred) ** 2).sum(0), weight.sum(0)])
        self.sums = batch if self.sums is None else self.sums + batch
        self.num_samples += y_true.size

    def result(self):
        if self.sums is None:
            return 0.0
        total, squares, residual, count = self.sums
        with np.errstate(divide="ignore", invalid="ignore"):
            spread = squares - total * (total / count)
            scores = 1.0 - residual / spread
        scores = np.where(np.isinf(scores), 0.0, scores)
        if self.class_aggregation == "uniform_average":
            score = scores.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(spread * scores) / np.sum(spread)
        else:
            score = scores
        return as_result(self._adjusted(score))

    def _adjusted(self, score):
        n, p = self.num_samples, self.num_regressors
        if p == 0:
            return score
        if p > n - 1:
            warnings.warn("More independent predictors than datapoints in adjusted R2 score. Falling back to "
                          "standard R2 score.", stacklevel=3)
        elif p == n - 1:
            warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.", stacklevel=3)
        else:
            return 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return score

    def check_targets(self, y_true, y_pred_shape):
        """Targets of the predictions' shape (n, outputs): R2Score needs 2-D predictions."""
        flat = y_true.ndim == 1 and len(y_pred_shape) == 2 and y_pred_shape[-1] == 1  # (n,) lines up with (n, 1)
        if not flat and (len(y_pred_shape) != 2 or y_true.ndim != 2 or y_true.shape[-1] != y_pred_shape[-1]):
            raise ValueError(f"Metric '{self.name}' (R2Score) expects 2D targets and predictions of shape "
                             f"(n, outputs); got predictions of shape {shape_text(y_pred_shape)} and targets of shape "
                             f"{y_true.shape}")

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
