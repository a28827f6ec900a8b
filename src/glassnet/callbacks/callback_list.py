"""CallbackList: calls every callback's hook, skipping batch hooks nobody implements.

Batch hooks run every step, so the list remembers which callbacks really
implement each one -- a subclass overriding the method, or an instance given
the hook as an attribute (``LambdaCallback``) -- and the training step costs
nothing for the others.

As in Keras 3, ``History`` and the ``ProgbarLogger`` come after the user's
callbacks, so they see what those add to the epoch logs (``learning_rate``
from ``LearningRateScheduler`` or ``ReduceLROnPlateau``), and every
epoch-level hook gets its own copy of the logs, keys sorted, values as
Python floats (Keras' ``pythonify_logs``).
"""

from glassnet.callbacks.callback import Callback
from glassnet.callbacks.history import History
from glassnet.callbacks.progbar_logger import ProgbarLogger

_BATCH_HOOKS = (
    "on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end",
    "on_predict_batch_begin", "on_predict_batch_end",
)
# The Keras 2 names: the base Callback's train-batch hooks forward to them.
_LEGACY = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}
# Set by glassnet.distributed.init() on ranks other than 0: callbacks -> the ones that run on this rank.
rank_filter = None


def implementation(callback, hook):
    """The bound method (or function) that implements ``hook`` on ``callback``, or None for the no-op.

    An attribute set on the instance counts (``LambdaCallback(on_train_batch_end=f)``);
    so does a method a subclass defines. The base class's no-op does not.
    """
    own = getattr(callback, "__dict__", {}).get(hook)
    if own is not None:
        return own
    method = getattr(type(callback), hook, None)
    if method is None or method is getattr(Callback, hook, None):
        return None
    return getattr(callback, hook)


def _batch_method(callback, hook):
    """What calling ``callback.<hook>`` really runs, or None when it would do nothing."""
    found = implementation(callback, hook)
    if found is None and hook in _LEGACY:
        found = implementation(callback, _LEGACY[hook])  # the base hook would forward to it
    return found


def pythonify_logs(logs):
    """A new dict of ``logs``: keys sorted, nested dicts flattened, numbers as Python floats."""
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        if type(value) is not float and getattr(value, "ndim", 0) == 0:  # arrays of values stay as they are
            try:
                value = float(value)
            except (TypeError, ValueError):
                pass
        result[key] = value
    return result


def _keras_order(callbacks):
    """The user's callbacks first, then History, then the progress bar (Keras 3's order)."""
    history = [c for c in callbacks if isinstance(c, History)]
    progbar = [c for c in callbacks if isinstance(c, ProgbarLogger)]
    others = [c for c in callbacks if not isinstance(c, (History, ProgbarLogger))]
    return others + history + progbar


class CallbackList(Callback):
    """A group of callbacks with the same hooks as one callback (``keras.callbacks.CallbackList``).

    ``add_history`` / ``add_progbar`` append a ``History`` / ``ProgbarLogger``
    when the list has none, as Keras' ``fit`` does.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self.callbacks = _keras_order(list(callbacks or []))
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.insert(len(self.callbacks) - (self._progbar is not None), self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        if rank_filter is not None:  # a data-parallel run: only rank 0 prints and writes files
            self.callbacks = rank_filter(self.callbacks)
            self._progbar = self._progbar if self._progbar in self.callbacks else None
        self.set_model(model)
        self.set_params(params)
        self._find_batch_hooks()

    def _find_batch_hooks(self):
        self._batch_hooks = {}
        for hook in _BATCH_HOOKS:
            self._batch_hooks[hook] = [m for m in (_batch_method(c, hook) for c in self.callbacks) if m is not None]

    def set_model(self, model):
        if model is None:
            return
        self.model = model
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def set_params(self, params):
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def append(self, callback):
        self.callbacks.append(callback)
        self._find_batch_hooks()

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)

    def needs_batch_logs(self, hook):
        """True if some callback implements the batch hook ``hook``."""
        return bool(self._batch_hooks[hook])

    def _call(self, hook, *args):
        logs = pythonify_logs(args[-1])
        for callback in self.callbacks:
            getattr(callback, hook)(*args[:-1], logs)

    def _call_batch(self, hook, batch, logs):
        if logs is None:
            logs = {}
        for method in self._batch_hooks[hook]:
            method(batch, logs=logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call_batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call_batch("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call_batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call_batch("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call_batch("on_predict_batch_end", batch, logs)

    on_batch_begin = on_train_batch_begin
    on_batch_end = on_train_batch_end
