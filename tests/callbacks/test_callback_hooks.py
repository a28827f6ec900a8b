"""Custom callbacks see Keras' hooks, in Keras' order, with the model, params and logs."""

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers
from glassnet.callbacks import Callback, History

HOOKS = [
    "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
    "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
    "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end",
]


class Recorder(Callback):
    """Writes down every hook call as (hook, batch-or-epoch, sorted log keys)."""

    def __init__(self):
        super().__init__()
        self.events = []
        self.logs = []
        self.model_at_begin = None
        self.params_at_begin = None


def _make_hook(name):
    def hook(self, *args, **kwargs):  # batch hooks get logs by keyword, as in Keras
        if name == "on_train_begin":
            self.model_at_begin, self.params_at_begin = self.model, dict(self.params)
        args = args + tuple(kwargs.values())
        index = args[0] if len(args) == 2 else None
        logs = args[-1] if args else None
        self.events.append((name, index))
        self.logs.append((name, index, dict(logs) if logs else logs))
    return hook


for _name in HOOKS:
    setattr(Recorder, _name, _make_hook(_name))


def data(n=50):
    rng = np.random.default_rng(0)
    return rng.random((n, 6)).astype("float32"), rng.integers(0, 3, n)


def model():
    m = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(8, activation="relu"),
                          layers.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def expected_fit_events(epochs, train_steps, val_steps):
    events = [("on_train_begin", None)]
    for epoch in range(epochs):
        events.append(("on_epoch_begin", epoch))
        for step in range(train_steps):
            events += [("on_train_batch_begin", step), ("on_train_batch_end", step)]
        if val_steps:
            events.append(("on_test_begin", None))
            for step in range(val_steps):
                events += [("on_test_batch_begin", step), ("on_test_batch_end", step)]
            events.append(("on_test_end", None))
        events.append(("on_epoch_end", epoch))
    events.append(("on_train_end", None))
    return events


def test_fit_calls_the_hooks_in_keras_order():
    x, y = data(50)
    m, recorder = model(), Recorder()
    m.fit(x, y, epochs=2, batch_size=20, validation_split=0.2, verbose=0, callbacks=[recorder])
    # 40 training samples -> 2 steps of 20; 10 validation samples -> 1 step
    assert recorder.events == expected_fit_events(2, 2, 1)


def test_fit_without_validation_has_no_test_hooks():
    x, y = data(30)
    m, recorder = model(), Recorder()
    m.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[recorder])
    assert recorder.events == expected_fit_events(3, 2, 0)


def test_model_and_params_are_set_before_training():
    x, y = data(50)
    m, recorder = model(), Recorder()
    m.fit(x, y, epochs=2, batch_size=20, validation_split=0.2, verbose=0, callbacks=[recorder])
    assert recorder.model_at_begin is m
    assert recorder.params_at_begin == {"verbose": 0, "epochs": 2, "steps": 2}


def test_logs_passed_to_the_hooks():
    x, y = data(50)
    m, recorder = model(), Recorder()
    history = m.fit(x, y, epochs=2, batch_size=20, validation_split=0.2, verbose=0, callbacks=[recorder])
    by_hook = {}
    for name, index, logs in recorder.logs:
        by_hook.setdefault(name, []).append((index, logs))
    for _, logs in by_hook["on_train_batch_end"]:
        assert set(logs) == {"loss", "accuracy"}
    for _, logs in by_hook["on_test_end"]:
        assert set(logs) == {"loss", "accuracy"}
    for epoch, logs in by_hook["on_epoch_end"]:
        assert set(logs) == {"loss", "accuracy", "val_loss", "val_accuracy"}
        for key, value in logs.items():
            assert history.history[key][epoch] == value
    # the last train-batch logs of an epoch are the epoch's training logs (running means over the epoch)
    last_batch = [logs for index, logs in by_hook["on_train_batch_end"] if index == 1]
    for epoch, logs in enumerate(last_batch):
        assert logs["loss"] == history.history["loss"][epoch]
    (_, train_end_logs), = by_hook["on_train_end"]
    assert train_end_logs == by_hook["on_epoch_end"][-1][1]


