"""Running state is per thread: predicting threads never change what a training thread computes."""

import subprocess
import sys
import threading

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers, ops, state
from glassnet.autodiff import detect_anomaly, is_grad_enabled, no_grad
from glassnet.backend import speed
from glassnet.layers.layer import forward_hook


def _data(seed=0, n=256):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 12)).astype("float32")
    y = (x[:, :3].sum(axis=1) > 0).astype("int64")
    return x, y


def _model():
    keras.utils.set_random_seed(7)
    model = keras.Sequential([
        keras.Input(shape=(12,)),
        layers.Dense(16, activation="relu", activity_regularizer=keras.regularizers.L2(1e-3)),
        layers.Dropout(0.25),
        layers.BatchNormalization(),
        layers.Dense(2, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _fit(model, x, y):
    keras.utils.set_random_seed(11)
    stop = keras.callbacks.EarlyStopping(monitor="accuracy", patience=1, restore_best_weights=True)
    return model.fit(x, y, batch_size=16, epochs=4, verbose=0, validation_split=0.25, callbacks=[stop])


def test_fit_with_eight_predicting_and_evaluating_threads_equals_fit_alone():
    x, y = _data()
    alone = _model()
    history_alone = _fit(alone, x, y)

    model = _model()
    stop = threading.Event()
    predictions, evaluations, errors, grad_modes = [], [], [], []

    def predict_until_stopped(seed):
        rng = np.random.default_rng(seed)
        try:
            while not stop.is_set():
                batch = rng.standard_normal((int(rng.integers(1, 40)), 12)).astype("float32")
                predictions.append(model.predict(batch, verbose=0).shape[0] == len(batch))
                model(batch)  # a plain call adds an activity loss, in this thread only
                if seed % 2:  # half the threads also evaluate: they reset and update metrics of their own
                    labels = (batch[:, 0] > 0).astype("int64")
                    evaluations.append(np.isfinite(model.evaluate(batch, labels, verbose=0)).all())
                    model.test_on_batch(batch, labels)
            grad_modes.append(is_grad_enabled())
        except Exception as error:  # reported by the main thread
            errors.append(error)

    workers = [threading.Thread(target=predict_until_stopped, args=(seed,)) for seed in range(8)]
    for worker in workers:
        worker.start()
    try:
        history = _fit(model, x, y)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
    assert not any(worker.is_alive() for worker in workers), "a predicting thread hung"
    assert errors == []
    assert predictions and all(predictions) and evaluations and all(evaluations)
    assert grad_modes == [True] * 8
    assert is_grad_enabled()
    assert history.history["loss"] == history_alone.history["loss"]
    for trained, reference in zip(model.get_weights(), alone.get_weights()):
        np.testing.assert_array_equal(trained, reference)


def test_a_new_fit_trains_after_threads_that_only_predicted():
    x, y = _data(1)
    model = _model()
    threads = [threading.Thread(target=model.predict, args=(x,), kwargs={"verbose": 0}) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fresh = _model()
    before = [w.copy() for w in fresh.get_weights()]
    history = fresh.fit(x, y, batch_size=32, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert any(not np.array_equal(a, b) for a, b in zip(before, fresh.get_weights()))


def _in_thread_while(block, check):
    """Run ``check()`` in another thread while this thread is inside ``block``; return its result."""
    result = []
    with block:
        thread = threading.Thread(target=lambda: result.append(check()))
        thread.start()
        thread.join()
    return result[0]


def test_no_grad_in_one_thread_leaves_recording_on_in_another():
    weight = keras.Variable(np.ones((2,), "float32"))

    def records():
        return is_grad_enabled() and ops.multiply(weight, 2.0).requires_grad

    assert _in_thread_while(no_grad(), records) is True
    assert is_grad_enabled()


def test_training_flag_reaches_nested_layers_of_this_thread_only():
    class Inner(keras.layers.Layer):
        def call(self, inputs, training=None):
            return training

    class Outer(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = Inner()

        def call(self, inputs):
            seen = self.inner(inputs)  # no training argument: taken from the enclosing call
            other = []
            thread = threading.Thread(target=lambda: other.append(self.inner(inputs)))
            thread.start()
            thread.join()
            return seen, other[0]

    x = np.ones((1, 2), "float32")
    assert Outer()(x, training=True) == (True, None)
    assert Outer()(x, training=False) == (False, None)
    assert Outer()(x) == (None, None)
    assert state.current.training is None and state.current.call_depth == 0


def test_dropout_in_a_custom_layer_follows_the_enclosing_training_flag():
    class Noisy(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dropout = layers.Dropout(0.5)

        def call(self, inputs):
            return self.dropout(inputs)  # no training argument, as guides write it

    model = keras.Sequential([keras.Input(shape=(100,)), Noisy()])
    x = np.ones((4, 100), "float32")
    dropped = np.asarray(model(x, training=True))
    assert (dropped == 0).any() and (dropped == 2).any()  # inverted dropout: zeros and 1 / (1 - 0.5)
    np.testing.assert_array_equal(np.asarray(model(x)), x)
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)


def test_added_losses_belong_to_the_thread_that_made_them():
    class Penalised(keras.layers.Layer):
        def call(self, inputs):
            self.add_loss(ops.sum(inputs))
            return inputs

    layer = Penalised()
    layer(np.ones((2, 2), "float32"))
    other = []
    thread = threading.Thread(target=lambda: (layer(np.full((2, 2), 5.0, "float32")), other.append(layer.losses)))
    thread.start()
    thread.join()
    assert [float(np.asarray(loss)) for loss in layer.losses] == [4.0]
    assert [float(np.asarray(loss)) for loss in other[0]] == [20.0]
    layer(np.full((1, 1), 3.0, "float32"))  # a new outermost call drops the previous call's losses
    assert [float(np.asarray(loss)) for loss in layer.losses] == [3.0]


def test_a_loss_that_calls_another_model_keeps_the_main_models_added_losses():
    """Keras' rule: an outermost call clears the losses of its own layers only."""
    main = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2, activity_regularizer=keras.regularizers.L2(10.0))])
    features = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(2)])
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")

    def plain(y_true, y_pred):
        return keras.ops.mean(keras.ops.square(y_pred - y_true), axis=-1)

    def through_features(y_true, y_pred):
        features(y_true)  # another model called inside the loss
        return plain(y_true, y_pred)

    results = []
    for loss in (plain, through_features):
        main.compile(optimizer="sgd", loss=loss)
        results.append(main.evaluate(x, y, verbose=0))
    assert results[0] == results[1]
    assert len(main.losses) == 1 and len(features.losses) == 0


def test_nested_forward_hooks_restore_the_outer_one():
    seen = []
    hook = lambda layer, inputs, outputs: seen.append(layer.name)  # noqa: E731
    dense = layers.Dense(1, name="probe")
    with forward_hook(hook):
        with forward_hook(hook):
            dense(np.ones((1, 2), "float32"))
        dense(np.ones((1, 2), "float32"))
    dense(np.ones((1, 2), "float32"))
    assert seen == ["probe", "probe", "probe"]


def test_batch_parts_from_many_threads_share_the_pool_safely():
    from glassnet.backend import parallel

    errors = []

    def run(parts):
        try:
            for _ in range(50):
                with parallel.use_workers(parts):
                    results = parallel.run_parts(lambda part: part.stop - part.start, parallel.batch_parts(
                        64, work_per_sample=10 ** 6))
                assert sum(results) == 64
        except Exception as error:  # reported below
            errors.append(error)

    workers = [threading.Thread(target=run, args=(parts,)) for parts in (2, 3, 4, 5, 6, 7, 8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []


def test_forward_hooks_and_anomaly_traces_are_per_thread():
    dense = layers.Dense(2)
    x = np.ones((1, 3), "float32")
    seen = []
    with forward_hook(lambda layer, inputs, outputs: seen.append(threading.current_thread().name)):
        dense(x)
        thread = threading.Thread(target=dense, args=(x,), name="other")
        thread.start()
        thread.join()
    dense(x)
    assert seen == [threading.current_thread().name]
    assert _in_thread_while(detect_anomaly(), lambda: state.current.anomaly_trace) is None


def test_clear_session_resets_this_threads_state():
    state.current.grad_enabled = False
    layer = layers.Dense(1)
    state.current.losses[layer] = ["stale"]
    keras.utils.clear_session()
    assert state.current.grad_enabled is True and len(state.current.losses) == 0


# --- the process-wide speed settings -------------------------------------------------------------------


def _blas_threads():
    from threadpoolctl import threadpool_info

    return [entry["num_threads"] for entry in threadpool_info() if entry["user_api"] == "blas"]


def test_two_threads_entering_the_speed_settings_leave_blas_as_it_was():
    before = _blas_threads()
    if not before:
        pytest.skip("no BLAS library found by threadpoolctl")
    first_inside, second_left = threading.Event(), threading.Event()
    inside = []

    def second():
        first_inside.wait()
        with speed.speed_settings(1, 1):
            inside.append(_blas_threads())
        second_left.set()

    thread = threading.Thread(target=second)
    thread.start()
    with speed.speed_settings(1, 1):
        first_inside.set()
        second_left.wait(timeout=30)
        assert _blas_threads() == [1] * len(before)  # the second thread's exit did not undo the first's limit
    thread.join()
    assert inside == [[1] * len(before)]
    assert _blas_threads() == before


def test_switched_off_batch_splitting_runs_ops_in_one_part():
    from glassnet.backend import parallel

    seen = []
    with speed.speed_settings(None, 4):
        seen.append(parallel.get_workers())
    keras.config.set_speed_options(batch_splitting=False)
    try:
        with speed.speed_settings(None, 4):
            seen.append(parallel.get_workers())
    finally:
        keras.config.set_speed_options(batch_splitting=True)
    assert seen == [4, 1]


def test_speed_options_refuse_unknown_names_and_non_booleans():
    with pytest.raises(ValueError, match="Unknown speed option"):
        keras.config.set_speed_options(fast=True)
    with pytest.raises(ValueError, match="batch_splitting must be True or False"):
        keras.config.set_speed_options(batch_splitting="yes")
    assert keras.config.speed_options()["batch_splitting"] is True


def test_importing_glassnet_changes_no_process_setting():
    program = (
        "import numpy as np\n"
        "from threadpoolctl import threadpool_info\n"
        "def blas(): return [e['num_threads'] for e in threadpool_info() if e['user_api'] == 'blas']\n"
        "def flushed(): return float((np.array([1e-39], np.float32) * np.float32(1))[0]) == 0.0\n"
        "before = (blas(), flushed())\n"
        "import glassnet\n"
        "print(before == (blas(), flushed()), flushed())\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["True", "False"], result.stderr


def test_layer_names_stay_process_wide_and_distinct_across_threads():
    keras.utils.clear_session()
    names = []

    def make():
        names.extend(layers.Dense(1).name for _ in range(200))

    workers = [threading.Thread(target=make) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(set(names)) == 800 and "dense" in names and "dense_799" in names


def test_recurrent_dropout_masks_of_a_training_call_are_not_reset_by_other_threads():
    layer = layers.LSTM(4, dropout=0.5, recurrent_dropout=0.5, seed=3)
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype("float32")
    layer(x)
    cell = layer.cell
    mask = cell.get_dropout_mask(keras.ops.convert_to_tensor(x[:, 0]))
    other = threading.Thread(target=lambda: layer(x))  # inference in another thread resets its own masks only
    other.start()
    other.join()
    assert cell.get_dropout_mask(x[:, 0]) is mask
    cell.reset_dropout_mask()
    assert cell.get_dropout_mask(x[:, 0]) is not mask


def test_a_second_thread_training_the_same_model_is_refused():
    x, y = _data(2, n=64)
    model = _model()
    inside, release, refused = threading.Event(), threading.Event(), []

    class Hold(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            inside.set()
            release.wait(timeout=30)

    trainer = threading.Thread(target=lambda: model.fit(x, y, epochs=1, batch_size=64, verbose=0, callbacks=[Hold()]))
    trainer.start()
    inside.wait(timeout=30)
    try:
        for call in (lambda: model.fit(x, y, verbose=0), lambda: model.train_on_batch(x, y)):
            with pytest.raises(ValueError, match="being trained by another thread"):
                call()
            refused.append(True)
        assert np.isfinite(model.evaluate(x, y, verbose=0)).all()  # evaluating meanwhile is fine
    finally:
        release.set()
        trainer.join()
    assert refused == [True, True]
    model.fit(x, y, epochs=1, verbose=0)  # once the first is done, another thread may train
