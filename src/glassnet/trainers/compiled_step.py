"""The compiled training step of ``compile(jit_compile="auto")``: trace, check, replay — or stay eager.

For each batch layout (the shapes and dtypes of x, y and sample_weight) the
first two steps run eagerly under an ``autodiff.plan.Tracer``. When both
traces describe the same ops on the same sources with the same constants,
later batches of that layout replay the plan: the same op code in the same
order (``Plan.run``), then the eager optimizer update, loss tracker and
metric updates. Results are bit for bit the eager ones. At the start of each
epoch the first step of a layout is traced again and must match its plan
(callbacks may have changed the model between epochs); if not, that layout
starts over.

Anything a plan might not reproduce keeps the step eager, silently: a model
class other than Sequential or Functional (its ``call`` may branch on
data), an overridden ``train_step``/``compute_loss``/``compute_metrics``, a
layer or loss outside the supported list (below), layers with masks or
activity regularizers, recurrent dropout, a callback with batch hooks of
its own (it could change the model between steps), forward hooks, anomaly
detection, a loss tracked per output, or two traces that differ. Plans are
checked again at every epoch start, so a callback's epoch-level changes are seen.
"""

from glassnet.autodiff.plan import NotReplayable, Tracer, signature
from glassnet.state import current
from glassnet.trainers.data import flatten_arrays, unpack_x_y_sample_weight

# Layers whose call is made of ops only (no Python branch on values, no side effect outside the ops).
SUPPORTED_LAYERS = frozenset({
    "InputLayer", "Flatten", "Reshape", "Permute", "Dense", "Dropout", "Activation", "ReLU", "Softmax",
    "Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
    "LSTM", "GRU", "SimpleRNN", "LayerNormalization", "BatchNormalization", "Embedding",
    "Conv1DTranspose", "Conv2DTranspose", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D",
    "ZeroPadding1D", "ZeroPadding2D", "Cropping1D", "Cropping2D", "UpSampling1D", "UpSampling2D", "RepeatVector",
    "Identity", "Rescaling", "EinsumDense", "MultiHeadAttention", "Bidirectional",
})
SUPPORTED_LOSSES = frozenset({
    "SparseCategoricalCrossentropy", "CategoricalCrossentropy", "BinaryCrossentropy", "MeanSquaredError",
    "MeanAbsoluteError",
})
# Callbacks known not to touch the model between batches.
_QUIET_CALLBACKS = frozenset({"History", "ProgbarLogger"})

_EAGER = "eager"


class CompiledStep:
    """The plans of one model, by batch layout; ``train_step(model, data)`` runs one step."""

    def __init__(self):
        self.plans = {}  # layout -> (Plan, its signature), or _EAGER
        # layout -> (signature of the first traced step, its steps): the steps keep the objects alive whose
        # identities the signature holds, so no new object can take one of their ids before the comparison
        self.first_traces = {}
        self.unchecked = set()  # layouts whose plan must match a new trace before it is used again
        self.replays = 0  # how many steps ran from a plan (tests read this)
        self.traces = 0

    def begin_epoch(self, model, callback_list):
        """Mark the plans to be checked again (callbacks may have changed the model); False when this epoch must
        run eagerly."""
        self.first_traces.clear()
        self.plans = {layout: plan for layout, plan in self.plans.items() if plan is not _EAGER}
        self.unchecked = set(self.plans)
        return _supported(model, callback_list)

    def train_step(self, model, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        batch = flatten_arrays(x) + flatten_arrays(y) + flatten_arrays(sample_weight)
        layout = (_structure(x), _structure(y), _structure(sample_weight),
                  tuple((a.shape, a.dtype.str) if hasattr(a, "dtype") else None for a in batch))
        if (current.anomaly_trace is not None or current.forward_hooks or current.plan_trace is not None
                or not current.grad_enabled):
            return model.train_step(data)
        plan = self.plans.get(layout)
        if plan is _EAGER:
            return model.train_step(data)
        if plan is not None and layout not in self.unchecked:
            return self._replay(model, plan[0], batch, x, y, sample_weight)
        return self._trace(model, data, layout, batch)

    def _trace(self, model, data, layout, batch):
        if not all(type(a).__module__ == "numpy" and hasattr(a, "dtype") for a in batch):
            self.plans[layout] = _EAGER
            return model.train_step(data)
        tracer = Tracer(batch)
        current.plan_trace = tracer
        try:
            logs = model.train_step(data)
        finally:
            current.plan_trace = None
        self.traces += 1
        try:
            variables = model._trainable_cache if model._trainable_cache is not None else model.trainable_weights
            plan = tracer.plan(variables)
            described = signature(tracer.steps)
        except NotReplayable:
            self.plans[layout] = _EAGER
            return logs
        known = self.plans.get(layout)
        if layout in self.unchecked:  # the epoch's first step of a layout that has a plan
            self.unchecked.discard(layout)
            if _same(known[1], described):
                self.plans[layout] = (plan, described)
                return logs
            del self.plans[layout]
        first = self.first_traces.get(layout)
        if first is None:
            self.first_traces[layout] = (described, tracer.steps)
        else:
            self.plans[layout] = (plan, described) if _same(first[0], described) else _EAGER
        return logs

    def _replay(self, model, plan, batch, x, y, sample_weight):
        """``Trainer.train_step`` with the forward and backward taken from the plan."""
        from glassnet.trainers.trainer import _batch_length

        variables = model._trainable_cache if model._trainable_cache is not None else model.trainable_weights
        y_pred, loss = plan.run(batch)
        model.optimizer.apply([v.grad for v in variables], variables)
        size = _batch_length(x)
        model._loss_tracker.add(float(loss) * size, size)
        if model._compile_metrics is not None:
            model._compile_metrics.update_state(y, y_pred, sample_weight, mask=None)
        self.replays += 1
        return model.get_metrics_result()


def _structure(value):
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(_structure(v) for v in value))
    if isinstance(value, dict):
        return (dict, tuple((k, _structure(v)) for k, v in value.items()))
    return value is None


