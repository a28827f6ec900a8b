"""BackupAndRestore: a run killed midway resumes from its last backup, as if it had never stopped.

At each epoch end (or every ``save_freq`` batches) the callback writes into
``backup_dir``:

- ``backup-NNNNNN.weights.h5``: the weights and the optimizer state
  (``model.save_weights``, Keras 3's format);
- ``training_metadata.json``: the progress (``epoch`` to resume at and
  ``batch``, as in Keras), the name of that weights file, the exact learning
  rate, and the random state -- glassnet's global generator (shuffling,
  dropout), the private generators of layers given a ``seed``, NumPy's
  legacy global state and Python's ``random`` -- so the resumed epochs draw
  the same numbers as an uninterrupted run would.

Nothing is pickled: the state that is not an array is JSON. Each file is
written under a temporary name and renamed, and the metadata, written last,
is what names the weights file: a save killed at any point leaves the
previous backup whole (a weights file is deleted only once no metadata
names it). With ``double_checkpoint=True`` the previous backup is kept too
(``training_metadata.json.bkp``) and used when the latest cannot be read.

When ``fit`` starts and a backup exists, it is restored and ``fit`` goes on
from the epoch after the backed-up one (the callback sets the model's
``_initial_epoch``, which ``fit`` reads after ``on_train_begin``, as in
Keras 3). With a backup taken at an epoch end, the resumed run ends with the
same weights and the same epoch logs, bit for bit, as a run never
interrupted. When training ends normally the folder is deleted
(``delete_checkpoint=True``); it is kept when ``fit`` is stopped by Ctrl-C
or an error.
"""

import os
import random as python_random
import warnings

import numpy as np

from glassnet import random as glassnet_random
from glassnet.callbacks.callback import Callback
from glassnet.callbacks.save_freq import should_save_on_batch
from glassnet.saving.atomic import atomic_path

_FORMAT = "glassnet.BackupAndRestore"
_KERAS_WEIGHTS = "latest.weights.h5"  # the weights file of a backup written by Keras (no "weights" entry)


