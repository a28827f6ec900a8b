"""ReduceLROnPlateau: multiply the learning rate by ``factor`` when a quantity stops improving.

After ``patience`` epochs without an improvement of more than ``min_delta``,
``lr = max(lr * factor, min_lr)``; then ``cooldown`` epochs pass before the
wait counts again. The rate in use is written to the epoch logs as
``learning_rate`` (before any reduction at that epoch), so ``History``
records it.
"""

import numpy as np

from glassnet.callbacks.learning_rate_scheduler import log_learning_rates
from glassnet.callbacks.monitor_callback import MonitorCallback


class ReduceLROnPlateau(MonitorCallback):
    """Reduce the learning rate when ``monitor`` has stopped improving (``keras.callbacks.ReduceLROnPlateau``).

    Args:
        monitor: the log to watch (default ``"val_loss"``).
        factor: ``new_lr = lr * factor``; must be below 1.
        patience: epochs without improvement before a reduction.
        verbose: 1 prints each reduction.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (from the monitored name).
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the rate never goes below this.

    Example:
        >>> reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5, min_lr=0.001)
        >>> # model.fit(x, y, validation_split=0.2, callbacks=[reduce_lr])
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0, **kwargs):
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        """Reset the wait, the cooldown and the best value."""
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def _reduce_optimizer_lr(self, optimizer, epoch, name=""):
        old_lr = float(optimizer.learning_rate)
        # Compared in float32, as Keras stores the rate: a rate already at min_lr is not "reduced" again.
        if np.float32(old_lr) > np.float32(self.min_lr):
            new_lr = max(old_lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                name_str = f" {name}" if name else ""
                print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing{name_str} learning rate to {new_lr}.",
                      flush=True)
            return True
        return False

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()  # here, once the model's metrics exist
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        log_learning_rates(optimizer, logs)
        current = self._monitor_value(
            logs, "Learning rate reduction is conditioned on metric `{monitor}` which is not available.")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                if hasattr(optimizer, "optimizers"):
                    reduced = False
                    for opt in optimizer.optimizers:
                        reduced = self._reduce_optimizer_lr(opt, epoch, f"{opt.name}") or reduced
                else:
                    reduced = self._reduce_optimizer_lr(optimizer, epoch)
                if reduced:
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0
