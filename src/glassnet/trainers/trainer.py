"""compile, fit, evaluate, predict: the training loop, as Keras' Model methods.

One training step is ``train_step(data)``: forward with ``training=True``,
``compute_loss``, ``loss.backward()``, ``optimizer.apply`` and the metric
updates. ``data`` is always the packed batch ``(x,)``, ``(x, y)`` or
``(x, y, sample_weight)``, for the built-in step and an overridden one
alike, as in Keras 3 (``test_step`` and ``predict_step`` too). ``fit`` runs
it over shuffled batches, epoch after epoch, with callbacks around it;
``evaluate`` and ``predict`` run forward passes under ``no_grad``.

Every argument and the data are checked before any state changes, so a
call that raises leaves the model as it was: arrays are read and checked
whole (``data.read_arrays``), the first batch runs through the model, and
the targets go through every loss's and metric's ``check_targets`` and a
trial computation of the loss and (a copy of) the metrics. A generator's
later batches are checked as they come (``data.read_batch`` and the same
target rules).
"""

import contextlib
import warnings

import numpy as np

from glassnet import optimizers
from glassnet.autodiff.grad_mode import no_grad
from glassnet.autodiff.tensor import Tensor
from glassnet.callbacks.callback_list import CallbackList
from glassnet.callbacks.history import History
from glassnet.callbacks.progbar_logger import ProgbarLogger
from glassnet.metrics.metric import Mean
from glassnet.random import global_generator
from glassnet.state import current
from glassnet.trainers import threads
from glassnet.trainers.class_weight import ClassWeighted, check_class_weight, class_weights_for
from glassnet.trainers.compile_utils import CompileLoss, CompileMetrics, TargetCheck
from glassnet.trainers.compiled_step import CompiledStep
from glassnet.trainers.data import (
    flatten_arrays, map_arrays, pack_x_y_sample_weight, read_arrays, unpack_x_y_sample_weight,
)
from glassnet.trainers.data_adapter import ArrayBatches, train_validation_split
from glassnet.trainers.interrupt import graceful_interrupt
from glassnet.trainers.limits import limited_epochs, limited_steps
from glassnet.trainers.loop_metrics import loop_model
from glassnet.trainers.iterable_adapter import IterableBatches, is_batch_source

__all__ = ["Trainer", "pack_x_y_sample_weight", "unpack_x_y_sample_weight"]


def _check_batch_size(batch_size):
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def _resolve_verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return verbose


def _as_log(value):
    return value if type(value) is float or isinstance(value, (list, dict)) else float(value)


