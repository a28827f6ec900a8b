"""Diagnostics: why is my network not learning?

    model.fit(x, y, epochs=5, callbacks=[glassnet.callbacks.Diagnostics()])

Every ``every`` steps the callback measures, per layer:

- the activations' mean and spread (standard deviation);
- the share of dead ReLU units (zero for every sample of the batch) and the
  share of saturated sigmoid/tanh outputs (stuck near their limits);
- the gradient norm of the layer's weights, and the update-to-weight ratio
  ``|w_after - w_before| / |w_before|`` of one optimizer step (about 1e-3 is
  healthy; much larger means the learning rate is too high, much smaller
  that the layer hardly learns).

At the end of each epoch it prints a table of these and plain-language hints.
On every step it checks that the gradients are finite. The first time they
are not, it skips that update (the weights stay as they were), replays the
batch with ``detect_anomaly`` to name the first op and layer that produced a
NaN or infinity, prints why that usually happens, and stops training. The
model stays usable. Results are kept in ``reports`` (one per epoch) and
``anomaly``.
"""

import contextlib
import math

import numpy as np

from glassnet.autodiff.anomaly import detect_anomaly
from glassnet.autodiff.tensor import Tensor
from glassnet.callbacks.callback import Callback
from glassnet.layers.layer import forward_hook

DEAD_SHARE = 0.5  # more dead ReLU units than this earns a hint
SATURATED_SHARE = 0.5  # more saturated sigmoid/tanh outputs than this earns a hint
HIGH_UPDATE_RATIO = 1e-2
LOW_UPDATE_RATIO = 1e-6


def _activation_name(layer):
    """"relu", "sigmoid", "tanh", "softmax" or None for the activation a layer applies last."""
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", None)
    return name if name in ("relu", "sigmoid", "tanh", "softmax") else None


def _output_stats(layer, outputs):
    """Mean, spread, dead and saturated shares of one layer's output batch."""
    if not isinstance(outputs, Tensor):
        return None
    values = np.asarray(outputs.data, dtype=np.float64)
    stats = {"mean": float(values.mean()), "std": float(values.std())}
    kind = _activation_name(layer)
    if kind == "relu" and values.ndim >= 2:
        units = values.reshape(-1, values.shape[-1])
        stats["dead"] = float((units <= 0).all(axis=0).mean())
    elif kind == "sigmoid":
        stats["saturated"] = float(((values < 0.01) | (values > 0.99)).mean())
    elif kind == "tanh":
        stats["saturated"] = float((np.abs(values) > 0.99).mean())
    return stats


