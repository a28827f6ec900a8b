"""LambdaCallback: plain functions as hooks; only the hooks given count as implemented."""

from _callback_helpers import small_data, small_model

from glassnet.callbacks import CallbackList, LambdaCallback


def test_each_given_function_is_called_with_the_hook_arguments():
    calls = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: calls.append(("train_begin", logs)),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_train_batch_begin=lambda batch, logs: calls.append(("batch_begin", batch)),
        on_train_batch_end=lambda batch, logs: calls.append(("batch_end", batch, sorted(logs))),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs: calls.append(("train_end", sorted(logs))),
    )
    x, y = small_data(20)
    small_model().fit(x, y, epochs=2, batch_size=10, verbose=0, callbacks=[callback])
    epoch = [("batch_begin", 0), ("batch_end", 0, ["accuracy", "loss"]), ("batch_begin", 1),
             ("batch_end", 1, ["accuracy", "loss"])]
    assert calls == ([("train_begin", {})]
                     + [("epoch_begin", 0)] + epoch + [("epoch_end", 0, ["accuracy", "loss"])]
                     + [("epoch_begin", 1)] + epoch + [("epoch_end", 1, ["accuracy", "loss"])]
                     + [("train_end", ["accuracy", "loss"])])


def test_only_the_given_hooks_are_dispatched_per_batch():
    only_epochs = LambdaCallback(on_epoch_end=lambda epoch, logs: None)
    batches = LambdaCallback(on_train_batch_end=lambda batch, logs: None)
    callbacks = CallbackList([only_epochs, batches])
    assert callbacks.needs_batch_logs("on_train_batch_end")
    assert not callbacks.needs_batch_logs("on_train_batch_begin")
    assert not CallbackList([only_epochs]).needs_batch_logs("on_train_batch_end")
    assert callbacks._batch_hooks["on_train_batch_end"] == [batches.on_train_batch_end]


def test_other_hooks_by_keyword_in_evaluate_and_predict():
    seen = []
    callback = LambdaCallback(
        on_test_begin=lambda logs: seen.append("test_begin"),
        on_test_batch_end=lambda batch, logs: seen.append(("test_batch", batch, sorted(logs))),
        on_test_end=lambda logs: seen.append(("test_end", sorted(logs))),
        on_predict_batch_end=lambda batch, logs: seen.append(("predict_batch", batch, logs["outputs"].shape)),
        on_predict_end=lambda logs: seen.append("predict_end"),
    )
    x, y = small_data(15)
    model = small_model()
    model.evaluate(x, y, batch_size=10, verbose=0, callbacks=[callback])
    model.predict(x, batch_size=10, verbose=0, callbacks=[callback])
    assert seen == ["test_begin", ("test_batch", 0, ["accuracy", "loss"]), ("test_batch", 1, ["accuracy", "loss"]),
                    ("test_end", ["accuracy", "loss"]), ("predict_batch", 0, (10, 3)), ("predict_batch", 1, (5, 3)),
                    "predict_end"]


def test_keras_2_batch_names_by_keyword():
    ends = []
    callback = LambdaCallback(on_batch_end=lambda batch, logs: ends.append(batch))
    x, y = small_data(30)
    small_model().fit(x, y, epochs=1, batch_size=10, verbose=0, callbacks=[callback])
    assert ends == [0, 1, 2]


def test_a_hook_can_stop_training():
    x, y = small_data(30)
    model = small_model()

    def stop(epoch, logs):
        model.stop_training = epoch == 1

    history = model.fit(x, y, epochs=5, verbose=0, callbacks=[LambdaCallback(on_epoch_end=stop)])
    assert history.epoch == [0, 1]