def _same(first, second):
    if len(first) != len(second):
        return False
    return all(a == b for a, b in zip(first, second))


def _supported(model, callback_list):
    """Whether the built-in step of ``model`` is made of supported pieces only (see the module docstring)."""
    from glassnet.models.functional import Functional
    from glassnet.models.sequential import Sequential
    from glassnet.trainers.trainer import Trainer

    kind = type(model)
    if kind not in (Sequential, Functional):
        return False
    if (kind.train_step is not Trainer.train_step or kind.compute_loss is not Trainer.compute_loss
            or kind.compute_metrics is not Trainer.compute_metrics):
        return False
    overridden = ("train_step", "compute_loss", "compute_metrics")  # on the instance, e.g. by callbacks.Diagnostics
    if any(name in model.__dict__ for name in overridden) or "apply" in vars(model.optimizer):
        return False
    if not _layers_supported(model):
        return False
    compile_loss = model._compile_loss
    if compile_loss is None or compile_loss.metrics:
        return False
    found = compile_loss.losses.values() if isinstance(compile_loss.losses, dict) else compile_loss.losses
    for loss in found:
        if loss is None:
            continue
        if type(loss).__name__ not in SUPPORTED_LOSSES or not type(loss).__module__.startswith("glassnet.losses"):
            return False
        config = loss.get_config()
        if config.get("ignore_class") is not None or config.get("reduction") not in ("sum_over_batch_size", "sum"):
            return False
    for callback in callback_list or ():
        if type(callback).__name__ in _QUIET_CALLBACKS and type(callback).__module__.startswith("glassnet."):
            continue
        if _has_batch_hooks(callback):
            return False
    return True


def _layers_supported(model):
    from glassnet.models.functional import Functional
    from glassnet.models.sequential import Sequential

    for layer in model.layers:
        if type(layer) in (Sequential, Functional):
            if not _layers_supported(layer):
                return False
            continue
        kind = type(layer)
        if kind.__name__ not in SUPPORTED_LAYERS or not kind.__module__.startswith("glassnet.layers"):
            return False
        if getattr(layer, "activity_regularizer", None) is not None:
            return False
        if getattr(layer, "dropout", 0) or getattr(layer, "recurrent_dropout", 0):
            return False
        if getattr(layer, "stateful", False) or getattr(layer, "mask_zero", False):
            return False
    return True


def _has_batch_hooks(callback):
    from glassnet.callbacks.callback import Callback

    for name in ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"):
        method = getattr(type(callback), name, None)
        if method is not None and method is not getattr(Callback, name, None):
            return True
    return False
