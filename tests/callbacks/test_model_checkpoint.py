"""ModelCheckpoint: file name templates, suffixes, best-only decisions, weights-only files, batch frequencies."""

import os

import numpy as np
import pytest

import glassnet as gn
from _callback_helpers import ScriptedLogs, drive, small_data, small_model
from glassnet.callbacks import ModelCheckpoint


def fit(model, callbacks, epochs=3, **kwargs):
    x, y = small_data(40)
    kwargs.setdefault("validation_split", 0.25)
    return model.fit(x, y, epochs=epochs, batch_size=8, verbose=0, callbacks=callbacks, **kwargs)


def test_exported_like_keras():
    assert gn.callbacks.ModelCheckpoint is ModelCheckpoint
    checkpoint = ModelCheckpoint("model.keras")
    assert (checkpoint.monitor, checkpoint.verbose, checkpoint.save_best_only, checkpoint.save_weights_only,
            checkpoint.mode, checkpoint.save_freq, checkpoint.best) == ("val_loss", 0, False, False, "auto", "epoch",
                                                                        None)


def test_template_is_filled_with_epoch_from_one_and_the_logs(tmp_path):
    model = small_model()
    history = fit(model, [ModelCheckpoint(str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.2f}.keras"))])
    expected = [f"ckpt-{e + 1:02d}-{v:.2f}.keras" for e, v in enumerate(history.history["val_loss"])]
    assert sorted(os.listdir(tmp_path)) == sorted(expected)


def test_training_metrics_and_pathlike_in_the_template(tmp_path):
    model = small_model()
    history = fit(model, [ModelCheckpoint(tmp_path / "sub" / "{epoch}_{accuracy:.3f}_{loss:.4f}.weights.h5",
                                          save_weights_only=True)], epochs=2)
    expected = [f"{e + 1}_{a:.3f}_{loss:.4f}.weights.h5"
                for e, (a, loss) in enumerate(zip(history.history["accuracy"], history.history["loss"]))]
    assert sorted(os.listdir(tmp_path / "sub")) == sorted(expected)  # the folder is created


def test_a_placeholder_missing_from_the_logs_names_what_is_available(tmp_path):
    model = small_model()
    message = r"Failed to format this callback filepath.*val_acc.*available here are: epoch, accuracy, loss"
    with pytest.raises(KeyError, match=message):
        fit(model, [ModelCheckpoint(str(tmp_path / "{epoch}-{val_acc}.keras"))], validation_split=0.0)


def test_without_placeholders_the_file_is_overwritten_each_epoch(tmp_path):
    model = small_model()
    scripted = ScriptedLogs()
    fit(model, [scripted, ModelCheckpoint(str(tmp_path / "last.keras"))])
    assert os.listdir(tmp_path) == ["last.keras"]
    loaded = gn.models.load_model(tmp_path / "last.keras")
    for saved, final in zip(loaded.get_weights(), scripted.weights[-1]):
        np.testing.assert_array_equal(saved, final)


# --- suffixes: as Keras 3, the name says what is written --------------------------------------------------------------
@pytest.mark.parametrize("path,weights_only,message", [
    ("model.hdf5", False, r"must end in `\.keras`.*`\.h5` for Keras' legacy HDF5"),
    ("model", False, r"must end in `\.keras`.*`\.weights\.h5` with save_weights_only=True"),
    ("model.weights.h5", False, r"must end in `\.keras`.*pass save_weights_only=True"),
    ("model.keras", True, r"must end in `\.weights\.h5`.*save_weights_only=False"),
    ("model.h5", True, r"must end in `\.weights\.h5`"),
    ("{epoch}.ckpt", True, r"must end in `\.weights\.h5`"),
])
def test_wrong_suffix_is_refused_at_once_naming_the_expected_one(path, weights_only, message):
    with pytest.raises(ValueError, match=message):
        ModelCheckpoint(path, save_weights_only=weights_only)


@pytest.mark.parametrize("save_freq", ["batch", 0, -3, 2.5, True, None])
def test_bad_save_freq(save_freq):
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        ModelCheckpoint("m.keras", save_freq=save_freq)


def test_a_folder_as_filepath_is_a_clear_error(tmp_path):
    (tmp_path / "taken.keras").mkdir()
    with pytest.raises(IOError, match="non-directory filepath"):
        fit(small_model(), [ModelCheckpoint(str(tmp_path / "taken.keras"))], epochs=1)


# --- what is written ------------------------------------------------------------------------------------------
def test_weights_only_files_hold_each_epochs_weights(tmp_path):
    model = small_model()
    scripted = ScriptedLogs()
    fit(model, [scripted, ModelCheckpoint(str(tmp_path / "w-{epoch}.weights.h5"), save_weights_only=True)])
    assert sorted(os.listdir(tmp_path)) == ["w-1.weights.h5", "w-2.weights.h5", "w-3.weights.h5"]
    fresh = small_model()
    for epoch, weights in enumerate(scripted.weights):
        fresh.load_weights(tmp_path / f"w-{epoch + 1}.weights.h5")
        for loaded, expected in zip(fresh.get_weights(), weights):
            np.testing.assert_array_equal(loaded, expected)


def test_full_model_files_reload_with_optimizer_state(tmp_path):
    model = small_model(optimizer="adam")
    fit(model, [ModelCheckpoint(str(tmp_path / "m-{epoch}.keras"))], epochs=2)
    loaded = gn.models.load_model(tmp_path / "m-2.keras")
    x, _ = small_data(10, seed=5)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.optimizer.iterations == model.optimizer.iterations == 8


def test_save_best_only_writes_only_improvements(tmp_path):
    model = small_model()
    scripted = ScriptedLogs(val_loss=[0.9, 0.7, 0.8, 0.7, 0.5])
    fit(model, [scripted, ModelCheckpoint(str(tmp_path / "best-{epoch}.weights.h5"), save_weights_only=True,
                                          save_best_only=True)], epochs=5)
    assert sorted(os.listdir(tmp_path)) == ["best-1.weights.h5", "best-2.weights.h5", "best-5.weights.h5"]


def test_save_best_only_keeps_the_best_model_in_one_file(tmp_path):
    model = small_model()
    scripted = ScriptedLogs(val_accuracy=[0.5, 0.8, 0.6, 0.7])
    checkpoint = ModelCheckpoint(str(tmp_path / "best.keras"), monitor="val_accuracy", save_best_only=True)
    fit(model, [scripted, checkpoint], epochs=4)
    assert checkpoint.best == 0.8
    loaded = gn.models.load_model(tmp_path / "best.keras")
    for saved, best in zip(loaded.get_weights(), scripted.weights[1]):
        np.testing.assert_array_equal(saved, best)


def test_initial_value_threshold_must_be_beaten(tmp_path):
    model = small_model()
    scripted = ScriptedLogs(val_loss=[0.9, 0.6, 0.4])
    checkpoint = ModelCheckpoint(str(tmp_path / "{epoch}.keras"), save_best_only=True, initial_value_threshold=0.5)
    fit(model, [scripted, checkpoint])
    assert os.listdir(tmp_path) == ["3.keras"]


def test_missing_monitor_warns_and_saves(tmp_path):
    model = small_model()
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
        fit(model, [ModelCheckpoint(str(tmp_path / "{epoch}.keras"), save_best_only=True)], epochs=2,
            validation_split=0.0)
    assert sorted(os.listdir(tmp_path)) == ["1.keras", "2.keras"]


def test_verbose_says_what_was_decided_and_written(tmp_path, capsys):
    model = small_model()
    scripted = ScriptedLogs(val_loss=[0.5, 0.6])
    fit(model, [scripted, ModelCheckpoint(str(tmp_path / "b.keras"), save_best_only=True, verbose=1)], epochs=2)
    out = capsys.readouterr().out
    path = str(tmp_path / "b.keras")
    assert f"Epoch 1: val_loss improved from None to 0.50000, saving model to {path}" in out
    assert f"Epoch 1: finished saving model to {path}" in out
    assert "Epoch 2: val_loss did not improve from 0.50000" in out
    fit(model, [ModelCheckpoint(str(tmp_path / "w.weights.h5"), save_weights_only=True, verbose=1)], epochs=1)
    assert f"Epoch 1: saving model to {tmp_path / 'w.weights.h5'}" in capsys.readouterr().out


# --- every N batches -------------------------------------------------------------------------------------------------
def test_integer_save_freq_counts_batches_across_epochs(tmp_path):
    model = small_model()
    # 40 samples, batch 8, no validation: 5 steps an epoch, 15 in all; a save after steps 3, 6, 9, 12, 15
    fit(model, [ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.weights.h5"), save_weights_only=True,
                                save_freq=3)], validation_split=0.0)
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["e1-b3.weights.h5", "e2-b1.weights.h5", "e2-b4.weights.h5", "e3-b2.weights.h5", "e3-b5.weights.h5"])


def test_integer_save_freq_with_best_only_on_the_batch_loss(tmp_path):
    model = small_model(optimizer=gn.optimizers.SGD(0.5))
    checkpoint = ModelCheckpoint(str(tmp_path / "{epoch}-{batch}.keras"), monitor="loss", save_best_only=True,
                                 save_freq=1)
    fit(model, [checkpoint], validation_split=0.0, epochs=2)
    assert 1 <= len(os.listdir(tmp_path)) <= 10
    assert checkpoint.monitor_op is not None and checkpoint.best is not None


def test_best_only_in_max_mode_driven_hook_by_hook(tmp_path):
    model = small_model()
    x, y = small_data(8)
    model.evaluate(x, y, verbose=0)
    checkpoint = ModelCheckpoint(str(tmp_path / "{epoch}.weights.h5"), save_weights_only=True, save_best_only=True,
                                 mode="max", monitor="val_accuracy")
    drive(checkpoint, model, {"val_accuracy": [0.1, 0.3, 0.2, 0.3, 0.4]})
    assert sorted(os.listdir(tmp_path)) == ["1.weights.h5", "2.weights.h5", "5.weights.h5"]
