"""EarlyStopping: stop training when a monitored quantity has stopped improving.

At the end of each epoch (from ``start_from_epoch`` on) the monitored value
is compared with the best so far: an improvement of more than ``min_delta``
resets the wait; otherwise, after ``patience`` epochs without one,
``model.stop_training`` is set. With ``restore_best_weights=True`` the
weights of the best epoch are put back when training ends -- whether or not
this callback stopped it (Keras 3's rule).
"""

from glassnet.callbacks.monitor_callback import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Stop training when ``monitor`` has stopped improving (``keras.callbacks.EarlyStopping``).

    Args:
        monitor: the log to watch, e.g. ``"val_loss"`` (default) or ``"val_accuracy"``.
        min_delta: an absolute change smaller than this is no improvement.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a line when it stops and when it restores weights.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (from the monitored name).
        baseline: the wait only restarts on epochs that also beat this value.
        restore_best_weights: put back the weights of the best epoch at the end of training.
        start_from_epoch: epochs to let pass before watching (a warm-up).

    Example:
        >>> callback = EarlyStopping(monitor="loss", patience=3)
        >>> # model.fit(x, y, epochs=100, callbacks=[callback]) stops 3 epochs after the best loss
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.start_from_epoch = start_from_epoch
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        # The same instance may be used by several fit() calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()  # here, once the model's metrics exist
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Nothing better has been seen: these weights are the best so far.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # The wait restarts only when the value beats both the best so far and the baseline.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return

        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", flush=True)
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.", flush=True)
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        return self._monitor_value(logs, "Early stopping conditioned on metric `{monitor}` which is not available.")
