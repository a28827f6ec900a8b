"""CallbackList: Keras 3's order (callbacks, History, progress bar), logs as Keras passes them, batch dispatch."""

import numpy as np
from _callback_helpers import small_data, small_model

from glassnet.callbacks import Callback, CallbackList, EarlyStopping, History, LambdaCallback, ProgbarLogger


class Counts(Callback):
    def __init__(self):
        super().__init__()
        self.train_batch_end = 0
        self.batch_end = 0


def test_history_and_progress_bar_go_after_the_users_callbacks():
    early, history, progbar, other = EarlyStopping(), History(), ProgbarLogger(), Callback()
    callbacks = CallbackList([history, early, progbar, other])
    assert callbacks.callbacks == [early, other, history, progbar]


def test_add_history_and_progbar_as_keras():
    model = small_model()
    mine = Callback()
    callbacks = CallbackList([mine], add_history=True, add_progbar=True, model=model, verbose=1, epochs=2, steps=3)
    assert callbacks.callbacks[0] is mine
    assert isinstance(callbacks.callbacks[1], History) and isinstance(callbacks.callbacks[2], ProgbarLogger)
    assert model.history is callbacks.callbacks[1]  # set before training, as Keras' CallbackList does
    assert mine.model is model and mine.params == {"verbose": 1, "epochs": 2, "steps": 3}


def test_epoch_hooks_get_a_sorted_copy_with_floats():
    seen = []
    callbacks = CallbackList([LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(logs))])
    logs = {"loss": np.float32(0.5), "accuracy": 1, "nested": {"b": 2.0}}
    callbacks.on_epoch_end(0, logs)
    assert seen[0] == {"accuracy": 1.0, "b": 2.0, "loss": 0.5}
    assert list(seen[0]) == ["accuracy", "loss", "b"]  # sorted, nested dicts flattened in place (pythonify_logs)
    assert type(seen[0]["loss"]) is float
    assert seen[0] is not logs


def test_begin_hooks_get_an_empty_dict_not_none():
    seen = []
    callbacks = CallbackList([LambdaCallback(on_train_begin=seen.append,
                                             on_train_batch_begin=lambda batch, logs: seen.append(logs))])
    callbacks.on_train_begin()
    callbacks.on_train_batch_begin(0)
    assert seen == [{}, {}]


def test_train_batch_hook_and_legacy_name_are_not_both_called():
    class Both(Counts):
        def on_train_batch_end(self, batch, logs=None):
            self.train_batch_end += 1

        def on_batch_end(self, batch, logs=None):
            self.batch_end += 1

    class Legacy(Counts):
        def on_batch_end(self, batch, logs=None):
            self.batch_end += 1

    class ForwardsToSuper(Counts):
        def on_train_batch_end(self, batch, logs=None):
            self.train_batch_end += 1
            super().on_train_batch_end(batch, logs)

        def on_batch_end(self, batch, logs=None):
            self.batch_end += 1

    both, legacy, forwards = Both(), Legacy(), ForwardsToSuper()
    callbacks = CallbackList([both, legacy, forwards])
    callbacks.on_train_batch_end(0, {"loss": 1.0})
    assert (both.train_batch_end, both.batch_end) == (1, 0)  # as in Keras: the override replaces the forwarding
    assert legacy.batch_end == 1
    assert (forwards.train_batch_end, forwards.batch_end) == (1, 1)


def test_append_updates_the_batch_dispatch():
    callbacks = CallbackList([])
    assert not callbacks.needs_batch_logs("on_test_batch_end")
    callbacks.append(LambdaCallback(on_test_batch_end=lambda batch, logs: None))
    assert callbacks.needs_batch_logs("on_test_batch_end")
    assert len(callbacks) == 1


def test_no_batch_work_for_epoch_only_callbacks():
    callbacks = CallbackList([EarlyStopping(), History()])
    assert not any(callbacks.needs_batch_logs(hook) for hook in (
        "on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end",
        "on_predict_batch_begin", "on_predict_batch_end"))


def test_callbacks_passed_to_evaluate_and_predict_get_model_and_params():
    got = {}

    class Peek(Callback):
        def on_test_begin(self, logs=None):
            got["test"] = (self.model, dict(self.params))

        def on_predict_begin(self, logs=None):
            got["predict"] = (self.model, dict(self.params))

    x, y = small_data(25)
    model = small_model()
    model.evaluate(x, y, batch_size=10, verbose=0, callbacks=[Peek()])
    model.predict(x, batch_size=10, verbose=0, callbacks=[Peek()])
    assert got["test"] == (model, {"verbose": 0, "epochs": 1, "steps": 3})
    assert got["predict"] == (model, {"verbose": 0, "epochs": 1, "steps": 3})
