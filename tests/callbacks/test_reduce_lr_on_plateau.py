"""ReduceLROnPlateau: the rate drops by `factor` after `patience` flat epochs, waits `cooldown`, stops at `min_lr`."""

import pytest
from _callback_helpers import ScriptedLogs, drive, small_data, small_model

import glassnet as gn
from glassnet.callbacks import LambdaCallback, ReduceLROnPlateau


def fit_with(val_loss, learning_rate=1.0, **kwargs):
    """Fit with scripted val_loss; returns the history and the rate used by each epoch's steps."""
    x, y = small_data()
    model = small_model(optimizer=gn.optimizers.SGD(learning_rate))
    used = []
    record = LambdaCallback(on_epoch_begin=lambda epoch, logs: used.append(model.optimizer.learning_rate))
    history = model.fit(x, y, epochs=len(val_loss), batch_size=20, verbose=0,
                        callbacks=[record, ScriptedLogs(val_loss=val_loss), ReduceLROnPlateau(**kwargs)])
    return history, used


def test_reduces_after_patience_epochs_without_improvement():
    history, used = fit_with([1.0, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8], patience=2, factor=0.5)
    # epochs 2 and 3 do not improve on 0.9 -> reduced at the end of epoch 3; epochs 5, 6 -> at the end of 6
    assert used == pytest.approx([1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5])
    # the logged rate is the one in use during the epoch (logged before the reduction)
    assert history.history["learning_rate"] == pytest.approx(used)
    assert history.model.optimizer.learning_rate == pytest.approx(0.25)


def test_patience_zero_reduces_at_every_epoch_without_improvement():
    # epoch 0 sets the best; 1 and 2 do not improve (reduced after each); 3 improves; 4 does not
    _, used = fit_with([1.0, 1.0, 1.0, 0.5, 0.6, 0.6], patience=0, factor=0.1)
    assert used == pytest.approx([1.0, 1.0, 0.1, 0.01, 0.01, 0.001])


def test_cooldown_pauses_the_count_after_a_reduction():
    # reduced at the end of epoch 1; epoch 2 is in cooldown (counter 2 -> 1, nothing counted); at epoch 3 the
    # counter runs out (1 -> 0) and that epoch already counts, so with patience 1 it reduces again (Keras' rule)
    _, used = fit_with([1.0] * 7, patience=1, cooldown=2, factor=0.5)
    assert used == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125])
    _, without_cooldown = fit_with([1.0] * 7, patience=1, factor=0.5)
    assert without_cooldown == pytest.approx([1.0, 1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125])


def test_min_lr_is_a_floor():
    _, used = fit_with([1.0] * 6, patience=0, factor=0.1, min_lr=0.005)
    assert used == pytest.approx([1.0, 1.0, 0.1, 0.01, 0.005, 0.005])


def test_min_delta_small_gains_count_as_plateau():
    _, used = fit_with([1.0, 0.99, 0.98, 0.97], patience=1, factor=0.5, min_delta=0.05)
    assert used == pytest.approx([1.0, 1.0, 0.5, 0.25])


def test_max_mode_on_accuracy():
    model = small_model(optimizer=gn.optimizers.SGD(1.0))
    model.evaluate(*small_data(8), verbose=0)
    _, rates = drive(ReduceLROnPlateau(monitor="val_accuracy", patience=1, factor=0.5), model,
                     {"val_accuracy": [0.5, 0.6, 0.55, 0.7, 0.7]})
    assert rates == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.25])


def test_verbose_prints_each_reduction(capsys):
    fit_with([1.0, 1.0, 1.0], patience=1, factor=0.5, verbose=1)
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.5." in capsys.readouterr().out


def test_missing_monitor_warns_and_still_logs_the_rate():
    x, y = small_data()
    model = small_model()
    with pytest.warns(UserWarning, match=r"Learning rate reduction is conditioned on metric `val_loss` which is "
                                         r"not available\. Available metrics are: accuracy,loss,learning_rate\."):
        history = model.fit(x, y, epochs=2, verbose=0, callbacks=[ReduceLROnPlateau()])
    assert history.history["learning_rate"] == pytest.approx([0.01, 0.01])


def test_factor_of_one_or_more_is_refused():
    with pytest.raises(ValueError, match="factor >= 1.0"):
        ReduceLROnPlateau(factor=1.0)


def test_defaults_match_keras():
    callback = ReduceLROnPlateau()
    assert (callback.monitor, callback.factor, callback.patience, callback.verbose, callback.mode,
            callback.min_delta, callback.cooldown, callback.min_lr) == ("val_loss", 0.1, 10, 0, "auto", 1e-4, 0, 0.0)


def test_state_is_reset_by_each_fit():
    callback = ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5)
    model = small_model(optimizer=gn.optimizers.SGD(1.0))
    drive(callback, model, {"loss": [1.0, 1.0]})
    assert callback.best == 1.0 and model.optimizer.learning_rate == pytest.approx(0.5)
    drive(callback, model, {"loss": [5.0]})
    assert callback.best == 5.0 and callback.wait == 0