class Diagnostics(Callback):
    """Per-layer training health each epoch, and the first op that produced a NaN or infinity."""

    def __init__(self, every=20, verbose=1, print_fn=None, stop_on_nan=True):
        super().__init__()
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"Diagnostics: every must be a positive integer, got {every!r}")
        self.every, self.verbose, self.stop_on_nan = every, verbose, stop_on_nan
        self.print_fn = print_fn or print
        self.reports = []
        self.anomaly = None

    # --- wiring into the training loop -------------------------------------------------------
    def on_train_begin(self, logs=None):
        model = self.model
        self._layers = [layer for layer in model._flatten_layers()
                        if layer.trainable_weights or _activation_name(layer) is not None]
        self._owner = {id(w): layer for layer in self._layers for w in layer.trainable_weights}
        self._step, self._sampling, self._batch = 0, False, None
        self._frozen_weights = model.non_trainable_weights
        self._samples = {}
        self._original_train_step = model.__dict__.get("train_step")
        self._original_apply = model.optimizer.__dict__.get("apply")
        train_step, apply = model.train_step, model.optimizer.apply
        model.train_step = lambda data: self._train_step(train_step, data)
        model.optimizer.apply = lambda grads, variables=None: self._apply(apply, grads, variables)

    def on_train_end(self, logs=None):
        model = self.model
        for owner, name, original in ((model, "train_step", self._original_train_step),
                                      (model.optimizer, "apply", self._original_apply)):
            if original is None:
                owner.__dict__.pop(name, None)
            else:
                setattr(owner, name, original)

    def on_epoch_begin(self, epoch, logs=None):
        self._samples = {layer.name: {} for layer in self._layers}

    def _train_step(self, train_step, data):
        self._sampling = self._step % self.every == 0
        self._batch = data
        self._frozen = [(w, w.numpy()) for w in self._frozen_weights]
        hooks = forward_hook(self._record_outputs) if self._sampling else contextlib.nullcontext()
        try:
            with hooks:
                return train_step(data)
        finally:
            self._step += 1

    def _apply(self, apply, grads, variables):
        variables = list(variables) if variables is not None else list(self.model.optimizer._trainable_variables)
        arrays = [g.data if isinstance(g, Tensor) else g for g in grads]
        if not all(_all_finite(g) for g in arrays if g is not None):
            self._diagnose_non_finite()
            return self.model.optimizer.iterations
        if not self._sampling:
            return apply(grads, variables)
        before = [w.numpy() for w in variables]
        result = apply(grads, variables)
        self._record_updates(arrays, variables, before)
        return result

    # --- measurements ----------------------------------------------------------------------------
    def _add(self, layer, key, value):
        self._samples.setdefault(layer.name, {}).setdefault(key, []).append(value)

    def _record_outputs(self, layer, inputs, outputs):
        if layer is self.model or layer.name not in self._samples:
            return
        stats = _output_stats(layer, outputs)
        for key, value in (stats or {}).items():
            self._add(layer, key, value)

    def _record_updates(self, grads, variables, before):
        squares, changes, sizes = {}, {}, {}
        for grad, weight, old in zip(grads, variables, before):
            layer = self._owner.get(id(weight))
            if layer is None or grad is None:
                continue
            squares[layer] = squares.get(layer, 0.0) + float(np.square(grad, dtype=np.float64).sum())
            changes[layer] = changes.get(layer, 0.0) + float(np.square(weight.data - old, dtype=np.float64).sum())
            sizes[layer] = sizes.get(layer, 0.0) + float(np.square(old, dtype=np.float64).sum())
        for layer in squares:
            self._add(layer, "grad_norm", math.sqrt(squares[layer]))
            if sizes[layer] > 0:
                self._add(layer, "update_ratio", math.sqrt(changes[layer] / sizes[layer]))

    # --- epoch report ----------------------------------------------------------------------------------
    def on_epoch_end(self, epoch, logs=None):
        report = {name: {key: float(np.mean(values)) for key, values in stats.items()}
                  for name, stats in self._samples.items() if stats}
        hints = self._hints(report)
        self.reports.append({"epoch": epoch, "layers": report, "hints": hints})
        if self.verbose:
            self._print_report(epoch, report, hints)

    def _hints(self, report):
        hints = []
        learning_rate = getattr(self.model.optimizer, "learning_rate", None)
        for name, stats in report.items():
            if stats.get("dead", 0) > DEAD_SHARE:
                hints.append(f"{name}: {stats['dead']:.0%} of its ReLU units never activate (dead ReLUs). "
                             "Lower the learning rate, use he_normal initialization, or try LeakyReLU.")
            if stats.get("saturated", 0) > SATURATED_SHARE:
                hints.append(f"{name}: {stats['saturated']:.0%} of its outputs are stuck at the sigmoid/tanh limits "
                             "(saturated), so almost no gradient flows through it. Normalize the inputs, lower the "
                             "learning rate, or use relu in hidden layers.")
            ratio = stats.get("update_ratio")
            if ratio is not None and ratio > HIGH_UPDATE_RATIO:
                change = f"{ratio:.3g} times their size" if ratio >= 1 else f"{ratio:.1%}"
                hints.append(f"{name}: each step changes its weights by {change} (about 0.1% is typical): the "
                             f"learning rate ({learning_rate:g}) looks too high.")
            elif ratio is not None and 0 < ratio < LOW_UPDATE_RATIO:
                hints.append(f"{name}: each step changes its weights by only {ratio:.1e} of their size: the layer "
                             "hardly learns (learning rate too low, or vanishing gradients).")
        norms = [(name, stats["grad_norm"]) for name, stats in report.items() if "grad_norm" in stats]
        if len(norms) >= 2 and norms[-1][1] > 0 and norms[0][1] < 1e-3 * norms[-1][1]:
            hints.append(f"The gradient reaching {norms[0][0]} is over 1000 times smaller than at {norms[-1][0]}: "
                         "gradients vanish on the way back. Use relu, BatchNormalization, or fewer layers.")
        return hints

    def _print_report(self, epoch, report, hints):
        lines = [f"Diagnostics, epoch {epoch + 1} (averaged over every {self.every}th step):",
                 f"  {'layer':24s} {'act mean':>9s} {'act std':>9s} {'dead/sat':>9s} {'grad norm':>10s} "
                 f"{'update/w':>9s}"]
        for name, stats in report.items():
            share = stats.get("dead", stats.get("saturated"))
            lines.append(
                f"  {name[:24]:24s} {_fmt(stats.get('mean')):>9s} {_fmt(stats.get('std')):>9s} "
                f"{('%.0f%%' % (100 * share)) if share is not None else '-':>9s} "
                f"{_fmt(stats.get('grad_norm')):>10s} {_fmt(stats.get('update_ratio')):>9s}")
        lines.extend(f"  hint: {hint}" for hint in hints)
        for line in lines:
            self.print_fn(line)

    # --- NaN / infinity --------------------------------------------------------------------------------
    def _diagnose_non_finite(self):
        """Skip the update, replay the batch under detect_anomaly, explain, stop."""
        model = self.model
        for weight, value in self._frozen:  # batch statistics may have taken the NaN in
            weight.assign(value)
        x, y, sample_weight = _unpack(self._batch)
        with detect_anomaly() as trace:
            y_pred = model(x, training=True)
            loss = model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
            if getattr(loss, "requires_grad", False):
                loss.backward()
        for weight in model.trainable_weights:
            weight.grad = None
        for weight, value in self._frozen:
            weight.assign(value)
        anomaly = trace.first
        self.anomaly = {
            "step": self._step, "phase": getattr(anomaly, "phase", None), "op": getattr(anomaly, "op", None),
            "layer": anomaly.layer.name if anomaly is not None and anomaly.layer is not None else None,
            "kind": getattr(anomaly, "kind", None), "message": trace.describe(), "hint": self._nan_hint(anomaly),
        }
        if self.verbose:
            self.print_fn(f"Diagnostics: a non-finite gradient at step {self._step}; that update was skipped.")
            self.print_fn(f"  {self.anomaly['message']}")
            self.print_fn(f"  hint: {self.anomaly['hint']}")
        if self.stop_on_nan:
            model.stop_training = True

    def _nan_hint(self, anomaly):
        learning_rate = getattr(self.model.optimizer, "learning_rate", None)
        if anomaly is None:
            return ("The replayed batch was finite, so the NaN came from a random effect (such as dropout) or the "
                    "data; check the inputs for extreme values.")
        if anomaly.phase == "backward":
            return ("The forward pass was finite but the gradients overflowed: exploding gradients. Add "
                    "clipnorm=1.0 to the optimizer and lower the learning rate.")
        if anomaly.op in ("Log", "Divide", "Sqrt", "Power"):
            return (f"The {anomaly.op} op met a zero or negative value. Use from_logits=True losses or add a small "
                    "epsilon; check the inputs for zeros.")
        largest = max(abs(v) for v in anomaly.input_range) if anomaly.input_range else None
        weights = anomaly.layer.get_weights() if anomaly.layer is not None else []
        biggest_weight = max((float(np.nanmax(np.abs(w))) for w in weights if w.size), default=0.0)
        if (largest is not None and largest > 1e4) or biggest_weight > 1e4:
            return (f"Values have grown huge (inputs up to {largest:.3g}, weights up to {biggest_weight:.3g}): the "
                    f"learning rate ({learning_rate:g}) is far too high, or the gradients explode. Lower the learning "
                    "rate (try a tenth), add clipnorm=1.0, or normalize the inputs (x / 255.0).")
        return ("A value overflowed inside this op. Lower the learning rate, normalize the inputs, or add "
                "BatchNormalization before it.")


def _all_finite(array):
    total = array.sum()
    if math.isfinite(float(total)):
        return True
    return bool(np.isfinite(array).all())  # the sum overflowed: look at each value


def _unpack(data):
    if isinstance(data, tuple):
        return (data + (None, None))[:3]
    return data, None, None


def _fmt(value):
    if value is None:
        return "-"
    return f"{value:.3g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.1e}"
