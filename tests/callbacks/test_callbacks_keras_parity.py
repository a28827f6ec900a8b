"""The same sequences of logs give the same decisions in glassnet's callbacks and in the installed Keras 3.

EarlyStopping and ReduceLROnPlateau are driven hook by hook with scripted logs on a small model of each
framework; LearningRateScheduler, CSVLogger and History are compared through real ``fit`` calls.
"""

import itertools
import os

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"  # before keras is imported

import glassnet as gn  # noqa: E402
from _callback_helpers import drive, small_data, small_model  # noqa: E402

k = pytest.importorskip("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")


def keras_model(learning_rate=0.1):
    model = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(5, activation="relu"),
                          k.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=k.optimizers.SGD(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def models(learning_rate=0.1):
    """A glassnet and a Keras model, compiled and with metrics built (``mode="auto"`` looks them up)."""
    x, y = small_data(8)
    ours = small_model(optimizer=gn.optimizers.SGD(learning_rate))
    theirs = keras_model(learning_rate)
    ours.evaluate(x, y, verbose=0)
    theirs.evaluate(x, y, verbose=0)
    return ours, theirs


def sequences(count, length=12, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        # a noisy decreasing curve with plateaus: improvements, ties and setbacks
        steps = rng.choice([-0.2, -0.05, 0.0, 0.0, 0.03, 0.1], size=length)
        yield np.round(1.0 + np.cumsum(steps), 2)


EARLY_STOPPING = [
    dict(patience=p, min_delta=d, baseline=b, start_from_epoch=s, restore_best_weights=r, mode=m)
    for p, d, b, s, r, m in itertools.product((0, 1, 3), (0, 0.04), (None, 0.6), (0, 2), (False, True),
                                              ("auto", "min"))
]


@pytest.fixture(scope="module")
def model_pair():
    return models()


def test_early_stopping_stops_where_keras_stops(model_pair):
    ours_model, theirs_model = model_pair
    for number, config in enumerate(EARLY_STOPPING):
        for values in sequences(6, seed=number):
            ours = gn.callbacks.EarlyStopping(**config)
            theirs = k.callbacks.EarlyStopping(**config)
            ours_stop, _ = drive(ours, ours_model, {"val_loss": values})
            theirs_stop, _ = drive(theirs, theirs_model, {"val_loss": values})
            where = f"{config} {values}"
            assert ours_stop == theirs_stop, where
            assert ours.stopped_epoch == theirs.stopped_epoch, where
            assert ours.best_epoch == theirs.best_epoch, where
            assert ours.wait == theirs.wait, where
            assert (ours.best is None and theirs.best is None) or float(ours.best) == float(theirs.best), where


@pytest.mark.parametrize("monitor,values", [
    ("val_accuracy", [0.5, 0.6, 0.6, 0.55, 0.7, 0.69, 0.68]),
    ("accuracy", [0.1, 0.2, 0.3, 0.3, 0.2, 0.1, 0.0]),
    ("loss", [3.0, 2.0, 2.5, 2.4, 1.0, 1.1, 1.2]),
])
def test_early_stopping_auto_mode_direction_matches_keras(model_pair, monitor, values):
    ours_model, theirs_model = model_pair
    ours = gn.callbacks.EarlyStopping(monitor=monitor, patience=1)
    theirs = k.callbacks.EarlyStopping(monitor=monitor, patience=1)
    assert drive(ours, ours_model, {monitor: values})[0] == drive(theirs, theirs_model, {monitor: values})[0]
    assert ours.best == theirs.best


REDUCE_LR = [
    dict(patience=p, cooldown=c, min_lr=m, factor=f, min_delta=d)
    for p, c, m, f, d in itertools.product((0, 1, 2), (0, 1, 3), (0.0, 0.01), (0.5, 0.1), (1e-4, 0.04))
]


def test_reduce_lr_on_plateau_changes_the_rate_when_keras_does(model_pair):
    ours_model, theirs_model = model_pair
    for number, config in enumerate(REDUCE_LR):
        for values in sequences(4, length=15, seed=number):
            ours_model.optimizer.learning_rate = theirs_model.optimizer.learning_rate = 0.1
            ours = gn.callbacks.ReduceLROnPlateau(**config)
            theirs = k.callbacks.ReduceLROnPlateau(**config)
            _, ours_rates = drive(ours, ours_model, {"val_loss": values})
            _, theirs_rates = drive(theirs, theirs_model, {"val_loss": values})
            where = f"{config} {values}"
            np.testing.assert_allclose(ours_rates, theirs_rates, rtol=1e-6, err_msg=where)
            assert ours.wait == theirs.wait and ours.cooldown_counter == theirs.cooldown_counter, where


def test_reduce_lr_on_plateau_logs_the_rate_like_keras():
    ours_model, theirs_model = models(learning_rate=0.05)
    ours_logs, theirs_logs = {"val_loss": 1.0}, {"val_loss": 1.0}
    for callback, model, logs in ((gn.callbacks.ReduceLROnPlateau(), ours_model, ours_logs),
                                  (k.callbacks.ReduceLROnPlateau(), theirs_model, theirs_logs)):
        callback.set_model(model)
        callback.on_train_begin({})
        callback.on_epoch_end(0, logs)
    assert sorted(ours_logs) == sorted(theirs_logs) == ["learning_rate", "val_loss"]
    assert ours_logs["learning_rate"] == pytest.approx(theirs_logs["learning_rate"], rel=1e-6)


def fit_both(callbacks_for, epochs=4, learning_rate=0.1, **fit_kwargs):
    """Fit the same small network in both frameworks; ``callbacks_for(module)`` makes the callbacks."""
    x, y = small_data(40)
    ours = small_model(optimizer=gn.optimizers.SGD(learning_rate))
    theirs = keras_model(learning_rate)
    theirs.set_weights(ours.get_weights())
    ours_history = ours.fit(x, y, epochs=epochs, batch_size=10, shuffle=False, verbose=0,
                            callbacks=callbacks_for(gn), **fit_kwargs)
    theirs_history = theirs.fit(x, y, epochs=epochs, batch_size=10, shuffle=False, verbose=0,
                                callbacks=callbacks_for(k), **fit_kwargs)
    return ours_history, theirs_history


def test_learning_rate_scheduler_history_matches_keras():
    def schedule(epoch, lr):
        return lr if epoch < 2 else lr * 0.5

    ours, theirs = fit_both(lambda m: [m.callbacks.LearningRateScheduler(schedule)], epochs=5)
    assert list(ours.history) == list(theirs.history)
    np.testing.assert_allclose(ours.history["learning_rate"], theirs.history["learning_rate"], rtol=1e-6)
    np.testing.assert_allclose(ours.history["loss"], theirs.history["loss"], rtol=1e-4)


def test_history_keys_and_order_with_rate_callbacks_match_keras():
    ours, theirs = fit_both(lambda m: [m.callbacks.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.5,
                                                                     min_delta=10.0)],
                            epochs=3, validation_split=0.25)
    assert list(ours.history) == list(theirs.history)
    np.testing.assert_allclose(ours.history["learning_rate"], theirs.history["learning_rate"], rtol=1e-6)


def test_csv_logger_writes_the_same_layout_as_keras(tmp_path):
    ours_file, theirs_file = tmp_path / "ours.csv", tmp_path / "theirs.csv"
    fit_both(lambda m: [m.callbacks.CSVLogger(ours_file if m is gn else theirs_file, separator=";")], epochs=3)
    ours_lines = ours_file.read_bytes().split(b"\r\n")
    theirs_lines = theirs_file.read_bytes().split(b"\r\n")
    assert ours_lines[0] == theirs_lines[0]  # the same header (and the same \r\n line ends)
    assert len(ours_lines) == len(theirs_lines)
    for ours_row, theirs_row in zip(ours_lines[1:], theirs_lines[1:]):
        ours_cells, theirs_cells = ours_row.split(b";"), theirs_row.split(b";")
        assert len(ours_cells) == len(theirs_cells)
        if theirs_row == b"":  # after the last line end
            assert ours_row == b""
            continue
        for ours_cell, theirs_cell in zip(ours_cells, theirs_cells):
            if theirs_cell == b"NA":  # the val_ columns Keras adds when there is no validation
                assert ours_cell == b"NA"
            else:
                assert float(ours_cell) == pytest.approx(float(theirs_cell), rel=1e-4)


def test_terminate_on_nan_stops_at_the_same_batch_as_keras():
    x, y = small_data(40)
    ours = small_model(optimizer=gn.optimizers.SGD(0.1))
    theirs = keras_model(0.1)
    theirs.set_weights(ours.get_weights())
    batches = {}
    for name, model, module in (("ours", ours, gn), ("theirs", theirs, k)):
        seen = []

        def poison(batch, logs, seen=seen):
            seen.append(batch)
            if batch == 2:
                logs["loss"] = float("nan")

        model.fit(x, y, epochs=3, batch_size=5, verbose=0, shuffle=False,
                  callbacks=[module.callbacks.LambdaCallback(on_train_batch_end=poison),
                             module.callbacks.TerminateOnNaN()])
        batches[name] = seen
    assert batches["ours"] == batches["theirs"] == [0, 1, 2]
