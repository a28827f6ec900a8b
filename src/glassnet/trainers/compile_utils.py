"""What ``compile`` turns strings into, and the checks run on targets before training.

``CompileLoss`` holds the loss (one per output) and computes the weighted
total; ``CompileMetrics`` resolves metric names on the first batch, when the
shapes of targets and predictions are known (``"accuracy"`` becomes binary,
sparse categorical or categorical accuracy as in Keras 3).
"""

import numpy as np

from glassnet import losses as losses_module
from glassnet import metrics as metrics_module
from glassnet.metrics.metric import Mean, Metric


def flat_outputs(structure):
    """The outputs (or targets) of a model as a flat list: dicts by sorted key, as Keras flattens them."""
    if isinstance(structure, dict):
        return [structure[key] for key in sorted(structure)]
    if isinstance(structure, (list, tuple)):
        return list(structure)
    return [structure]


def output_keys(y_pred, output_names):
    """The names of the outputs, in flat order: a dict's keys, else the model's output names."""
    if isinstance(y_pred, dict):
        return sorted(y_pred)
    count = len(flat_outputs(y_pred))
    if output_names and len(output_names) == count:
        return list(output_names)
    return [f"output_{i + 1}" for i in range(count)]


def per_output(what, value, keys, allow_missing):
    """``value`` given per output (a list in output order or a dict by output name) as a list for ``keys``."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(keys))
        missing = [k for k in keys if k not in value]
        if unknown or (missing and not allow_missing):
            raise ValueError(f"{what} is a dict keyed {sorted(value)}, but the model's outputs are named {keys}"
                             + (f"; no output is named {unknown}" if unknown else f"; missing {missing}"))
        return [value.get(k) for k in keys]
    if isinstance(value, (list, tuple)):
        if len(value) != len(keys):
            raise ValueError(f"{what} is a list of {len(value)} entries, but the model has {len(keys)} outputs "
                             f"({keys}); give one entry per output (None for none) or a dict keyed by output name")
        return list(value)
    return [value] * len(keys)


def take_targets(y_true, keys, what="y"):
    """The targets as a list matching ``keys``: from a list in output order or a dict by output name."""
    if isinstance(y_true, dict):
        missing = [k for k in keys if k not in y_true]
        if missing:
            raise ValueError(f"{what} is a dict keyed {sorted(y_true)}, but the model's outputs are named {keys}; "
                             f"missing {missing}")
        return [y_true[k] for k in keys]
    if isinstance(y_true, (list, tuple)):
        if len(y_true) != len(keys):
            raise ValueError(f"{what} holds {len(y_true)} arrays, but the model has {len(keys)} outputs ({keys}); "
                             "give one target array per output, as a list or a dict keyed by output name")
        return list(y_true)
    if len(keys) == 1:
        return [y_true]
    raise ValueError(f"The model has {len(keys)} outputs ({keys}) but {what} is a single array; give one target "
                     "array per output, as a list or a dict keyed by output name")


class CompileLoss:
    """The compiled loss: one Loss per output, weighted and summed.

    With one output the loss is applied directly (the fast path). With
    several, ``loss`` may be one loss for every output, a list in output
    order or a dict by output name (None: no loss for that output), and so
    may ``loss_weights``. The unweighted loss of each output is tracked as
    ``<output name>_loss`` when more than one output has a loss, as in Keras 3.
    """

    def __init__(self, loss, loss_weights=None, output_names=None):
        if loss_weights is not None and not isinstance(loss_weights, (int, float, list, tuple, dict)):
            raise ValueError(f"loss_weights must be a number, a list or a dict, got {loss_weights!r}")
        self.identifier = loss
        self.loss_weights = loss_weights
        self.output_names = list(output_names) if output_names else None
        self.losses = None
        self.weights = None
        self.entries = None  # several outputs: [(output index, key, Loss, weight, tracker or None)]
        self.metrics = []
        self._resolve()

    def _resolve(self):
        loss = self.identifier
        if isinstance(loss, (list, tuple)):
            self.losses = [losses_module.get(item) for item in loss]
        elif isinstance(loss, dict):
            self.losses = {key: losses_module.get(item) for key, item in loss.items()}
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
        if isinstance(self.losses, list) and len(self.losses) == 1 and (self.output_names is None
                                                                        or len(self.output_names) <= 1):
            return self.losses[0]
        if isinstance(self.losses, dict) and len(self.losses) == 1 and self.output_names \
                and list(self.losses) == self.output_names:
            return next(iter(self.losses.values()))
        return None

    @property
    def built(self):
        return self.entries is not None

    def build(self, y_pred):
        """Match the losses and weights to the outputs of ``y_pred`` (its names and order)."""
        keys = output_keys(y_pred, self.output_names)
        if isinstance(self.losses, list) and len(self.losses) == 1 and not isinstance(self.identifier, (list, tuple)):
            losses = self.losses * len(keys)
        else:
            losses = per_output("loss", self.losses, keys, allow_missing=isinstance(y_pred, dict))
        weights = per_output("loss_weights", self.weights, keys, allow_missing=True) if self.weights is not None \
            else [None] * len(keys)
        if isinstance(self.weights, list) and len(self.weights) == 1 and len(keys) > 1 \
                and isinstance(self.loss_weights, (int, float)):
            weights = [self.weights[0]] * len(keys)
        used = [(i, k, loss, w) for i, (k, loss, w) in enumerate(zip(keys, losses, weights)) if loss is not None]
        track = len(used) > 1
        self.entries = [(i, k, loss, w, Mean(name=f"{k}_loss") if track else None) for i, k, loss, w in used]
        self.metrics = [entry[4] for entry in self.entries if entry[4] is not None]

    def __call__(self, y_true, y_pred, sample_weight=None):
        loss = self.single
        if loss is not None and not isinstance(y_pred, (list, tuple, dict)):
            value = loss(y_true, y_pred, sample_weight)
            if self.weights:
                from glassnet import ops

                value = ops.multiply(value, self.weights[0])
            return value
        return self._several(y_true, y_pred, sample_weight)

    def _several(self, y_true, y_pred, sample_weight):
        if self.entries is None:
            self.build(y_pred)
        keys = output_keys(y_pred, self.output_names)
        predictions = flat_outputs(y_pred)
        targets = take_targets(y_true, keys)
        weights = take_targets(sample_weight, keys, "sample_weight") \
            if isinstance(sample_weight, (list, tuple, dict)) else [sample_weight] * len(keys)
        total = None
        for index, _, loss, weight, tracker in self.entries:
            value = loss(targets[index], predictions[index], weights[index])
            if tracker is not None:
                size = len(predictions[index])
                tracker.add(float(value.data) * size, size)
            if weight is not None:
                value = value * float(weight)
            total = value if total is None else total + value
        return total

    def reset_state(self):
        for tracker in self.metrics:
            tracker.reset_state()

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


class CompileMetrics(Metric):
    """The compiled metrics, resolved on the first batch, when target and prediction shapes are known.

    One output: every metric applies to it (``"accuracy"`` becomes binary,
    sparse categorical or categorical accuracy as in Keras 3). Several
    outputs: a list with one entry (a metric or a list of them, or None) per
    output, or a dict by output name. Log names follow Keras 3:
    ``<output name>_<metric name>`` with several outputs, ``_1``... on
    repeats, and ``weighted_`` for a weighted metric whose name is taken.
    """

    def __init__(self, metrics, weighted_metrics=None, output_names=None):
        super().__init__(name="compile_metrics")
        for what, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if value is not None and not isinstance(value, (list, tuple, dict)):
                raise ValueError(f"{what} must be a list (e.g. ['accuracy']) or a dict by output name, got {value!r}")
        self.identifiers = metrics
        self.weighted_identifiers = weighted_metrics
        self.output_names = list(output_names) if output_names else None
        self.metrics = None
        self.weighted = None
        self.entries = None  # [(log name, metric, output index, weighted)]
        self._single = True

    @property
    def built(self):
        return self.entries is not None

    def build(self, y_true, y_pred):
        """Create the metric objects now that target and prediction shapes are known."""
        keys = output_keys(y_pred, self.output_names)
        predictions = flat_outputs(y_pred)
        targets = take_targets(y_true, keys) if len(keys) > 1 else [y_true]
        plain = self._per_output("metrics", self.identifiers, keys, targets, predictions)
        weighted = self._per_output("weighted_metrics", self.weighted_identifiers, keys, targets, predictions)
        self.metrics = [m for group in plain for m, _ in group]
        self.weighted = [m for group in weighted for m, _ in group]
        self.entries = _log_entries(plain, weighted, keys if len(keys) > 1 else None)
        self._single = len(keys) == 1

    def _per_output(self, what, identifiers, keys, targets, predictions):
        """For each output, [(metric, output index)]."""
        if not identifiers:
            return [[] for _ in keys]
        if len(keys) == 1:
            flat = _flatten_identifiers(identifiers)
            return [[(self._resolve(m, targets[0], predictions[0]), 0) for m in flat]]
        if isinstance(identifiers, (list, tuple)) and len(identifiers) != len(keys):
            raise ValueError(f"{what}={identifiers!r} does not match the model's {len(keys)} outputs {keys}: give a "
                             f"list with one entry per output (e.g. [['mae'], ['accuracy']]) or a dict keyed by "
                             "output name")
        given = per_output(what, identifiers, keys, allow_missing=True)
        return [[(self._resolve(m, targets[i], predictions[i]), i) for m in _flatten_identifiers(entry)]
                for i, entry in enumerate(given)]

    @staticmethod
    def _resolve(identifier, y_true, y_pred):
        true_shape, pred_shape = np.shape(y_true), tuple(y_pred.shape)
        if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
            return metrics_module.resolve_accuracy(true_shape, pred_shape)(name=identifier)
        metric = metrics_module.get(identifier)
        if isinstance(identifier, str):
            metric.name = identifier
        return metric

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        if self._single:
            for _, metric, _, weighted in self.entries:
                metric.update_state(y_true, y_pred, sample_weight) if weighted else metric.update_state(y_true, y_pred)
            return
        keys = output_keys(y_pred, self.output_names)
        predictions, targets = flat_outputs(y_pred), take_targets(y_true, keys)
        weights = take_targets(sample_weight, keys, "sample_weight") \
            if isinstance(sample_weight, (list, tuple, dict)) else [sample_weight] * len(keys)
        for _, metric, index, weighted in self.entries:
            if weighted:
                metric.update_state(targets[index], predictions[index], weights[index])
            else:
                metric.update_state(targets[index], predictions[index])

    def reset_state(self):
        for _, metric, _, _ in self.entries or []:
            metric.reset_state()

    def result(self):
        """``{log name: value}`` of every compiled metric."""
        return {name: metric.result() for name, metric, _, _ in self.entries or []}

    def results(self):
        return self.result()

    @property
    def names(self):
        return [name for name, _, _, _ in self.entries or []]


def _flatten_identifiers(identifiers):
    if identifiers is None:
        return []
    if isinstance(identifiers, dict):
        return [m for value in identifiers.values() for m in _flatten_identifiers(value)]
    if isinstance(identifiers, (list, tuple)):
        return [m for item in identifiers for m in _flatten_identifiers(item)]
    return [identifiers]


def _log_entries(plain, weighted, keys):
    """Keras 3's log names (``CompileMetrics.result``) for the per-output metric groups."""
    entries, used = [], {}
    for group in plain:
        for metric, index in group:
            name = f"{keys[index]}_{metric.name}" if keys else metric.name
            if name in used:
                used[name] += 1
                name = f"{name}_{used[name] - 1}"
            else:
                used[name] = 1
            entries.append((name, metric, index, False))
    for group in weighted:
        for metric, index in group:
            name = f"{keys[index]}_{metric.name}" if keys else metric.name
            if name in used:
                name = f"{keys[index]}_weighted_{metric.name}" if keys else f"weighted_{metric.name}"
                if name in used:
                    used[name] += 1
                    name = f"{name}_{used[name] - 1}"
                else:
                    used[name] = 1
            else:
                used[name] = 1
            entries.append((name, metric, index, True))
    return entries
