"""MonitorCallback's shared warning for a monitored value the logs lack (EarlyStopping, ReduceLROnPlateau,
ModelCheckpoint with save_best_only)."""

import os
import warnings

import pytest
from _callback_helpers import small_data, small_model

from glassnet.callbacks import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau

CASES = [
    (lambda tmp: EarlyStopping(monitor="val_auc", mode="max"),
     "Early stopping conditioned on metric `val_auc` which is not available.", "early_stopping.py"),
    (lambda tmp: ReduceLROnPlateau(monitor="val_auc", mode="max"),
     "Learning rate reduction is conditioned on metric `val_auc` which is not available.", "callback_list.py"),
    (lambda tmp: ModelCheckpoint(str(tmp / "best.keras"), monitor="val_auc", mode="max", save_best_only=True),
     "Can save best model only with val_auc available.", "model_checkpoint.py"),
]


@pytest.mark.parametrize("make, sentence, warned_from", CASES)
def test_a_missing_monitor_warns_once_an_epoch_naming_it_and_the_logs_there_are(tmp_path, make, sentence,
                                                                               warned_from):
    x, y = small_data()
    model = small_model()
    callback = make(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, y, epochs=2, verbose=0, callbacks=[callback])
    messages = [w for w in caught if "val_auc" in str(w.message)]
    assert len(messages) == 2
    keys = ["accuracy", "loss"] + (["learning_rate"] if isinstance(callback, ReduceLROnPlateau) else [])
    assert str(messages[0].message) == f"{sentence} Available metrics are: {','.join(keys)}."
    assert os.path.basename(messages[0].filename) == warned_from  # the callback or the loop, not the helper


def test_a_present_monitor_does_not_warn():
    stopper = EarlyStopping(monitor="loss")
    stopper.set_model(small_model())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert stopper.get_monitor_value({"loss": 0.5}) == 0.5
    with pytest.warns(UserWarning, match=r"`loss` which is not available\. Available metrics are: \.$"):
        assert stopper.get_monitor_value(None) is None
