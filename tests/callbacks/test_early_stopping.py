"""EarlyStopping: Keras 3's stopping rule, baseline, warm-up, and restoring the best weights at train end."""

import warnings

import numpy as np
import pytest
from _callback_helpers import ScriptedLogs, drive, small_data, small_model

from glassnet.callbacks import EarlyStopping


def fit_with(val_loss, epochs=None, **kwargs):
    x, y = small_data()
    model = small_model()
    script = ScriptedLogs(val_loss=val_loss)
    stopper = EarlyStopping(**kwargs)
    history = model.fit(x, y, epochs=epochs or len(val_loss), batch_size=20, verbose=0, callbacks=[script, stopper])
    return model, script, stopper, history


def test_stops_after_patience_epochs_without_improvement():
    # best at epoch 1; epochs 2, 3 do not improve -> with patience 2, stop at epoch 3
    model, _, stopper, history = fit_with([1.0, 0.5, 0.6, 0.7, 0.4, 0.3], patience=2)
    assert history.epoch == [0, 1, 2, 3]
    assert stopper.stopped_epoch == 3 and stopper.best == 0.5 and stopper.best_epoch == 1
    assert model.stop_training


def test_patience_zero_stops_at_the_first_epoch_without_improvement():
    _, _, stopper, history = fit_with([3.0, 2.0, 2.5, 1.0])
    assert history.epoch == [0, 1, 2] and stopper.stopped_epoch == 2


def test_an_equal_value_is_no_improvement():
    _, _, stopper, history = fit_with([1.0, 1.0, 1.0])
    assert history.epoch == [0, 1] and stopper.stopped_epoch == 1


def test_min_delta_small_changes_are_not_improvements():
    _, _, stopper, history = fit_with([1.0, 0.95, 0.92, 0.5], min_delta=0.1, patience=1)
    assert history.epoch == [0, 1] and stopper.best == 1.0


def test_max_mode_and_auto_mode_for_accuracy():
    for mode in ("max", "auto"):
        x, y = small_data()
        model = small_model()
        script = ScriptedLogs(val_accuracy=[0.5, 0.7, 0.6, 0.65])
        stopper = EarlyStopping(monitor="val_accuracy", mode=mode, patience=1)
        history = model.fit(x, y, epochs=4, validation_split=0.25, batch_size=10, verbose=0,
                            callbacks=[script, stopper])
        assert history.epoch == [0, 1, 2], mode
        assert stopper.best == 0.7


def test_restore_best_weights_at_train_end_even_without_stopping():
    # the best epoch is 1 and training is not stopped (patience 10): Keras 3 restores anyway
    model, script, stopper, history = fit_with([1.0, 0.2, 0.5, 0.6], patience=10, restore_best_weights=True)
    assert history.epoch == [0, 1, 2, 3] and stopper.stopped_epoch == 0
    for ours, best in zip(model.get_weights(), script.weights[1]):
        np.testing.assert_array_equal(ours, best)
    assert not all(np.array_equal(a, b) for a, b in zip(script.weights[1], script.weights[3]))


def test_restore_best_weights_after_stopping_prints_keras_messages(capsys):
    model, script, stopper, _ = fit_with([1.0, 0.2, 0.5, 0.6, 0.1], patience=2, restore_best_weights=True,
                                         verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 4: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out
    for ours, best in zip(model.get_weights(), script.weights[1]):
        np.testing.assert_array_equal(ours, best)


def test_without_restore_the_last_weights_stay():
    model, script, _, _ = fit_with([1.0, 0.2, 0.5, 0.6], patience=1)
    for ours, last in zip(model.get_weights(), script.weights[-1]):
        np.testing.assert_array_equal(ours, last)


def test_baseline_not_reached_stops_after_patience_and_restores_the_best_of_them():
    # nothing beats the baseline 0.1: the wait is never reset, so training stops once `patience` epochs
    # have passed (at the first of them that is not an improvement), restoring the best of those epochs
    model, script, stopper, history = fit_with([0.9, 0.5, 0.7, 0.3, 0.2], baseline=0.1, patience=3,
                                               restore_best_weights=True)
    assert history.epoch == [0, 1, 2]
    assert stopper.best == 0.5 and stopper.best_epoch == 1
    for ours, best in zip(model.get_weights(), script.weights[1]):
        np.testing.assert_array_equal(ours, best)


def test_baseline_beaten_resets_the_wait():
    _, _, stopper, history = fit_with([0.9, 0.4, 0.45, 0.3, 0.35, 0.36], baseline=0.5, patience=1)
    assert history.epoch == [0, 1, 2] and stopper.best == 0.4


def test_start_from_epoch_ignores_the_warm_up():
    # epochs 0-2 are ignored (even though 0.1 would be the best); monitoring starts at epoch 3
    _, _, stopper, history = fit_with([0.1, 0.9, 0.8, 0.7, 0.75, 0.8, 0.9], start_from_epoch=3, patience=1)
    assert history.epoch == [0, 1, 2, 3, 4] and stopper.best == 0.7 and stopper.best_epoch == 3


def test_missing_monitor_warns_with_the_available_keys_and_never_stops():
    x, y = small_data()
    model = small_model()
    with pytest.warns(UserWarning, match=r"Early stopping conditioned on metric `val_loss` which is not available\. "
                                         r"Available metrics are: accuracy,loss"):
        history = model.fit(x, y, epochs=3, verbose=0, callbacks=[EarlyStopping()])
    assert history.epoch == [0, 1, 2]


def test_reused_instance_starts_afresh():
    stopper = EarlyStopping(monitor="loss", patience=0)
    model = small_model()
    assert drive(stopper, model, {"loss": [1.0, 2.0]})[0] == 1
    assert stopper.stopped_epoch == 1
    assert drive(stopper, model, {"loss": [5.0, 4.0, 3.0]})[0] is None
    assert stopper.stopped_epoch == 0 and stopper.best == 3.0


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="mode 'sideways' is unknown"):
        stopper = EarlyStopping(mode="sideways")
    assert stopper.mode == "auto"


def test_auto_mode_cannot_guess_an_unknown_quantity():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="mode='max'"):
            drive(EarlyStopping(monitor="val_something"), small_model(), {"val_something": [1.0, 2.0]})


def test_defaults_match_keras():
    stopper = EarlyStopping()
    assert (stopper.monitor, stopper.min_delta, stopper.patience, stopper.verbose, stopper.mode, stopper.baseline,
            stopper.restore_best_weights, stopper.start_from_epoch) == ("val_loss", 0, 0, 0, "auto", None, False, 0)
