"""The batch count behind ``save_freq=N``, shared by ModelCheckpoint and BackupAndRestore (callbacks/save_freq.py)."""

import os

import pytest

import glassnet as gn
from glassnet.callbacks.save_freq import should_save_on_batch


def saves(callback, batches_per_epoch, epochs, end_epoch=lambda: None):
    """The global batch numbers (from 1) after which ``callback`` decides to save."""
    saved, step = [], 0
    for _ in range(epochs):
        for batch in range(batches_per_epoch):
            step += 1
            if callback._should_save_on_batch(batch):
                saved.append(step)
        end_epoch()
    return saved


def checkpoint(tmp_path, save_freq):
    return gn.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), save_freq=save_freq)


def backup(tmp_path, save_freq):
    return gn.callbacks.BackupAndRestore(str(tmp_path / "backup"), save_freq=save_freq)


@pytest.mark.parametrize("make", [checkpoint, backup])
@pytest.mark.parametrize("batches_per_epoch, save_freq", [(10, 4), (3, 5), (4, 4), (7, 1)])
def test_every_save_freq_batches_counted_across_epochs(tmp_path, make, batches_per_epoch, save_freq):
    callback = make(tmp_path, save_freq)
    reset = (lambda: setattr(callback, "_last_batch_seen", 0)) if make is backup else (lambda: None)  # as on_epoch_end
    expected = list(range(save_freq, 3 * batches_per_epoch + 1, save_freq))
    assert saves(callback, batches_per_epoch, 3, reset) == expected


def test_both_callbacks_share_the_one_function():
    assert gn.callbacks.ModelCheckpoint._should_save_on_batch is should_save_on_batch
    assert gn.callbacks.BackupAndRestore._should_save_on_batch is should_save_on_batch


@pytest.mark.parametrize("make, save_freq", [(checkpoint, "epoch"), (backup, "epoch"), (backup, False)])
def test_epoch_or_false_never_saves_on_a_batch(tmp_path, make, save_freq):
    callback = make(tmp_path, save_freq)
    assert saves(callback, 5, 2) == []


def test_the_count_matches_keras_model_checkpoint(tmp_path):
    os.environ["KERAS_BACKEND"] = "torch"
    keras = pytest.importorskip("keras")
    theirs = keras.callbacks.ModelCheckpoint(str(tmp_path / "k.keras"), save_freq=3)
    ours = checkpoint(tmp_path, 3)
    sequence = [0, 1, 2, 3, 0, 1, 0, 1, 2, 3, 4, 5, 0, 2, 5]  # epochs of 4, 2, 6 batches, then skipped numbers
    assert [ours._should_save_on_batch(b) for b in sequence] == [theirs._should_save_on_batch(b) for b in sequence]
