"""CallbackList: calls every callback's hook, skipping batch hooks nobody overrides.

Batch hooks run every step, so the list remembers which callbacks really
implement each one; the training step then costs nothing for the others.
"""

from glassnet.callbacks.callback import Callback

_BATCH_HOOKS = (
    "on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end",
    "on_predict_batch_begin", "on_predict_batch_end",
)
_LEGACY = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _overrides(callback, hook):
    """True when ``callback``'s class defines ``hook`` itself (not the no-op base)."""
    method = getattr(type(callback), hook, None)
    return method is not None and method is not getattr(Callback, hook)


class CallbackList:
    """A group of callbacks with the same hooks as one callback."""

    def __init__(self, callbacks=None, model=None, **params):
        self.callbacks = list(callbacks or [])
        self.model = model
        self.params = params
        for callback in self.callbacks:
            if model is not None:
                callback.set_model(model)
            callback.set_params(params)
        self._batch_hooks = {}
        for hook in _BATCH_HOOKS:
            users = [getattr(c, hook) for c in self.callbacks if _overrides(c, hook)]
            legacy = _LEGACY.get(hook)
            if legacy:
                users += [getattr(c, legacy) for c in self.callbacks if _overrides(c, legacy)]
            self._batch_hooks[hook] = users

    def append(self, callback):
        self.callbacks.append(callback)

    def __iter__(self):
        return iter(self.callbacks)

    def needs_batch_logs(self, hook):
        """True if some callback implements the batch hook ``hook``."""
        return bool(self._batch_hooks[hook])

    def _call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def _call_batch(self, hook, batch, logs):
        for method in self._batch_hooks[hook]:
            method(batch, logs)

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
