"""What ``compile`` turns strings into, and the checks run on targets before training.

``CompileLoss`` holds the loss (one per output) and computes the weighted
total; ``CompileMetrics`` resolves metric names on the first batch, when the
shapes of targets and predictions are known (``"accuracy"`` becomes binary,
sparse categorical or categorical accuracy as in Keras 3). Both match the
targets of each output to its losses and metrics in ``check_targets``; each
loss and metric owns the rules its targets follow (``Loss.check_targets``,
``Metric.check_targets``).
"""

import copy
from typing import NamedTuple, Optional

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


class LossEntry(NamedTuple):
    """One output's loss: which output (position and name), the Loss, its weight, and its tracker."""

    index: int
    key: str
    loss: losses_module.Loss
    weight: Optional[float]
    tracker: Optional[Mean]  # "<output>_loss", when more than one output has a loss


class MetricEntry(NamedTuple):
    """One compiled metric: its log name, the Metric, the output it reads, and whether it takes sample weights."""

    name: str
    metric: Metric
    index: int
    weighted: bool


def output_shapes(y_pred, keys, free_sizes=False):
    """The shape of each output (flat order), batch axis as None, and every size but the last as None if
    ``free_sizes`` (the rules checked on later batches of a generator, whose lengths may vary)."""
    shapes = []
    for prediction in flat_outputs(y_pred):
        shape = tuple(prediction.shape)
        shape = (None,) * (len(shape) - 1) + shape[-1:] if free_sizes else (None,) + shape[1:]
        shapes.append(shape)
    return dict(zip(keys, shapes))


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
        self.entries = None  # several outputs: [LossEntry]
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
        self.entries = [LossEntry(i, k, loss, w, Mean(name=f"{k}_loss") if track else None) for i, k, loss, w in used]
        self.metrics = [entry.tracker for entry in self.entries if entry.tracker is not None]

    def by_output(self, y_pred):
        """[(output key, Loss)] for the outputs of ``y_pred`` that have a loss (builds the entries if needed)."""
        single = self.single
        if single is not None and not isinstance(y_pred, (list, tuple, dict)):
            return [(output_keys(y_pred, self.output_names)[0], single)]
        if not self.built:
            self.build(y_pred)
        return [(entry.key, entry.loss) for entry in self.entries]

    def check_targets(self, y_true, by_output, shapes):
        """Each loss's ``check_targets`` on its output's targets.

        ``by_output``: from ``by_output(y_pred)``; ``shapes``: {output key: prediction shape}.
        """
        targets = dict(zip(shapes, take_targets(y_true, list(shapes))))
        for key, loss in by_output:
            loss.check_targets(targets[key], shapes[key])

    def dry_run(self, y_true, y_pred, sample_weight=None):
        """Compute each output's loss on one batch without tracking it: a loss that cannot take it fails here."""
        keys = output_keys(y_pred, self.output_names)
        predictions = dict(zip(keys, flat_outputs(y_pred)))
        targets = dict(zip(keys, take_targets(y_true, keys)))
        weights = dict(zip(keys, take_targets(sample_weight, keys, "sample_weight"))) \
            if isinstance(sample_weight, (list, tuple, dict)) else dict.fromkeys(keys, sample_weight)
        for key, loss in self.by_output(y_pred):
            loss(targets[key], predictions[key], weights[key])

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
        for entry in self.entries:
            value = entry.loss(targets[entry.index], predictions[entry.index], weights[entry.index])
            if entry.tracker is not None:
                size = len(predictions[entry.index])
                entry.tracker.add(float(value.data) * size, size)
            if entry.weight is not None:
                value = value * float(entry.weight)
            total = value if total is None else total + value
        return total

    def reset_state(self):
        for tracker in self.metrics:
            tracker.reset_state()

    def get_config(self):
        return {"loss": self.identifier, "loss_weights": self.loss_weights}


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
        self.entries = None  # [MetricEntry]
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

    def update_state(self, y_true, y_pred, sample_weight=None, mask=None):
        """Update every metric; ``mask`` (the predictions' timestep mask, single output) weighs them all, as in Keras."""
        if not self.built:
            self.build(y_true, y_pred)
        if self._single:
            plain_weight = None
            if mask is not None:
                from glassnet.losses import apply_mask

                plain_weight, sample_weight = apply_mask(None, mask, "sum"), apply_mask(sample_weight, mask, "sum")
            for entry in self.entries:
                if entry.weighted:
                    entry.metric.update_state(y_true, y_pred, sample_weight)
                elif plain_weight is not None:
                    entry.metric.update_state(y_true, y_pred, plain_weight)
                else:
                    entry.metric.update_state(y_true, y_pred)
            return
        keys = output_keys(y_pred, self.output_names)
        predictions, targets = flat_outputs(y_pred), take_targets(y_true, keys)
        weights = take_targets(sample_weight, keys, "sample_weight") \
            if isinstance(sample_weight, (list, tuple, dict)) else [sample_weight] * len(keys)
        for entry in self.entries:
            if entry.weighted:
                entry.metric.update_state(targets[entry.index], predictions[entry.index], weights[entry.index])
            else:
                entry.metric.update_state(targets[entry.index], predictions[entry.index])

    def check_targets(self, y_true, shapes):
        """Each metric's ``check_targets`` on its output's targets; ``shapes``: {output key: prediction shape}.

        The metrics must be built (``build``) first.
        """
        keys = list(shapes)
        targets = take_targets(y_true, keys) if len(keys) > 1 else [y_true]
        for entry in self.entries:
            entry.metric.check_targets(targets[entry.index], shapes[keys[entry.index]])

    def dry_run(self, y_true, y_pred, sample_weight=None):
        """Update a copy of every metric with one batch: a metric that cannot take it fails here, unchanged."""
        try:
            trial = copy.deepcopy(self)
        except Exception:  # noqa: BLE001 - a metric that cannot be copied is checked by its check_targets alone
            return
        trial.update_state(y_true, y_pred, sample_weight)

    def reset_state(self):
        for entry in self.entries or []:
            entry.metric.reset_state()

    def result(self):
        """``{log name: value}`` of every compiled metric."""
        return {entry.name: entry.metric.result() for entry in self.entries or []}

    def results(self):
        return self.result()

    @property
    def names(self):
        return [entry.name for entry in self.entries or []]


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
            entries.append(MetricEntry(name, metric, index, False))
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
            entries.append(MetricEntry(name, metric, index, True))
    return entries


