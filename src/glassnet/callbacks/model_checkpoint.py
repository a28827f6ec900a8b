"""ModelCheckpoint: save the model (or its weights) every epoch, every N batches, or only when it improves.

``filepath`` is a ``str.format`` template filled with ``epoch`` (counted
from 1), the epoch's logs (``{val_loss:.2f}``) and, for ``save_freq=N``,
``batch`` (from 1): ``"ckpt-{epoch:02d}-{val_loss:.2f}.keras"``. As in
Keras 3 the suffix says what is written: ``.keras`` for the whole model
(``model.save``; ``.h5`` for Keras' legacy HDF5 model file), ``.weights.h5``
for the weights and optimizer state (``model.save_weights``); all are written under a temporary name and
renamed, so an interrupted save keeps the previous file.

With ``save_best_only=True`` a file is written only when ``monitor``
improves on the best so far (and on ``initial_value_threshold``), by
MonitorCallback's rule: the same sequence of logs writes the same files as
Keras' ModelCheckpoint.
"""

import os
import warnings

import numpy as np

from glassnet.callbacks.monitor_callback import MonitorCallback
from glassnet.callbacks.save_freq import should_save_on_batch


class ModelCheckpoint(MonitorCallback):
    """Save the model or its weights during training (``keras.callbacks.ModelCheckpoint``).

    Args:
        filepath: where to save; may hold ``{epoch}``, ``{batch}`` and log names, e.g.
            ``"ckpt/{epoch:02d}-{val_loss:.2f}.keras"``. Must end in ``.keras`` or ``.h5`` (the whole model), or in
            ``.weights.h5`` with ``save_weights_only=True``.
        monitor: the log that decides what is best (default ``"val_loss"``).
        verbose: 1 prints a line for each decision and each file written.
        save_best_only: write only when ``monitor`` improves on the best so far.
        save_weights_only: write ``model.save_weights`` files (weights and optimizer state) instead of the model.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (from the monitored name).
        save_freq: ``"epoch"`` (at each epoch end) or an integer: every that many batches.
        initial_value_threshold: with ``save_best_only``, a value the first saved model must beat.

    Example:
        >>> checkpoint = ModelCheckpoint("best.keras", monitor="val_accuracy", save_best_only=True)
        >>> # model.fit(x, y, validation_split=0.2, callbacks=[checkpoint]); then load_model("best.keras")
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0

        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, (int, np.integer))
                                     or save_freq < 1):
            raise ValueError(f"Unrecognized save_freq: {save_freq!r}. Expected save_freq are 'epoch' or integer "
                             "values (a number of batches, at least 1)")
        self._check_suffix()

    def _check_suffix(self):
        path = self.filepath
        if self.save_weights_only:
            if not path.endswith(".weights.h5"):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in "
                    f"`.weights.h5` (Keras weights format). Received: filepath={path}"
                    + (". For the whole model, use save_weights_only=False" if path.endswith(".keras") else ""))
        elif not path.endswith((".keras", ".h5")) or path.endswith(".weights.h5"):
            if path.endswith(".weights.h5"):
                hint = ". To save only the weights there, pass save_weights_only=True"
            elif path.endswith(".hdf5"):
                hint = " (or `.h5` for Keras' legacy HDF5 model format, as Keras' ModelCheckpoint accepts)"
            else:
                hint = ", or `.weights.h5` with save_weights_only=True"
            raise ValueError(f"The filepath provided must end in `.keras` (Keras model format). Received: "
                             f"filepath={path}{hint}")

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()  # here, once the model's metrics exist
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=logs)

    _should_save_on_batch = should_save_on_batch  # counts batches towards save_freq (callbacks/save_freq.py)

    def _should_save_model(self, epoch, batch, logs, filepath):
        """True when this epoch (or batch) is saved: always, or with ``save_best_only`` on an improvement."""
        logs = logs or {}
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}", flush=True)
            return True
        current = self._monitor_value(logs, "Can save best model only with {monitor} available.")
        if current is None:
            return True
        if isinstance(current, np.ndarray) and current.ndim > 0:
            warnings.warn(f"Can save best model only when `monitor` is a scalar value. Received: {current}. "
                          "Falling back to `save_best_only=False`.", stacklevel=3)
            return True
        if self.monitor_op is None:
            self._set_monitor_op()  # a batch-level save before the first epoch end
        best_str = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best_str} to {current:.5f}, saving model "
                      f"to {filepath}", flush=True)
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_str}", flush=True)
        return False

    def _save_model(self, epoch, batch, logs):
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, batch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IOError("Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing "
                          f"directory: {filepath}")
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {filepath}", flush=True)

    def _get_file_path(self, epoch, batch, logs):
        """``filepath`` filled with ``epoch`` (from 1), the logs and, for a batch-level save, ``batch`` (from 1)."""
        logs = logs or {}
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as error:
            available = ["epoch"] + (["batch"] if batch is not None else []) + sorted(logs)
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {error}. The '
                           f"placeholders available here are: {', '.join(available)}") from None
