"""BackupAndRestore: an interrupted fit resumes from its last backup with the result of an uninterrupted run."""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from _backup_helpers import EPOCHS, Interrupt, build, data, train
from glassnet.callbacks import BackupAndRestore
from glassnet.callbacks import backup_and_restore as backup_module

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def reference():
    """The uninterrupted run: final weights and history."""
    model, history = train()
    return model.get_weights(), history.history


def assert_same_weights(weights, expected):
    assert len(weights) == len(expected)
    for got, want in zip(weights, expected):
        assert np.array_equal(got, want)


def assert_resumed_like(reference, model, history, from_epoch=2):
    """Same final weights, bit for bit, and the epochs run after the backup logged exactly as the reference's."""
    weights, logs = reference
    assert_same_weights(model.get_weights(), weights)
    assert history.epoch == list(range(from_epoch, EPOCHS))
    assert history.history == {key: values[from_epoch:] for key, values in logs.items()}


def interrupted_run(folder, **kwargs):
    """Train with a backup in ``folder`` and crash at the start of epoch 3; returns the first run's history."""
    backup = BackupAndRestore(folder, **kwargs)
    with pytest.raises(RuntimeError, match="interrupted"):
        train([backup, Interrupt(2)])
    return backup.model.history


def metadata(folder):
    with open(os.path.join(folder, "training_metadata.json")) as handle:
        return json.load(handle)


# --- the key requirement ----------------------------------------------------------------------------------------------
def test_resume_after_a_crash_matches_the_uninterrupted_run(reference, tmp_path):
    folder = str(tmp_path / "backup")
    first = interrupted_run(folder)
    assert first.history == {key: values[:2] for key, values in reference[1].items()}
    assert metadata(folder)["epoch"] == 2

    model, history = train([BackupAndRestore(folder)])  # a fresh model, same seed, same construction
    assert_resumed_like(reference, model, history)
    assert not os.path.exists(folder)  # deleted once training finished


def test_resume_in_a_new_process_after_sigkill_matches_the_uninterrupted_run(tmp_path):
    script, folder, out = os.path.join(HERE, "_backup_helpers.py"), str(tmp_path / "backup"), str(tmp_path / "run")

    def run(mode):
        return subprocess.run([sys.executable, script, mode, folder, f"{out}-{mode}"], capture_output=True, text=True,
                              timeout=300)

    plain = run("plain")
    assert plain.returncode == 0, plain.stderr
    killed = run("kill")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not os.path.exists(f"{out}-kill.npz")
    assert metadata(folder)["epoch"] == 2  # killed during epoch 3, after the backup of epoch 2
    resumed = run("resume")
    assert resumed.returncode == 0, resumed.stderr

    with np.load(f"{out}-plain.npz", allow_pickle=False) as a, np.load(f"{out}-resume.npz", allow_pickle=False) as b:
        assert a.files == b.files
        for name in a.files:
            assert np.array_equal(a[name], b[name])
    with open(f"{out}-plain.json") as one, open(f"{out}-resume.json") as two:
        plain_log, resumed_log = json.load(one), json.load(two)
    assert resumed_log["epoch"] == [2, 3]
    assert resumed_log["history"] == {key: values[2:] for key, values in plain_log["history"].items()}
    assert not os.path.exists(folder)


def test_the_random_state_is_what_makes_it_identical(reference, tmp_path, monkeypatch):
    folder = str(tmp_path / "backup")
    interrupted_run(folder)
    monkeypatch.setattr(backup_module, "_random_plan", lambda model, state: (lambda: None))
    model, _ = train([BackupAndRestore(folder)])
    assert not all(np.array_equal(a, b) for a, b in zip(model.get_weights(), reference[0]))