class TargetCheck:
    """The rules the compiled losses and metrics set for targets, for one model's outputs.

    Made from the targets and the predictions of the first batch; compiled
    metrics not built yet are checked on a copy built from that batch, as
    they will be built at the first step. ``check(y)`` applies every loss's and
    metric's ``check_targets`` to a batch of targets: with the outputs'
    exact shapes (but the batch axis) for the first batch or whole arrays,
    and with only the rank and the last size fixed for a generator's later
    batches, whose lengths may vary. ``dry_run`` computes the loss and a
    copy of the metrics on one batch.
    """

    def __init__(self, compile_loss, compile_metrics, y_true, y_pred):
        self.compile_loss, self.compile_metrics = compile_loss, compile_metrics
        names = (compile_loss or compile_metrics).output_names
        keys = output_keys(y_pred, names)
        self.losses = compile_loss.by_output(y_pred) if compile_loss is not None else []
        if compile_metrics is not None and not compile_metrics.built:
            self.compile_metrics = _built_copy(compile_metrics, y_true, y_pred)  # the real ones build at the first step
        self.first_shapes = output_shapes(y_pred, keys)
        self.later_shapes = output_shapes(y_pred, keys, free_sizes=True)

    def __call__(self, y_true, later_batch=True):
        shapes = self.later_shapes if later_batch else self.first_shapes
        if self.losses:
            self.compile_loss.check_targets(y_true, self.losses, shapes)
        if self.compile_metrics is not None:
            self.compile_metrics.check_targets(y_true, shapes)

    def dry_run(self, y_true, y_pred, sample_weight=None):
        """The loss and a copy of the metrics on one batch (``y_pred``: arrays): whatever cannot take it fails."""
        if self.compile_loss is not None:
            self.compile_loss.dry_run(y_true, y_pred, sample_weight)
        if self.compile_metrics is not None:
            self.compile_metrics.dry_run(y_true, y_pred, sample_weight)


def _built_copy(compile_metrics, y_true, y_pred):
    """A copy of unbuilt compiled metrics, built for these targets and predictions (None if it cannot be copied)."""
    try:
        trial = copy.deepcopy(compile_metrics)
    except Exception:  # noqa: BLE001 - metrics that cannot be copied are checked as they update
        return None
    trial.build(y_true, y_pred)
    return trial