# --- random state as JSON ----------------------------------------------------------------------------------------
def _to_json(value):
    """NumPy bit-generator state (dicts, ints, uint arrays) as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return {"__ndarray__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _from_json(value):
    if isinstance(value, dict):
        if "__ndarray__" in value:
            dtype = np.dtype(value["dtype"])
            if dtype.kind not in "iu":
                raise ValueError(f"unexpected array type {dtype} in a random state")
            return np.asarray(value["__ndarray__"], dtype=dtype)
        return {k: _from_json(v) for k, v in value.items()}
    return value


def _private_generators(model):
    """[(key, numpy Generator)]: the generators layers own (given a ``seed``), in a fixed walk order.

    The key names each layer by its position and class, not its name (auto-generated names differ between
    two processes that build the same model).
    """
    from glassnet.layers.layer import Layer

    found, seen = [], set()

    def visit(layer, path):
        if id(layer) in seen:
            return
        seen.add(id(layer))
        for attribute, value in vars(layer).items():
            generator = None
            if isinstance(value, glassnet_random.SeedGenerator):
                generator = value._generator
            elif isinstance(value, np.random.Generator):
                generator = value
            if generator is not None and generator is not glassnet_random.global_generator():
                found.append((f"{path}.{attribute}", generator))
        for index, child in enumerate(getattr(layer, "_layers", [])):
            if isinstance(child, Layer):
                visit(child, f"{path}/{index}:{type(child).__name__}")

    visit(model, type(model).__name__)
    return found


def random_state(model):
    """Every random state that training draws from, as JSON values."""
    version, internal, gauss = python_random.getstate()
    return {
        "global": _to_json(glassnet_random.global_generator().bit_generator.state),
        "layers": [{"key": key, "state": _to_json(g.bit_generator.state)} for key, g in _private_generators(model)],
        "numpy": _to_json(np.random.get_state(legacy=False)),
        "python": [version, list(internal), gauss],
    }


def _random_plan(model, state):
    """Check a saved random state against this model; return a function that applies it (nothing changes yet)."""
    def checked(generator, saved):
        saved = _from_json(saved)
        type(generator.bit_generator)().state = saved  # raises on a state of another kind, before anything changes
        return saved

    global_state = checked(glassnet_random.global_generator(), state["global"])
    generators = _private_generators(model)
    saved_layers = state.get("layers", [])
    ours, theirs = [key for key, _ in generators], [entry["key"] for entry in saved_layers]
    if ours != theirs:
        raise ValueError(f"the backup holds the random state of layers {theirs}, this model has {ours}: was the "
                         "backup written by another model?")
    layer_states = [checked(g, entry["state"]) for (_, g), entry in zip(generators, saved_layers)]
    numpy_state = _from_json(state["numpy"])
    np.random.RandomState().set_state(numpy_state)
    version, internal, gauss = state["python"]
    python_state = (version, tuple(internal), gauss)
    python_random.Random().setstate(python_state)

    def apply():
        glassnet_random.global_generator().bit_generator.state = global_state
        for (_, generator), saved in zip(generators, layer_states):
            generator.bit_generator.state = saved
        np.random.set_state(numpy_state)
        python_random.setstate(python_state)

    return apply


# --- files -----------------------------------------------------------------------------------------------------
def _write_json(path, data):
    """Write ``data`` to ``path`` through a temporary file renamed over it (flushed to disk first)."""
    import json

    text = json.dumps(data, indent=1, allow_nan=False)
    with atomic_path(path) as temporary:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())


def _flush_to_disk(path):
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _read_json(path):
    import json

    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict) or not isinstance(data.get("epoch"), int) or isinstance(data["epoch"], bool) \
            or data["epoch"] < 0:
        raise ValueError(f"{path} is not a BackupAndRestore metadata file (no non-negative integer 'epoch')")
    return data


class BackupAndRestore(Callback):
    """Back up the training state and resume an interrupted ``fit`` from it (``keras.callbacks.BackupAndRestore``).

    Args:
        backup_dir: the folder for the backup; used by this callback only (it is deleted at the end).
        save_freq: ``"epoch"`` (at each epoch end), an integer (every that many batches), or ``False`` (never
            write, only restore).
        double_checkpoint: keep the previous backup too, and fall back to it when the latest cannot be read.
        delete_checkpoint: delete ``backup_dir`` once training ends normally.

    Example:
        >>> backup = BackupAndRestore(backup_dir="run/backup")
        >>> # model.fit(x, y, epochs=10, callbacks=[backup])   # killed during epoch 6
        >>> # model.fit(x, y, epochs=10, callbacks=[backup])   # runs epochs 6 to 10 only
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq is not False and save_freq != "epoch" and (
                isinstance(save_freq, bool) or not isinstance(save_freq, (int, np.integer)) or save_freq < 1):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: save_freq={save_freq!r}. Expected "
                             "either 'epoch' or an integer value (a number of batches, at least 1)")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_training_metadata_path = f"{self._training_metadata_path}.bkp"
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        self._committed = None  # the metadata of the backup on disk that this run wrote or restored
        self._serial = 0

    # --- restoring ---------------------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        self._committed = None
        if not os.path.exists(self._training_metadata_path) and not os.path.exists(self._prev_training_metadata_path):
            return
        try:
            self._load_model(self._training_metadata_path)
        except (OSError, ValueError, KeyError, TypeError) as error:
            if not os.path.exists(self._prev_training_metadata_path):
                raise self._restore_error(error) from error
            warnings.warn(f"BackupAndRestore: the latest backup in '{self.backup_dir}' cannot be read ({error}); "
                          "restoring the previous one.", stacklevel=2)
            try:
                self._load_model(self._prev_training_metadata_path)
            except (OSError, ValueError, KeyError, TypeError) as second:
                raise self._restore_error(second) from second

    def _restore_error(self, error):
        return ValueError(f"BackupAndRestore could not restore the backup in '{self.backup_dir}': {error}. If the "
                          "model or its compile arguments changed since the backup was written, delete that folder "
                          "to start training over.")

    def _load_model(self, metadata_path):
        """Restore the weights, optimizer state and random state named by ``metadata_path``; set the epoch."""
        if not self.model.built:
            raise ValueError(
                "To use the BackupAndRestore callback, you model must be built before you call `fit()`. "
                f"Model {self.model.name} is unbuilt. You can build it beforehand by calling it on a batch of data.")
        metadata = _read_json(metadata_path)
        if metadata.get("format", _FORMAT) != _FORMAT:
            raise ValueError(f"{metadata_path} was not written by BackupAndRestore")
        weights = metadata.get("weights", _KERAS_WEIGHTS)
        if not isinstance(weights, str) or os.path.basename(weights) != weights:
            raise ValueError(f"{metadata_path} names an invalid weights file {weights!r}")
        apply_random = _random_plan(self.model, metadata["random"]) if "random" in metadata else None
        weights_path = os.path.join(self.backup_dir, weights)
        if not os.path.exists(weights_path):
            raise FileNotFoundError(f"the backup's weights file {weights_path} is missing")
        self.model.load_weights(weights_path)  # checks every array before assigning any
        self._restore_learning_rate(metadata.get("learning_rate"))
        if apply_random is not None:
            apply_random()
        self._committed = metadata
        self._serial = max(self._serial, int(metadata.get("serial", 0)))
        self._current_epoch = metadata["epoch"]
        self.model._initial_epoch = metadata["epoch"]

    def _restore_learning_rate(self, rate):
        """Put back the exact rate (the weights file holds it in float32 only), if it agrees with the file's."""
        optimizer = getattr(self.model, "optimizer", None)
        if not isinstance(rate, float) or optimizer is None or optimizer.learning_rate_schedule is not None \
                or callable(getattr(optimizer, "_learning_rate", None)):
            return
        if np.float32(rate) == np.float32(optimizer.learning_rate):
            optimizer.learning_rate = rate

    # --- saving -----------------------------------------------------------------------------------------------------
    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model()

    _should_save_on_batch = should_save_on_batch  # counts batches towards save_freq (callbacks/save_freq.py)

    def _weights_name(self, serial):
        return f"backup-{serial:06d}.weights.h5"

    def _save_model(self):
        """Write a new weights file, then the metadata naming it (the commit), then delete what nothing names."""
        os.makedirs(self.backup_dir, exist_ok=True)
        serial = self._serial + 1
        while os.path.exists(os.path.join(self.backup_dir, self._weights_name(serial))):
            serial += 1
        weights = self._weights_name(serial)
        optimizer = getattr(self.model, "optimizer", None)
        rate = getattr(optimizer, "_learning_rate", None)
        metadata = {
            "format": _FORMAT,
            "epoch": self._current_epoch,
            "batch": self._last_batch_seen,
            "serial": serial,
            "weights": weights,
            "learning_rate": float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None,
            "random": random_state(self.model),
        }
        weights_path = os.path.join(self.backup_dir, weights)
        self.model.save_weights(weights_path, overwrite=True)
        _flush_to_disk(weights_path)  # on disk before any metadata names it
        if self.double_checkpoint and self._committed is not None:
            _write_json(self._prev_training_metadata_path, self._committed)
        _write_json(self._training_metadata_path, metadata)
        self._committed, self._serial = metadata, serial
        self._remove_unused_files()

    def _remove_unused_files(self):
        """Delete weights files no metadata names, and temporary files left by a killed save."""
        import fnmatch

        keep = set()
        for path in (self._training_metadata_path, self._prev_training_metadata_path):
            try:
                keep.add(_read_json(path).get("weights", _KERAS_WEIGHTS))
            except (OSError, ValueError):
                pass
        patterns = ("backup-*.weights.h5", ".backup-*.weights.h5.*.tmp", ".training_metadata.json.*.tmp")
        for name in os.listdir(self.backup_dir):
            if name not in keep and any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
                try:
                    os.remove(os.path.join(self.backup_dir, name))
                except OSError:
                    pass

    # --- the end ----------------------------------------------------------------------------------------------------
    def on_train_end(self, logs=None):
        import shutil

        if getattr(self.model, "_fit_interrupted", False):
            return  # stopped by Ctrl-C: keep the backup to resume from
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