def test_evaluate_and_predict_hooks():
    x, y = data(25)
    m, recorder = model(), Recorder()
    m.evaluate(x, y, batch_size=10, verbose=0, callbacks=[recorder])
    assert recorder.events == [("on_test_begin", None)] + [
        event for step in range(3) for event in (("on_test_batch_begin", step), ("on_test_batch_end", step))
    ] + [("on_test_end", None)]
    recorder.events.clear()
    m.predict(x, batch_size=10, verbose=0, callbacks=[recorder])
    assert recorder.events == [("on_predict_begin", None)] + [
        event for step in range(3) for event in (("on_predict_batch_begin", step), ("on_predict_batch_end", step))
    ] + [("on_predict_end", None)]
    outputs = [logs["outputs"] for name, _, logs in recorder.logs if name == "on_predict_batch_end"]
    np.testing.assert_allclose(np.concatenate(outputs), m.predict(x, verbose=0), rtol=1e-6)


def test_stop_training_at_epoch_end():
    class StopAfterSecondEpoch(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    x, y = data(40)
    m, recorder = model(), Recorder()
    history = m.fit(x, y, epochs=10, verbose=0, callbacks=[StopAfterSecondEpoch(), recorder])
    assert history.epoch == [0, 1]
    assert len(history.history["loss"]) == 2
    assert recorder.events[-1] == ("on_train_end", None)


def test_stop_training_within_an_epoch_stops_after_that_batch():
    class StopAtBatchOne(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    x, y = data(100)
    m, recorder = model(), Recorder()
    history = m.fit(x, y, epochs=5, batch_size=10, verbose=0, callbacks=[StopAtBatchOne(), recorder])
    assert history.epoch == [0]
    assert [e for e in recorder.events if e[0] == "on_train_batch_begin"] == [("on_train_batch_begin", 0),
                                                                             ("on_train_batch_begin", 1)]
    assert m.optimizer.iterations == 2


def test_stop_training_is_reset_by_the_next_fit():
    class StopAtOnce(Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    x, y = data(20)
    m = model()
    m.fit(x, y, epochs=3, verbose=0, callbacks=[StopAtOnce()])
    assert len(m.fit(x, y, epochs=3, verbose=0).history["loss"]) == 3


def test_keras_2_batch_hook_names_are_called():
    class Legacy(Callback):
        def __init__(self):
            super().__init__()
            self.begins, self.ends = [], []

        def on_batch_begin(self, batch, logs=None):
            self.begins.append(batch)

        def on_batch_end(self, batch, logs=None):
            self.ends.append(batch)

    x, y = data(30)
    legacy = Legacy()
    model().fit(x, y, epochs=2, batch_size=10, verbose=0, callbacks=[legacy])
    assert legacy.begins == [0, 1, 2, 0, 1, 2] and legacy.ends == [0, 1, 2, 0, 1, 2]


def test_history_comes_after_the_users_callbacks_as_in_keras_3():
    """Keras 3 appends History (then the progress bar) after the given callbacks: History records what they
    add to the epoch logs, and model.history is set before training starts."""
    x, y = data(30)
    m = model()
    seen = []

    class AddsALog(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(len(self.model.history.history.get("loss", [])))
            logs["extra"] = float(epoch)

    history = m.fit(x, y, epochs=2, verbose=0, callbacks=[AddsALog()])
    assert isinstance(history, History) and m.history is history
    assert seen == [0, 1]  # History has not recorded the current epoch yet
    assert history.history["extra"] == [0.0, 1.0]
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 1}


def test_callback_defaults_are_harmless():
    x, y = data(30)
    history = model().fit(x, y, epochs=1, validation_split=0.2, verbose=0, callbacks=[Callback()])
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    base = Callback()
    assert base.model is None and base.params == {}


def test_callbacks_must_be_callback_like():
    x, y = data(30)
    with pytest.raises((TypeError, AttributeError)):
        model().fit(x, y, epochs=1, verbose=0, callbacks=[object()])
