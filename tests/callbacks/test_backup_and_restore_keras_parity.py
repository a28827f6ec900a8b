"""BackupAndRestore against the installed Keras 3: same backups at the same steps, same resumed epochs."""

import json
import os

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"  # before keras is imported

import glassnet as gn  # noqa: E402
from _callback_helpers import small_data, small_model  # noqa: E402

k = pytest.importorskip("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def keras_model():
    model = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(5, activation="relu"),
                          k.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def interrupter(module, at_epoch):
    class Interrupt(module.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == at_epoch:
                raise RuntimeError("interrupted")

    return Interrupt()


def recorded_backups(module, monkeypatch, folder):
    """Patch ``module``'s BackupAndRestore to record (epoch, batch) of each backup it writes."""
    cls = module.callbacks.BackupAndRestore
    real_save, records = cls._save_model, []

    def save(self):
        real_save(self)
        with open(os.path.join(folder, "training_metadata.json")) as handle:
            meta = json.load(handle)
        records.append((meta["epoch"], meta["batch"]))

    monkeypatch.setattr(cls, "_save_model", save)
    return records


@pytest.mark.parametrize("save_freq", ["epoch", 1, 4, 7])
def test_backups_and_resumed_epochs_match_keras(tmp_path, monkeypatch, save_freq):
    x, y = small_data(44)  # batch 8: six steps an epoch, the last one short
    results = {}
    for side, module, make in (("ours", gn, small_model), ("theirs", k, keras_model)):
        folder = str(tmp_path / side)
        records = recorded_backups(module, monkeypatch, folder)
        with pytest.raises(RuntimeError, match="interrupted"):
            make().fit(x, y, epochs=5, batch_size=8, verbose=0, callbacks=[
                module.callbacks.BackupAndRestore(folder, save_freq=save_freq), interrupter(module, 3)])
        monkeypatch.undo()
        history = make().fit(x, y, epochs=5, batch_size=8, verbose=0,
                             callbacks=[module.callbacks.BackupAndRestore(folder, save_freq=save_freq)])
        results[side] = (records, history.epoch, os.path.exists(folder))
    assert results["ours"] == results["theirs"]


def test_restores_a_backup_written_by_keras(tmp_path):
    x, y = small_data(40)
    folder = str(tmp_path / "backup")
    theirs = keras_model()
    with pytest.raises(RuntimeError):
        theirs.fit(x, y, epochs=4, batch_size=8, verbose=0,
                   callbacks=[k.callbacks.BackupAndRestore(folder), interrupter(k, 2)])
    assert sorted(os.listdir(folder)) == ["latest.weights.h5", "training_metadata.json"]  # Keras' own layout

    class Snapshot(gn.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.weights = self.model.get_weights()
            self.iterations = self.model.optimizer.iterations

    ours, snapshot = small_model(optimizer="adam"), Snapshot()
    history = ours.fit(x, y, epochs=4, batch_size=8, verbose=0,
                       callbacks=[gn.callbacks.BackupAndRestore(folder), snapshot])
    assert history.epoch == [2, 3]
    assert snapshot.iterations == 10
    for restored, saved in zip(snapshot.weights, theirs.get_weights()):
        np.testing.assert_array_equal(restored, saved)
