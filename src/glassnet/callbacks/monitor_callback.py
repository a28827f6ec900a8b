"""MonitorCallback: the shared "is this epoch better?" rule of EarlyStopping and ReduceLROnPlateau.

A value improves on the best so far when, in ``min`` mode,
``current - min_delta < best`` (``current + min_delta > best`` in ``max``
mode). ``mode="auto"`` decides from the monitored name: ``loss`` and
``val_loss`` go down; a compiled metric goes in its own direction
(accuracy, AUC, precision... up; errors and cross-entropies down), as in
Keras 3. Not exported, as in Keras; ``ModelCheckpoint`` uses it too.
"""

import warnings

from glassnet.callbacks.callback import Callback

# Directions of compiled metrics, by class name, for metrics without a ``_direction`` attribute
# (Keras 3 gives each metric class one).
_UP = ("Accuracy", "AUC", "Precision", "Recall", "IoU", "FBetaScore", "F1Score", "R2Score", "Correlation",
       "CosineSimilarity", "AtSensitivity", "AtSpecificity", "AtRecall", "AtPrecision")
_DOWN = ("Error", "Crossentropy", "CrossEntropy", "Hinge", "Divergence", "Poisson", "LogCosh", "Huber")


def _less(a, b):
    return a < b


def _greater(a, b):
    return a > b


def metric_direction(metric):
    """``"up"``, ``"down"`` or None for a metric object (its ``_direction``, else its class)."""
    direction = getattr(metric, "_direction", None)
    if direction in ("up", "down"):
        return direction
    names = [cls.__name__ for cls in type(metric).__mro__]
    if any(part in name for name in names for part in _UP):
        return "up"
    if any(part in name for name in names for part in _DOWN):
        return "down"
    fn = getattr(metric, "fn", None) or getattr(metric, "_fn", None)
    if fn is not None and getattr(fn, "__module__", "").endswith("losses"):  # a metric that wraps a loss
        return "down"
    return None


def _flat_metrics(model):
    found = []
    for metric in getattr(model, "metrics", None) or []:
        inner = getattr(metric, "metrics", None)
        if isinstance(inner, (list, tuple)):
            found.extend(inner)
        else:
            found.append(metric)
    return found


class MonitorCallback(Callback):
    """Base class of callbacks that watch one logged quantity (``keras``' MonitorCallback)."""

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        if self.mode == "min":
            self.monitor_op = _less
        elif self.mode == "max":
            self.monitor_op = _greater
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                self.monitor_op = _less
            for metric in _flat_metrics(self.model):
                if metric.name == name:
                    direction = metric_direction(metric)
                    if direction is not None:
                        self.monitor_op = _greater if direction == "up" else _less
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but glassnet isn't able to "
                    "automatically determine whether that metric should be maximized or minimized. "
                    "Pass `mode='max'` in order to monitor based on the highest metric value, or pass "
                    "`mode='min'` in order to use the lowest value."
                )
        if self.monitor_op is _less:
            self.min_delta *= -1

    def _monitor_value(self, logs, unavailable):
        """``logs[monitor]``, or None with a warning: ``unavailable`` (Keras' sentence), then the logs there are.

        ``unavailable`` may hold ``{monitor}``. Warns at the caller's caller (the training loop or the method that
        decided), as each callback did on its own.
        """
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(f"{unavailable.format(monitor=self.monitor)} Available metrics are: {','.join(logs)}.",
                          stacklevel=3)
        return value

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))

