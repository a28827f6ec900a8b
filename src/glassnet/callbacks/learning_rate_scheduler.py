"""LearningRateScheduler: set the optimizer's learning rate at the start of every epoch.

``schedule(epoch, lr)`` gets the epoch index (from 0) and the current rate
and returns the new one (a float); a schedule of one argument,
``schedule(epoch)``, works too (Keras' old API). The rate used is written
to the epoch logs as ``learning_rate``, so ``History`` records it.
"""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.callbacks.callback import Callback


def _as_rate(value):
    """The schedule's result as a float. Like Keras, an int is refused; a 0-d float array or Tensor is taken."""
    if isinstance(value, (float, np.floating)):
        return value
    array = value.data if isinstance(value, Tensor) else value
    if isinstance(array, np.ndarray) and array.ndim == 0 and array.dtype.kind == "f":
        return float(array)
    raise ValueError(f"The output of the `schedule` function should be a float. Got: {value}")


def log_learning_rates(optimizer, logs):
    """Write the rate in use to ``logs``: ``learning_rate``, or ``learning_rate_<name>`` for each of several optimizers."""
    if hasattr(optimizer, "optimizers"):
        for opt in optimizer.optimizers:
            logs[f"learning_rate_{opt.name}"] = float(opt.learning_rate)
    else:
        logs["learning_rate"] = float(optimizer.learning_rate)


class LearningRateScheduler(Callback):
    """Learning-rate schedule by epoch (``keras.callbacks.LearningRateScheduler``).

    Args:
        schedule: ``schedule(epoch, lr) -> new_lr``, ``epoch`` counting from 0.
        verbose: 1 prints the rate set at each epoch.

    Example:
        >>> def scheduler(epoch, lr):
        ...     return lr if epoch < 10 else lr * float(np.exp(-0.1))
        >>> callback = LearningRateScheduler(scheduler)
        >>> # model.fit(x, y, epochs=15, callbacks=[callback]); history.history["learning_rate"]
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _update_optimizer_lr(self, optimizer, epoch):
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:  # the current API: schedule(epoch, lr)
            learning_rate = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # the old one: schedule(epoch)
            learning_rate = self.schedule(epoch)
        learning_rate = _as_rate(learning_rate)
        optimizer.learning_rate = learning_rate
        return learning_rate

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if hasattr(optimizer, "optimizers"):
            for opt in optimizer.optimizers:
                learning_rate = self._update_optimizer_lr(opt, epoch)
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting {opt.name} learning rate to "
                          f"{learning_rate}.", flush=True)
        else:
            learning_rate = self._update_optimizer_lr(optimizer, epoch)
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {learning_rate}.",
                      flush=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        log_learning_rates(self.model.optimizer, logs)