class Trainer:
    """The training API mixed into Model."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self.stop_training = False
        self.history = None
        self._initial_epoch = None  # set by a callback in on_train_begin to start fit at another epoch
        self._fit_interrupted = False  # whether the last fit was stopped by Ctrl-C
        self._trainable_cache = None  # the trainable weights, fixed for the length of a fit
        self._penalized = True  # whether some weight has a regularizer (known during a fit)
        self._log_entries = None  # [(log name, metric)] sorted by name, once every metric is built
        self._compile_config = None
        self._compiled_step = None  # trainers/compiled_step.CompiledStep when compile(jit_compile="auto"/True)

    # --- compile ------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True):
        """Choose the optimizer, loss and metrics (``run_eagerly``, ``steps_per_execution``... are accepted and unused).

        ``jit_compile`` ("auto", the default, or True) lets ``fit`` replay a traced
        training step where it gives the eager results bit for bit
        (``trainers/compiled_step.py``); False (or ``run_eagerly=True``) always runs eagerly.

        For a model with several outputs, ``loss``, ``loss_weights``,
        ``metrics`` and ``weighted_metrics`` may be lists in output order or
        dicts keyed by output name (``model.output_names``); one loss applies
        to every output.
        """
        optimizer = optimizers.get(optimizer)
        output_names = getattr(self, "output_names", None)
        compile_loss = CompileLoss(loss, loss_weights, output_names) if loss is not None else None
        if metrics is not None and not isinstance(metrics, (list, tuple, dict)):
            raise ValueError(f"metrics must be a list (e.g. ['accuracy']), got {metrics!r}")
        compile_metrics = CompileMetrics(metrics, weighted_metrics, output_names) \
            if metrics is not None or weighted_metrics is not None else None
        for identifier in _flatten_identifiers([metrics, weighted_metrics]):
            if isinstance(identifier, str) and identifier.lower() not in ("accuracy", "acc"):
                from glassnet import metrics as metrics_module

                metrics_module.get(identifier)  # fail now on unknown names, not at the first batch
        self.optimizer = optimizer
        self.loss = loss
        self._compile_loss = compile_loss
        self._compile_metrics = compile_metrics
        self._loss_tracker = Mean(name="loss")
        self._log_entries = None
        self._compiled_step = CompiledStep() if jit_compile in ("auto", True) and not run_eagerly else None
        self._compile_config = {
            "optimizer": optimizer, "loss": loss, "loss_weights": loss_weights, "metrics": metrics,
            "weighted_metrics": weighted_metrics, "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution, "jit_compile": False if jit_compile == "auto" else jit_compile,
        }
        self.compiled = True

    def _assert_compiled(self, method):
        if not self.compiled:
            raise ValueError(  # Keras 3 raises ValueError here too
                f"You must call compile() before {method}(): e.g. model.compile(optimizer='adam', "
                "loss='sparse_categorical_crossentropy', metrics=['accuracy'])"
            )
        self._loss_check_method = method  # named by _check_loss_source once the first batch has run

    def _check_loss_source(self, method):
        """Raise when the built-in steps would find no loss: none compiled, none added by ``add_loss``
        in the first batch's forward pass, no weight penalty, and ``compute_loss`` not overridden (Keras 3 trains
        on the added losses alone, e.g. a VAE's)."""
        if self._compile_loss is not None or method not in ("fit", "evaluate", "train_on_batch", "test_on_batch"):
            return
        if not self._uses_builtin_steps() or type(self).compute_loss is not Trainer.compute_loss:
            return
        if not self.losses:
            raise ValueError(f"{method}() needs a loss: pass loss=... to compile(), call self.add_loss() in the "
                             "model or a layer, or override compute_loss()")

    # --- metrics ---------------------------------------------------------------------------------
    @property
    def metrics(self):
        """As Keras 3: the loss tracker, the compiled metrics (one entry), then each output's loss tracker."""
        found = []
        if self.compiled:
            found.append(self._loss_tracker)
            if self._compile_metrics is not None:
                found.append(self._compile_metrics)
            if self._compile_loss is not None:
                found.extend(self._compile_loss.metrics)
        return found

    @property
    def compiled_metrics(self):
        """The compiled metrics as one object (``update_state(y, y_pred)``, ``result()``), as Keras 2 code uses it."""
        return self._compile_metrics

    def compiled_loss(self, y, y_pred, sample_weight=None, regularization_losses=None):
        """The compiled loss plus ``regularization_losses`` (e.g. ``self.losses``): Keras 2's spelling that custom
        ``train_step``s still use."""
        if self._compile_loss is None:
            raise ValueError("compiled_loss needs a loss: pass loss=... to compile()")
        total = self._compile_loss(y, y_pred, sample_weight)
        for extra in regularization_losses or ():
            total = total + extra
        self._loss_tracker.update_state(total.data if isinstance(total, Tensor) else total)  # as Keras 2 did
        return total

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self):
        """``{name: value}`` of every metric, keys sorted as Keras logs are."""
        entries = self._log_entries or self._make_log_entries()
        return {name: _as_log(metric.result()) for name, metric in entries}

    def _make_log_entries(self):
        """(log name, metric) pairs sorted by name; kept once every metric object exists."""
        pairs = [("loss", self._loss_tracker)] if self._loss_tracker is not None else []
        compile_metrics, compile_loss = self._compile_metrics, self._compile_loss
        if compile_metrics is not None:
            pairs += [(entry.name, entry.metric) for entry in compile_metrics.entries or []]
        if compile_loss is not None:
            pairs += [(metric.name, metric) for metric in compile_loss.metrics]
        entries = sorted(pairs, key=lambda pair: pair[0])
        final = (compile_metrics is None or compile_metrics.built) and \
            (compile_loss is None or compile_loss.built or compile_loss.single is not None)
        if final:
            self._log_entries = entries
        return entries

    def _flatten_metrics_in_order(self, logs):
        """The logs as a list, ordered as Keras 3's ``evaluate`` orders them (a scalar if only one)."""
        names = []
        for metric in self.metrics:
            if metric is self._compile_metrics:
                names += [m.name for m in (metric.metrics or []) + (metric.weighted or [])]
            else:
                names.append(metric.name)
        results = [logs[name] for name in names if name in logs]
        results += [logs[key] for key in sorted(logs) if key not in names]
        return results[0] if len(results) == 1 else results

    # --- one step ------------------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss on (y, y_pred) plus every layer's added losses and weight penalties.

        As in Keras 3, the penalties count in evaluation too, so ``evaluate`` on
        the training data reports the loss that training minimises.
        """
        total = self._compile_loss(y, y_pred, sample_weight) if self._compile_loss is not None else None
        for extra in self._added_losses():
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError("No loss to compute: pass loss=... to compile() or call add_loss() in a layer")
        return total

    def _added_losses(self):
        """``self.losses``, skipping the walk over layers when a fit knows there are none."""
        if self._trainable_cache is not None and not self._penalized and not current.losses:
            return ()
        return self.losses

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics with a batch and return all results."""
        if self._compile_metrics is not None:
            mask = y_pred._keras_mask if isinstance(y_pred, Tensor) else None  # metrics skip masked timesteps
            self._compile_metrics.update_state(y, y_pred.data if isinstance(y_pred, Tensor) else _arrays_of(y_pred),
                                               sample_weight, mask=mask)
        return self.get_metrics_result()

    def train_step(self, data):
        """One update: forward, loss, backward, optimizer, metrics. Returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        variables = self._trainable_cache if self._trainable_cache is not None else self.trainable_weights
        for variable in variables:
            variable.grad = None
        y_pred = self(x, training=True)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        if current.plan_trace is not None:  # fit is tracing this step to compile it
            current.plan_trace.mark(y_pred, loss)
        if loss.requires_grad:
            self.optimizer.scale_loss(loss).backward()  # loss itself, or loss * scale for a LossScaleOptimizer
        self.optimizer.apply([v.grad for v in variables], variables)
        size = _batch_length(x)
        self._loss_tracker.add(float(loss.data) * size, size)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        """One evaluation batch: forward (training=False), loss, metrics. Returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False)
        self._loss_tracker.add(float(loss.data) * _batch_length(x), _batch_length(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def zero_grad(self):
        """Forget the gradients of the trainable weights (backward adds to them), for a custom ``train_step``."""
        for variable in self.trainable_weights:
            variable.grad = None

    def predict_step(self, data):
        """One prediction batch: the model's outputs with training=False."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # --- checks before a loop ---------------------------------------------------------------------------
    def _prepare_arrays(self, x, y, sample_weight, need_y):
        """Arrays from whatever was given, read and checked whole (``data.read_arrays``)."""
        x, y, sample_weight = read_arrays(x, y, sample_weight, strings=self._reads_strings())
        if need_y and y is None:
            raise ValueError("y is required here: pass the targets as the second argument")
        return x, y, sample_weight

    def _check_against_model(self, x, y, sample_weight=None, batch_size=32):
        """Run the first batch through the model (no graph) and check the targets; nothing changes.

        This builds the model if needed and raises any shape error with the
        layer's own message (showing the batch shape the user will train
        with). Then the targets (all of them for arrays, the first batch of a
        generator) go through every loss's and metric's ``check_targets``,
        and the loss and a copy of the metrics are computed on the first
        batch, so that no loss or metric fails after the first optimizer
        update (for the built-in steps; an overridden ``train_step`` decides
        what its targets mean). Returns the target check for a generator's
        later batches (None when there is nothing to check).
        """
        self._check_input_keys(x)
        head_x, head_y, head_weight = map_arrays(lambda a: a[:batch_size], (x, y, sample_weight))
        with no_grad():
            output = self(head_x, training=False)
        self._check_loss_source(getattr(self, "_loss_check_method", None))
        if y is None or not self._uses_builtin_steps() or (self._compile_loss is None
                                                          and self._compile_metrics is None):
            return None  # an overridden train_step/test_step decides what its targets mean
        check = TargetCheck(self._compile_loss, self._compile_metrics, y, output)
        check(y, later_batch=False)
        with no_grad():
            check.dry_run(head_y, _arrays_of(output), head_weight)
        return check

    def _check_single_batch(self, x, y, sample_weight):
        """``_check_against_model`` for train_on_batch/test_on_batch, in full once per batch layout.

        A loop of ``train_on_batch`` calls with batches of one shape (the usual
        custom loop) runs the model-and-dry-run check on the first only; later
        ones get the per-batch target rules (label ranges, shapes), which need
        no forward pass. Another layout, or another ``compile``, checks in full again.
        """
        layout = (self._compile_loss, self._compile_metrics,
                  *(tuple((a.shape, a.dtype.str) for a in flatten_arrays(v)) if v is not None else None
                    for v in (x, y, sample_weight)))
        known = self.__dict__.get("_single_batch_check")
        if known is not None and len(known[0]) == len(layout) and all(a is b or a == b
                                                                      for a, b in zip(known[0], layout)):
            if known[1] is not None and y is not None:
                known[1](y)
            return
        check = self._check_against_model(x, y, sample_weight, batch_size=len(flatten_arrays(x)[0]))
        self.__dict__["_single_batch_check"] = (layout, check)

    def _check_input_keys(self, x):
        """A dict x must name every input of a model with named inputs."""
        if not isinstance(x, dict):
            return
        names = getattr(self, "input_names", None)
        if names is None:
            return  # a subclassed model's call decides what it takes (Sequential refuses dicts itself)
        missing = [name for name in names if name not in x]
        if missing:
            raise ValueError(f"x is a dict keyed {sorted(x)}, but model '{self.name}' has inputs named {names}: "
                             f"no value for {missing}")

    def _reads_strings(self):
        """Whether x may hold strings: an input declared ``keras.Input(dtype="string")``, or a first layer
        that reads text (one with ``reads_strings`` true, such as TextVectorization or StringLookup)."""
        input_layer = getattr(self, "_input_layer", None)
        declared = [getattr(t, "dtype", None) for t in getattr(self, "inputs", None) or []]
        if "string" in declared or getattr(input_layer, "dtype", None) == "string":
            return True
        layers = getattr(self, "layers", None) or [None]
        return bool(getattr(layers[0], "reads_strings", False))

    def _uses_builtin_steps(self):
        return type(self).train_step is Trainer.train_step and type(self).test_step is Trainer.test_step

    # --- fit -----------------------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1):
        """Train for ``epochs`` epochs and return the History."""
        self._assert_compiled("fit")
        batch_size = _check_batch_size(batch_size)
        verbose = _resolve_verbose(verbose)
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
        if not isinstance(validation_split, (int, float)) or not 0 <= validation_split < 1:
            raise ValueError(f"validation_split must be a float in [0, 1), got {validation_split!r}")
        batches, validation = self._training_batches(
            x, y, sample_weight, class_weight, batch_size, shuffle, steps_per_epoch, validation_split,
            validation_data, validation_steps, validation_batch_size)
        epochs = limited_epochs(epochs)
        steps_per_epoch = limited_steps(steps_per_epoch, getattr(batches, "steps", None))
        if validation is not None:
            validation_steps = limited_steps(validation_steps, getattr(validation, "steps", None))

        history = History()
        with loop_model(self, training=True) as model:  # own metrics while another thread evaluates self
            callback_list = model._callback_list(callbacks, history, verbose, epochs,
                                                 steps_per_epoch or batches.steps, add_progbar=verbose != 0)
            with threads.compute_scope(model, batch_size), model._fixed_trainable_weights():
                model._run_epochs(batches, validation, callback_list, epochs, initial_epoch, steps_per_epoch,
                                  validation_steps, validation_freq)
        self.history = history
        return history

    def _training_batches(self, x, y, sample_weight, class_weight, batch_size, shuffle, steps_per_epoch,
                          validation_split, validation_data, validation_steps, validation_batch_size):
        """Check the training and validation data and return their batch sources (nothing is changed yet)."""
        if class_weight is not None:
            class_weight = check_class_weight(class_weight)
        if is_batch_source(x):
            if y is not None or sample_weight is not None:
                raise ValueError("When x is a generator or a PyDataset, its batches carry the targets: "
                                 "do not pass y or sample_weight as well")
            if validation_split:
                raise ValueError("validation_split needs arrays; with a generator or PyDataset, "
                                 "pass validation_data instead")
            batches, y = self._source_batches(x, steps_per_epoch, shuffle=bool(shuffle))
        else:
            x, y, sample_weight = self._prepare_arrays(x, y, sample_weight, need_y=self._needs_targets())
            if validation_data is None and validation_split:
                (x, y, sample_weight), validation_data = train_validation_split((x, y, sample_weight),
                                                                                validation_split)
            batches = self._array_batches(x, y, sample_weight, batch_size, shuffle=bool(shuffle))
        if class_weight is not None:
            batches = ClassWeighted(batches, class_weight, y)
        validation = None
        if validation_data is not None:
            validation = self._validation_batches(validation_data, validation_steps,
                                                  _check_batch_size(validation_batch_size or batch_size))
        return batches, validation

    def _validation_batches(self, validation_data, steps, batch_size):
        if is_batch_source(validation_data):
            return self._source_batches(validation_data, steps)[0]
        val_x, val_y, val_weight = self._unpack_validation(validation_data)
        val_x, val_y, val_weight = self._prepare_arrays(val_x, val_y, val_weight, need_y=self._needs_targets())
        return self._array_batches(val_x, val_y, val_weight, batch_size)

    def _array_batches(self, x, y, sample_weight, batch_size, shuffle=False):
        """Batches of arrays already read whole (``_prepare_arrays``), checked against the model first."""
        batches = ArrayBatches(x, y, sample_weight, batch_size, shuffle=shuffle)
        self._check_against_model(x, y, sample_weight, batch_size)
        return batches

    def _source_batches(self, source, steps, shuffle=False):
        """Batches of a generator, iterable or PyDataset: the first checked against the model now, the others'
        targets against the same rules as they come. Returns the batches and the first batch's targets."""
        batches = IterableBatches(source, steps, shuffle=shuffle, strings=self._reads_strings())
        first_x, first_y, first_weight = batches.first_batch()
        if first_y is None and self._needs_targets():
            raise ValueError("The batches hold no targets, but the loss needs them: yield (x, y) or "
                             "(x, y, sample_weight) batches")
        batches.check_targets = self._check_against_model(first_x, first_y, first_weight,
                                                          len(flatten_arrays(first_x)[0]))
        return batches, first_y

    def _one_batch(self, x, y=None, sample_weight=None):
        """All of ``x`` (read whole) as one batch, taken as fit takes its batches (floats as floatx)."""
        count = len(flatten_arrays(x)[0])
        return next(ArrayBatches(x, y, sample_weight, count).epoch_batches())

    @contextlib.contextmanager
    def _fixed_trainable_weights(self):
        """Look the trainable weights up once for a whole loop, not at every step."""
        self._trainable_cache = self.trainable_weights
        self._penalized = any(w.regularizer is not None for w in self.weights)
        try:
            yield
        finally:
            self._trainable_cache = None

    def _needs_targets(self):
        return type(self).train_step is Trainer.train_step and self._compile_loss is not None

    @staticmethod
    def _unpack_validation(validation_data):
        if isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
            return tuple(validation_data) + (None,) * (3 - len(validation_data))
        raise ValueError(
            "validation_data must be a tuple (x_val, y_val) or (x_val, y_val, val_sample_weight), "
            f"got {type(validation_data).__name__}"
        )

    def _callback_list(self, callbacks, history, verbose, epochs, steps, add_progbar):
        given = list(callbacks or [])
        if history is not None:
            given.insert(0, history)
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in given):
            given.append(ProgbarLogger())
        return CallbackList(given, model=self, verbose=verbose, epochs=epochs, steps=steps)

    def _run_epochs(self, batches, validation, callback_list, epochs, initial_epoch, steps_per_epoch,
                    validation_steps, validation_freq):
        self.stop_training = False
        self._initial_epoch = None  # a callback may set it in on_train_begin (BackupAndRestore resumes so), as in Keras
        callback_list.on_train_begin()
        initial_epoch = self._initial_epoch or initial_epoch
        logs = {}
        with graceful_interrupt() as interrupted:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                callback_list.on_epoch_begin(epoch)
                steps, train_logs = self._train_epoch(batches, callback_list, steps_per_epoch, interrupted)
                if interrupted:
                    _report_interrupt(epoch, steps, initial_epoch)
                    break
                if steps == 0:
                    warnings.warn("Your input ran out of data; training stops here. Make sure the generator can "
                                  "produce steps_per_epoch * epochs batches (or omit steps_per_epoch)",
                                  stacklevel=4)
                    break
                epoch_logs = dict(train_logs)
                if validation is not None and _validation_due(epoch, validation_freq):
                    val_logs = self._evaluate_batches(validation, callback_list, validation_steps)
                    epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
                callback_list.on_epoch_end(epoch, epoch_logs)
                logs = epoch_logs
                if self.stop_training:
                    break
        self._fit_interrupted = bool(interrupted)  # stopped by Ctrl-C: BackupAndRestore keeps its backup
        if epochs > 0 and getattr(self.optimizer, "use_ema", False):  # Keras: the weights take their averages
            self.optimizer.finalize_variable_values(self.trainable_weights)
        callback_list.on_train_end(logs)

    def _train_epoch(self, batches, callback_list, steps_per_epoch, interrupted):
        """Run one epoch's steps; returns (steps run, the last step's logs)."""
        logs, steps = {}, 0
        generator = global_generator()
        custom = type(self).train_step is not Trainer.train_step  # its logs may hold Tensors or nested dicts
        compiled = self.__dict__.get("_compiled_step")
        if compiled is not None and not compiled.begin_epoch(self, callback_list):
            compiled = None
        for step, batch in enumerate(batches.epoch_batches(generator)):
            if steps_per_epoch is not None and step >= steps_per_epoch:
                break
            callback_list.on_train_batch_begin(step)
            if compiled is not None:
                logs = compiled.train_step(self, pack_x_y_sample_weight(*batch))
            else:
                logs = self.train_step(pack_x_y_sample_weight(*batch))
            if custom:
                logs = python_logs(logs)
            steps = step + 1
            callback_list.on_train_batch_end(step, logs)
            if self.stop_training or interrupted:
                break
        return steps, logs

    # --- evaluate ----------------------------------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False):
        """Loss and metrics on the given data: a scalar, a list ``[loss, *metrics]``, or a dict."""
        self._assert_compiled("evaluate")
        batch_size = _check_batch_size(batch_size)
        verbose = _resolve_verbose(verbose)
        if is_batch_source(x):
            batches = self._validation_batches(x, steps, batch_size)
        else:
            x, y, sample_weight = self._prepare_arrays(x, y, sample_weight, need_y=self._needs_targets())
            batches = self._array_batches(x, y, sample_weight, batch_size)
        steps = limited_steps(steps, getattr(batches, "steps", None))
        with loop_model(self) as model:
            callback_list = model._callback_list(callbacks, None, verbose, 1, steps or batches.steps,
                                                 add_progbar=verbose != 0)
            with threads.compute_scope(model, batch_size):
                logs = model._evaluate_batches(batches, callback_list, steps)
            return logs if return_dict else model._flatten_metrics_in_order(logs)

    def _evaluate_batches(self, batches, callback_list, steps=None):
        """Run test_step over ``batches`` with freshly reset metrics and return the logs."""
        self.reset_metrics()
        callback_list.on_test_begin()
        custom = type(self).test_step is not Trainer.test_step  # its logs may hold Tensors or nested dicts
        with no_grad():
            for step, batch in enumerate(batches.epoch_batches()):
                if steps is not None and step >= steps:
                    break
                callback_list.on_test_batch_begin(step)
                logs = self.test_step(pack_x_y_sample_weight(*batch))
                if custom:
                    logs = python_logs(logs)
                callback_list.on_test_batch_end(step, logs)
        logs = self.get_metrics_result()
        callback_list.on_test_end(logs)
        return logs

    # --- predict ---------------------------------------------------------------------------------------------------
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for ``x`` as NumPy array(s), computed in batches without a graph."""
        batch_size = _check_batch_size(batch_size)
        verbose = _resolve_verbose(verbose)
        if is_batch_source(x):
            batches = IterableBatches(x, steps, strings=self._reads_strings())
        else:
            x, _, _ = self._prepare_arrays(x, None, None, need_y=False)
            batches = ArrayBatches(x, None, None, batch_size)
        steps = limited_steps(steps, getattr(batches, "steps", None))
        callback_list = self._callback_list(callbacks, None, verbose, 1, steps or batches.steps,
                                            add_progbar=verbose != 0)
        outputs, seen = None, 0
        callback_list.on_predict_begin()
        with threads.compute_scope(self, batch_size), no_grad():
            for step, batch in enumerate(batches.epoch_batches()):
                if steps is not None and step >= steps:
                    break
                callback_list.on_predict_batch_begin(step)
                batch_out = map_arrays(_to_numpy, self.predict_step(pack_x_y_sample_weight(batch[0])))
                outputs = _append_outputs(outputs, batch_out, seen, getattr(batches, "num_samples", None))
                seen += len(flatten_arrays(batch_out)[0])
                callback_list.on_predict_batch_end(step, {"outputs": batch_out})
        callback_list.on_predict_end()
        if isinstance(outputs, list) and not hasattr(batches, "num_samples"):
            return _join_batches(outputs)
        return map_arrays(lambda array: array[:seen], outputs)

    # --- single batches ------------------------------------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on exactly this batch; returns the loss (and metrics) for it."""
        self._assert_compiled("train_on_batch")
        x, y, sample_weight = self._prepare_arrays(x, y, sample_weight, need_y=self._needs_targets())
        if class_weight is not None:
            by_class = class_weights_for(y, check_class_weight(class_weight))
            sample_weight = by_class if sample_weight is None else by_class * sample_weight
        batch = self._one_batch(x, y, sample_weight)
        self._check_single_batch(*batch)
        with loop_model(self, training=True) as model:
            model.reset_metrics()
            with threads.compute_scope(model, len(flatten_arrays(x)[0]), return_memory=False):
                logs = model.train_step(pack_x_y_sample_weight(*batch))
            return _single_batch_result(model, logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss and metrics on exactly this batch, without training."""
        self._assert_compiled("test_on_batch")
        x, y, sample_weight = self._prepare_arrays(x, y, sample_weight, need_y=self._needs_targets())
        batch = self._one_batch(x, y, sample_weight)
        self._check_single_batch(*batch)
        with loop_model(self) as model:
            model.reset_metrics()
            with no_grad():
                logs = model.test_step(pack_x_y_sample_weight(*batch))
            return _single_batch_result(model, logs, return_dict)

    def predict_on_batch(self, x):
        """The model's outputs for exactly this batch, as NumPy array(s)."""
        x, _, _ = self._prepare_arrays(x, None, None, need_y=False)
        with no_grad():
            return map_arrays(_to_numpy, self.predict_step(pack_x_y_sample_weight(self._one_batch(x)[0])))


def _single_batch_result(model, logs, return_dict):
    if return_dict:
        return logs
    return model._flatten_metrics_in_order(logs)


def python_logs(logs):
    """A custom ``train_step``'s logs as Keras reports them: nested dicts flattened, values as Python floats."""
    flat = {}
    for key, value in (logs or {}).items():
        if isinstance(value, dict):
            flat.update(python_logs(value))
        else:
            flat[key] = _as_log(value.numpy() if isinstance(value, Tensor) else value)
    return flat


def _flatten_identifiers(value):
    if isinstance(value, dict):
        return [m for v in value.values() for m in _flatten_identifiers(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _flatten_identifiers(v)]
    return [] if value is None else [value]


def _arrays_of(outputs):
    """Model outputs (Tensors, possibly in a list or dict) as arrays, for the metrics."""
    if isinstance(outputs, Tensor):
        return outputs.data
    if isinstance(outputs, (list, tuple)):
        return [_arrays_of(o) for o in outputs]
    if isinstance(outputs, dict):
        return {k: _arrays_of(v) for k, v in outputs.items()}
    return outputs


def _batch_length(x):
    if isinstance(x, (np.ndarray, Tensor)):
        return len(x)
    return len(flatten_arrays(x)[0])


def _to_numpy(value):
    return value.numpy() if isinstance(value, Tensor) else np.asarray(value)


def _append_outputs(outputs, batch_out, start, total):
    """Write a batch of predictions into arrays allocated once for all samples (grown when the total is unknown)."""
    if total is None:  # a generator: keep the batches, join them at the end
        return (outputs or []) + [batch_out]
    if outputs is None:
        outputs = map_arrays(lambda b: np.empty((total,) + b.shape[1:], dtype=b.dtype), batch_out)
    out_arrays, batch_arrays = flatten_arrays(outputs), flatten_arrays(batch_out)
    for target, part in zip(out_arrays, batch_arrays):
        target[start:start + len(part)] = part
    return outputs


def _join_batches(parts):
    """Concatenate per-batch outputs (arrays, or lists/dicts of arrays) along the batch axis."""
    first = parts[0]
    if isinstance(first, (list, tuple)):
        return type(first)(_join_batches([p[i] for p in parts]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _join_batches([p[k] for p in parts]) for k in first}
    return np.concatenate(parts)


def _report_interrupt(epoch, steps, initial_epoch):
    done = epoch - initial_epoch
    print(f"\nTraining interrupted (Ctrl-C) during epoch {epoch + 1}, after step {steps}. The model keeps the "
          f"weights of that step and is ready to use; the history holds the {done} completed "
          f"epoch{'s' if done != 1 else ''}.", flush=True)


def _validation_due(epoch, validation_freq):
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq
