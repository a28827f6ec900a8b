"""ProgbarLogger: prints ``Epoch i/N`` and the progress line (added by ``verbose``)."""

from glassnet.callbacks.callback import Callback
from glassnet.utils import io_utils
from glassnet.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Shows training (and evaluation / prediction) progress as Keras does."""

    def __init__(self):
        super().__init__()
        self.progbar = None
        self.verbose = 1
        self.epochs = 1
        self._in_fit = False

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)

    def _new_bar(self, target):
        self.progbar = Progbar(target=target, verbose=self.verbose, stateful_metrics=_All())

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            io_utils.print_msg(f"Epoch {epoch + 1}/{self.epochs}")
        self._new_bar(self.params.get("steps"))

    def on_train_batch_end(self, batch, logs=None):
        self.progbar.update(batch + 1, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self.progbar.update(self.progbar._seen, list((logs or {}).items()), finalize=True)

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._new_bar(self.params.get("steps"))

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self.progbar.update(batch + 1, list((logs or {}).items()), finalize=False)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self.progbar.update(self.progbar._seen, list((logs or {}).items()), finalize=True)

    def on_predict_begin(self, logs=None):
        self._new_bar(self.params.get("steps"))

    def on_predict_batch_end(self, batch, logs=None):
        self.progbar.update(batch + 1, finalize=False)

    def on_predict_end(self, logs=None):
        self.progbar.update(self.progbar._seen, finalize=True)


class _All:
    """A set that contains every name: all values shown are already running means."""

    def __contains__(self, name):
        return True