def test_ctrl_c_keeps_the_backup_and_the_next_fit_resumes(reference, tmp_path, capsys):
    class CtrlC(gn.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.model.optimizer.iterations == 15:  # epoch 3 (6 steps an epoch), third step
                os.kill(os.getpid(), signal.SIGINT)

    folder = str(tmp_path / "backup")
    _, history = train([BackupAndRestore(folder), CtrlC()])
    assert "Training interrupted (Ctrl-C) during epoch 3" in capsys.readouterr().out
    assert history.epoch == [0, 1]
    assert metadata(folder)["epoch"] == 2  # not deleted: training did not finish
    model, history = train([BackupAndRestore(folder)])
    assert_resumed_like(reference, model, history)


def test_exact_learning_rate_comes_back(tmp_path):
    class SetRate(gn.callbacks.Callback):  # changes the rate once, at the end of epoch 2: only the backup has it
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.optimizer.learning_rate = 3e-4  # not a float32 value

    expected, logs = train([SetRate()])
    folder = str(tmp_path / "backup")
    with pytest.raises(RuntimeError):
        train([SetRate(), BackupAndRestore(folder), Interrupt(2)])  # the rate changes before the backup
    model, history = train([SetRate(), BackupAndRestore(folder)])
    assert model.optimizer.learning_rate == 3e-4
    assert_resumed_like((expected.get_weights(), logs.history), model, history)


# --- what is on disk --------------------------------------------------------------------------------------------------
def test_backup_is_json_and_a_weights_file(tmp_path):
    folder = str(tmp_path / "backup")
    interrupted_run(folder)
    found = sorted(os.listdir(folder))
    assert found == ["backup-000002.weights.h5", "training_metadata.json"]
    meta = metadata(folder)
    assert (meta["epoch"], meta["batch"], meta["weights"]) == (2, 0, "backup-000002.weights.h5")
    assert set(meta["random"]) == {"global", "layers", "numpy", "python"}
    assert [entry["key"] for entry in meta["random"]["layers"]] == ["Sequential/4:Dropout._seed_generator"]
    model = build()
    model.load_weights(os.path.join(folder, meta["weights"]))  # an ordinary Keras 3 weights file
    assert model.optimizer.iterations == 12


def test_delete_checkpoint_false_keeps_the_final_backup(tmp_path):
    folder = str(tmp_path / "backup")
    backup = BackupAndRestore(folder, delete_checkpoint=False)
    model, history = train([backup])
    assert metadata(folder)["epoch"] == EPOCHS
    assert sorted(os.listdir(folder)) == ["backup-000004.weights.h5", "training_metadata.json"]
    again, history = train([backup])  # everything is done: no epoch runs, the final weights are restored
    assert history.epoch == []
    assert_same_weights(again.get_weights(), model.get_weights())


def test_a_later_fit_without_a_backup_starts_at_its_own_initial_epoch(tmp_path):
    folder = str(tmp_path / "backup")
    interrupted_run(folder)
    model, _ = train([BackupAndRestore(folder)])
    x, y = data()
    assert model.fit(x, y, epochs=2, verbose=0).epoch == [0, 1]  # the restored epoch does not stick to the model


# --- failures leave the previous backup usable ----------------------------------------------------------------------
def test_a_failed_weights_save_keeps_the_previous_backup(reference, tmp_path, monkeypatch):
    from glassnet.saving import weights_h5

    folder = str(tmp_path / "backup")
    real_write = weights_h5.write_weights

    def failing_write(handle, model, include_optimizer=True):
        if model.optimizer.iterations == 18:  # the save at the end of epoch 3
            handle.create_group("layers")  # half written, then the disk fills up
            raise OSError("No space left on device")
        real_write(handle, model, include_optimizer)

    monkeypatch.setattr(weights_h5, "write_weights", failing_write)
    with pytest.raises(OSError, match="No space left"):
        train([BackupAndRestore(folder)])
    monkeypatch.undo()
    assert sorted(os.listdir(folder)) == ["backup-000002.weights.h5", "training_metadata.json"]  # no leftovers
    model, history = train([BackupAndRestore(folder)])
    assert_resumed_like(reference, model, history)


def test_a_save_killed_before_its_commit_keeps_the_previous_backup(reference, tmp_path, monkeypatch):
    folder = str(tmp_path / "backup")
    real_write_json = backup_module._write_json
    calls = []

    def dies_at_third_commit(path, payload):
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt  # killed between the new weights file and the metadata naming it
        real_write_json(path, payload)

    monkeypatch.setattr(backup_module, "_write_json", dies_at_third_commit)
    with pytest.raises(KeyboardInterrupt):
        train([BackupAndRestore(folder)])
    monkeypatch.undo()
    # what a SIGKILL during a save can leave: an uncommitted weights file and temporary files
    with open(os.path.join(folder, ".training_metadata.json.x1y2.tmp"), "w") as handle:
        handle.write('{"epoch": 9')
    with open(os.path.join(folder, ".backup-000004.weights.h5.x1y2.tmp"), "wb") as handle:
        handle.write(b"\x89HDF partial")
    assert metadata(folder)["epoch"] == 2
    assert "backup-000003.weights.h5" in os.listdir(folder)  # written, never committed

    model, history = train([BackupAndRestore(folder, delete_checkpoint=False)])
    assert_resumed_like(reference, model, history)
    assert sorted(os.listdir(folder)) == ["backup-000005.weights.h5", "training_metadata.json"]  # cleaned up


def test_double_checkpoint_falls_back_to_the_previous_backup(reference, tmp_path):
    folder = str(tmp_path / "backup")
    interrupted_run(folder, double_checkpoint=True)
    assert sorted(os.listdir(folder)) == ["backup-000001.weights.h5", "backup-000002.weights.h5",
                                          "training_metadata.json", "training_metadata.json.bkp"]
    with open(os.path.join(folder, "backup-000002.weights.h5"), "r+b") as handle:  # the latest is damaged
        handle.write(b"garbage!" * 64)
    with pytest.warns(UserWarning, match="latest backup .* cannot be read .* restoring the previous one"):
        model, history = train([BackupAndRestore(folder, double_checkpoint=True)])
    assert_resumed_like(reference, model, history, from_epoch=1)  # from the end of epoch 1: still bit for bit


def test_a_damaged_backup_without_a_previous_one_is_a_clear_error(tmp_path):
    folder = str(tmp_path / "backup")
    interrupted_run(folder)
    with open(os.path.join(folder, "backup-000002.weights.h5"), "r+b") as handle:
        handle.write(b"garbage!" * 64)
    with pytest.raises(ValueError, match="could not restore the backup in .*delete that folder"):
        train([BackupAndRestore(folder)])


def test_a_backup_of_another_model_is_refused_before_anything_changes(tmp_path):
    folder = str(tmp_path / "backup")
    interrupted_run(folder)
    gn.utils.set_random_seed(3)
    other = gn.Sequential([gn.Input(shape=(6,)), gn.layers.Dense(4), gn.layers.Dense(3, activation="softmax")])
    other.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = other.get_weights()
    x, y = data()
    with pytest.raises(ValueError, match="could not restore"):
        other.fit(x, y, epochs=1, verbose=0, callbacks=[BackupAndRestore(folder)])
    assert_same_weights(other.get_weights(), before)


# --- every N batches ---------------------------------------------------------------------------------------------
def test_integer_save_freq_backs_up_mid_epoch_and_resumes_that_epoch(tmp_path, monkeypatch):
    folder = str(tmp_path / "backup")
    saves = []
    real_save = BackupAndRestore._save_model

    def recording_save(self):
        real_save(self)
        saves.append((metadata(folder)["epoch"], metadata(folder)["batch"], int(self.model.optimizer.iterations)))

    monkeypatch.setattr(BackupAndRestore, "_save_model", recording_save)
    with pytest.raises(RuntimeError):
        train([BackupAndRestore(folder, save_freq=4), Interrupt(2)])
    monkeypatch.undo()
    # 6 steps an epoch: saves after steps 4, 8, 12 (epoch 0 batch 3, epoch 1 batch 1, epoch 1 batch 5)
    assert saves == [(0, 3, 4), (1, 1, 8), (1, 5, 12)]
    _, history = train([BackupAndRestore(folder, save_freq=4)])
    assert history.epoch == [1, 2, 3]  # the epoch in progress at the backup is run again, as in Keras


def test_save_freq_false_only_restores(tmp_path):
    folder = str(tmp_path / "backup")
    train([BackupAndRestore(folder, save_freq=False, delete_checkpoint=False)])
    assert not os.path.exists(folder)


# --- arguments ------------------------------------------------------------------------------------------------------
def test_arguments_are_checked():
    assert gn.callbacks.BackupAndRestore is BackupAndRestore
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        BackupAndRestore("")
    for bad in ("batch", 0, -1, 1.5, True, None):
        with pytest.raises(ValueError, match="Invalid value for argument `save_freq`"):
            BackupAndRestore("b", save_freq=bad)
    backup = BackupAndRestore("b")
    assert (backup.save_freq, backup.double_checkpoint, backup.delete_checkpoint) == ("epoch", False, True)


def test_an_unbuilt_model_cannot_be_restored(tmp_path):
    folder = str(tmp_path / "backup")
    interrupted_run(folder)
    unbuilt = gn.Sequential([gn.layers.Dense(3)])
    backup = BackupAndRestore(folder)
    backup.set_model(unbuilt)
    with pytest.raises(ValueError, match="must be built before you call `fit\\(\\)`"):
        backup.on_train_begin()
