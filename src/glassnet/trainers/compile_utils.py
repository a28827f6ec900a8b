"""What ``compile`` turns strings into, and the checks run on targets before training.

``CompileLoss`` holds the loss (one per output) and computes the weighted
total; ``CompileMetrics`` resolves metric names on the first batch, when the
shapes of targets and predictions are known (``"accuracy"`` becomes binary,
sparse categorical or categorical accuracy as in Keras 3).
"""

import numpy as np

from glassnet import losses as losses_module
from glassnet import metrics as metrics_module
from glassnet.utils.naming import to_snake_case


def _loss_name(loss, identifier):
    if isinstance(identifier, str):
        return identifier
    return getattr(loss, "name", None) or to_snake_case(type(loss).__name__)


class CompileLoss:
    """The compiled loss: one Loss per output, weighted and summed."""

    def __init__(self, loss, loss_weights=None, output_names=None):
        self.identifier = loss
        self.loss_weights = loss_weights
        self.output_names = output_names
        self.losses = None
        self.weights = None
        self._resolve()

    def _resolve(self):
        loss = self.identifier
        if isinstance(loss, (list, tuple)):
            self.losses = [losses_module.get(item) for item in loss]
        elif isinstance(loss, dict):
            self.losses = loss  # resolved against output names by the model
        else:
            self.losses = [losses_module.get(loss)]
        weights = self.loss_weights
        if weights is None:
            self.weights = None
        elif isinstance(weights, (int, float)):
            self.weights = [float(weights)]
        else:
            self.weights = weights

    @property
    def single(self):
        """The loss when the model has one output."""
        return self.losses[0] if isinstance(self.losses, list) and len(self.losses) == 1 else None

    def __call__(self, y_true, y_pred, sample_weight=None):
        loss = self.single
        if loss is not None:
            value = loss(y_true, y_pred, sample_weight)
            if self.weights:
                from glassnet import ops

                value = ops.multiply(value, self.weights[0])
            return value
        raise NotImplementedError("several outputs need the functional model's loss routing")

    def get_config(self):
        return {"loss": self.identifier, "loss_weights": self.loss_weights}


def _target_labels(y):
    """Integer view of targets, or None when they are not whole numbers."""
    if y.dtype.kind in "iub":
        return y
    if y.dtype.kind == "f" and y.size and np.all(np.floor(y) == y):
        return y
    return None


def check_targets(loss, y, output_shape):
    """Raise a clear error when targets cannot work with ``loss`` and outputs of ``output_shape``.

    Catches the classic mistakes before a single step: integer labels given to
    categorical_crossentropy, sparse labels out of range or not integers.
    """
    if loss is None or output_shape is None or not hasattr(y, "dtype"):
        return
    classes = output_shape[-1]
    name = getattr(loss, "name", type(loss).__name__)
    kind = getattr(getattr(loss, "fn", None), "__name__", "")
    if kind == "sparse_categorical_crossentropy":
        labels = _target_labels(y)
        if labels is None:
            sample = y.reshape(-1)[np.argmax(np.floor(y.reshape(-1)) != y.reshape(-1))].item()
            raise ValueError(
                f"Loss '{name}' expects integer class ids, got non-integer targets such as {sample!r} "
                f"(dtype {y.dtype}). For one-hot targets use loss='categorical_crossentropy'"
            )
        if y.ndim == len(output_shape) and y.shape[-1] == classes and classes > 1:
            raise ValueError(
                f"Loss '{name}' expects integer class ids of shape (n,), got targets of shape {y.shape}, "
                "which look one-hot encoded. Use loss='categorical_crossentropy', or pass y.argmax(axis=-1)"
            )
        low, high = labels.min(), labels.max()
        if classes is not None and (low < 0 or high >= classes):
            raise ValueError(
                f"Loss '{name}' expects class ids in [0, {classes}) for a model with {classes} outputs, "
                f"got labels from {low.item()} to {high.item()}"
            )
    elif kind in ("mean_squared_error", "mean_absolute_error", "huber", "binary_crossentropy"):
        _check_same_shape(name, y, output_shape)
    elif kind == "categorical_crossentropy":
        looks_sparse = y.ndim < len(output_shape) or (y.shape[-1] == 1 and classes not in (None, 1))
        if looks_sparse:
            raise ValueError(
                f"Loss '{name}' expects one-hot targets of shape (n, {classes}), got targets of shape {y.shape} "
                f"that look like integer class ids. Use loss='sparse_categorical_crossentropy', or one-hot "
                f"encode them with to_categorical(y, {classes})"
            )
        if classes is not None and y.shape[-1] != classes:
            raise ValueError(
                f"Loss '{name}' expects targets with {classes} columns to match the model's {classes} outputs, "
                f"got shape {y.shape}"
            )


def _check_same_shape(name, y, output_shape):
    """Element-wise losses need targets shaped like the outputs ((n,) and (n, 1) are taken as one)."""
    target, output = tuple(y.shape[1:]), tuple(output_shape[1:])
    if target == output or (target, output) in (((), (1,)), ((1,), ())):
        return
    raise ValueError(
        f"Loss '{name}' compares targets with outputs element by element, so the targets must have the "
        f"outputs' shape (n,) + {output}; got targets of shape {y.shape}. Check the last layer's units "
        f"or reshape y"
    )


class CompileMetrics:
    """The compiled metrics, resolved from names on the first batch."""

    def __init__(self, metrics, weighted_metrics=None):
        self.identifiers = list(metrics or [])
        self.weighted_identifiers = list(weighted_metrics or [])
        self.metrics = None
        self.weighted = None

    @property
    def built(self):
        return self.metrics is not None

    def build(self, y_true, y_pred):
        """Create the metric objects now that target and prediction shapes are known."""
        true_shape, pred_shape = np.shape(y_true), tuple(y_pred.shape)
        self.metrics = [self._resolve(m, true_shape, pred_shape) for m in self.identifiers]
        self.weighted = [self._resolve(m, true_shape, pred_shape, prefix="weighted_")
                         for m in self.weighted_identifiers]

    @staticmethod
    def _resolve(identifier, true_shape, pred_shape, prefix=""):
        if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
            metric = metrics_module.resolve_accuracy(true_shape, pred_shape)(name=prefix + identifier)
            return metric
        metric = metrics_module.get(identifier)
        if isinstance(identifier, str):
            metric.name = prefix + identifier
        return metric

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        for metric in self.metrics:
            metric.update_state(y_true, y_pred)
        for metric in self.weighted:
            metric.update_state(y_true, y_pred, sample_weight)

    def reset_state(self):
        for metric in (self.metrics or []) + (self.weighted or []):
            metric.reset_state()

    def results(self):
        return {m.name: m.result() for m in (self.metrics or []) + (self.weighted or [])}

    @property
    def names(self):
        return [m.name for m in (self.metrics or []) + (self.weighted or [])]
