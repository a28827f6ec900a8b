"""fit / evaluate / predict / *_on_batch: what they return and how they behave, checked against
values computed here with NumPy (never against glassnet's own earlier output)."""

import math
import re

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers
from glassnet.autodiff.grad_mode import is_grad_enabled


def digits(n_train=None):
    (x, y), (xt, yt) = keras.datasets.digits.load_data()
    x = x.astype("float32") / 255.0
    xt = xt.astype("float32") / 255.0
    return (x[:n_train], y[:n_train]), (xt, yt)


def mlp(hidden=32, metrics=("accuracy",), optimizer="adam", dropout=None):
    stack = [keras.Input(shape=(8, 8)), layers.Flatten(), layers.Dense(hidden, activation="relu")]
    if dropout:
        stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(10, activation="softmax"))
    model = keras.Sequential(stack)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=list(metrics) if metrics is not None else None)
    return model


def numpy_sparse_ce(probs, labels):
    p = np.clip(probs[np.arange(len(labels)), labels.astype(int)], 1e-7, 1 - 1e-7)
    return float(-np.mean(np.log(p)))


# --- History -------------------------------------------------------------------------------------------------------
def test_history_keys_are_keras_names():
    (x, y), _ = digits(300)
    model = mlp()
    history = model.fit(x, y, epochs=2, batch_size=32, validation_split=0.2, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]  # sorted as Keras logs
    assert all(len(values) == 2 for values in history.history.values())
    assert history.epoch == [0, 1]
    assert model.history is history
    assert all(type(v) is float for values in history.history.values() for v in values)


def test_history_acc_alias_keeps_the_name_given():
    (x, y), _ = digits(200)
    model = mlp(metrics=("acc",))
    history = model.fit(x, y, epochs=1, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]
    assert "accuracy" not in history.history


def test_history_without_metrics_or_validation_has_only_loss():
    (x, y), _ = digits(100)
    model = mlp(metrics=None)
    history = model.fit(x, y, epochs=3, verbose=0)
    assert list(history.history) == ["loss"]
    assert len(history.history["loss"]) == 3


def test_training_lowers_the_loss():
    (x, y), _ = digits(400)
    model = mlp()
    history = model.fit(x, y, epochs=5, verbose=0)
    loss = history.history["loss"]
    assert loss[-1] < loss[0] * 0.8
    assert history.history["accuracy"][-1] > history.history["accuracy"][0]


# --- evaluate ------------------------------------------------------------------------------------------------------
def test_evaluate_returns_a_scalar_without_metrics():
    (x, y), (xt, yt) = digits(100)
    model = mlp(metrics=None)
    result = model.evaluate(xt, yt, verbose=0)
    assert isinstance(result, float)
    assert result == pytest.approx(numpy_sparse_ce(model.predict(xt, verbose=0), yt), rel=1e-5)


def test_evaluate_returns_loss_and_accuracy_matching_numpy():
    (x, y), (xt, yt) = digits(300)
    model = mlp()
    model.fit(x, y, epochs=2, verbose=0)
    result = model.evaluate(xt, yt, batch_size=7, verbose=0)  # 360 = 51 * 7 + 3: a partial last batch
    assert isinstance(result, list) and len(result) == 2
    probs = model.predict(xt, verbose=0)
    assert result[0] == pytest.approx(numpy_sparse_ce(probs, yt), rel=1e-5)
    assert result[1] == pytest.approx(float(np.mean(probs.argmax(axis=1) == yt)), abs=1e-7)


def test_evaluate_return_dict():
    (x, y), (xt, yt) = digits(100)
    model = mlp()
    as_list = model.evaluate(xt, yt, verbose=0)
    as_dict = model.evaluate(xt, yt, verbose=0, return_dict=True)
    assert set(as_dict) == {"loss", "accuracy"}
    assert as_dict["loss"] == pytest.approx(as_list[0])
    assert as_dict["accuracy"] == pytest.approx(as_list[1])


def test_evaluate_does_not_change_weights():
    _, (xt, yt) = digits()
    model = mlp()
    before = model.get_weights()
    model.evaluate(xt, yt, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# --- predict -------------------------------------------------------------------------------------------------------
def test_predict_returns_float32_probabilities():
    _, (xt, yt) = digits()
    model = mlp()
    probs = model.predict(xt, verbose=0)
    assert isinstance(probs, np.ndarray)
    assert probs.dtype == np.float32
    assert probs.shape == (len(xt), 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_predict_is_batched():
    _, (xt, _) = digits()
    model = mlp()
    seen = []

    class Count(keras.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            seen.append(len(logs["outputs"]))

    small = model.predict(xt, batch_size=7, verbose=0, callbacks=[Count()])
    assert len(seen) == math.ceil(len(xt) / 7)
    assert seen[:-1] == [7] * (len(seen) - 1) and seen[-1] == len(xt) % 7
    whole = model.predict(xt, batch_size=len(xt), verbose=0)
    np.testing.assert_allclose(small, whole, rtol=1e-5, atol=1e-7)


def test_predict_equals_calling_the_model():
    _, (xt, _) = digits()
    model = mlp(dropout=0.5)
    with keras.no_grad():
        direct = model(xt)
    np.testing.assert_allclose(model.predict(xt, verbose=0), direct.numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(model.predict_on_batch(xt), direct.numpy(), rtol=1e-5, atol=1e-7)


def test_predict_records_no_graph():
    _, (xt, _) = digits()
    grad_modes = []

    class Probe(layers.Layer):
        def call(self, inputs, training=None):
            grad_modes.append(is_grad_enabled())
            return inputs

    model = keras.Sequential([keras.Input(shape=(8, 8)), layers.Flatten(), Probe(), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    grad_modes.clear()
    model.predict(xt, batch_size=100, verbose=0)
    model.predict_on_batch(xt[:5])
    model.evaluate(xt, np.zeros(len(xt), dtype="int64"), verbose=0)
    assert grad_modes and not any(grad_modes)
    grad_modes.clear()
    model.train_on_batch(xt[:5], np.zeros(5, dtype="int64"))
    assert grad_modes[-1] is True  # the probe can tell: the training step does record

    with keras.no_grad():
        out = model(xt[:4])
    assert out.creator is None and not out.requires_grad
    recorded = model(xt[:4])
    assert recorded.creator is not None  # outside no_grad the same call does build a graph


def test_predict_on_batch_returns_numpy():
    _, (xt, _) = digits()
    model = mlp()
    out = model.predict_on_batch(xt[:5])
    assert type(out) is np.ndarray and out.dtype == np.float32 and out.shape == (5, 10)


# --- single batches ---------------------------------------------------------------------------------------------
def test_train_on_batch_updates_once_and_reports_the_pre_update_loss():
    (x, y), _ = digits(64)
    model = mlp()
    before = model.get_weights()
    expected_loss = numpy_sparse_ce(model.predict(x, verbose=0), y)
    loss, accuracy = model.train_on_batch(x, y)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert 0.0 <= accuracy <= 1.0
    assert model.optimizer.iterations == 1
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    model.train_on_batch(x, y)
    assert model.optimizer.iterations == 2
    logs = model.train_on_batch(x, y, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}


def test_test_on_batch_matches_numpy_and_changes_nothing():
    (x, y), _ = digits(50)
    model = mlp()
    before = model.get_weights()
    loss, accuracy = model.test_on_batch(x, y)
    probs = model.predict(x, verbose=0)
    assert loss == pytest.approx(numpy_sparse_ce(probs, y), rel=1e-5)
    assert accuracy == pytest.approx(float(np.mean(probs.argmax(1) == y)))
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# --- epochs, shuffling, validation ---------------------------------------------------------------------------------
class Recorder(layers.Layer):
    """Passes inputs through and remembers column 0 (the sample id) of each training / inference batch."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.train_ids, self.test_ids = [], []

    def call(self, inputs, training=None):
        ids = np.asarray(inputs.numpy()[:, 0]).round().astype(int).tolist()
        (self.train_ids if training else self.test_ids).append(ids)
        return inputs


def id_data(n, features=3):
    x = np.random.default_rng(0).random((n, features)).astype("float32")
    x[:, 0] = np.arange(n)
    y = (np.arange(n) % 3).astype("int64")
    return x, y


def id_model(optimizer="sgd"):
    recorder = Recorder()
    model = keras.Sequential([keras.Input(shape=(3,)), recorder, layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, recorder


def test_initial_epoch():
    x, y = id_data(20)
    model, _ = id_model()
    epochs_seen = []

    class Epochs(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            epochs_seen.append(epoch)

    history = model.fit(x, y, epochs=3, initial_epoch=1, verbose=0, callbacks=[Epochs()])
    assert history.epoch == [1, 2]
    assert epochs_seen == [1, 2]
    assert len(history.history["loss"]) == 2


def test_shuffle_false_keeps_the_order():
    x, y = id_data(10)
    model, recorder = id_model()
    model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    assert recorder.train_ids == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] * 2


def test_shuffle_true_permutes_every_epoch():
    x, y = id_data(40)
    model, recorder = id_model()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert len(recorder.train_ids) == 10
    first = sum(recorder.train_ids[:5], [])
    second = sum(recorder.train_ids[5:], [])
    assert sorted(first) == list(range(40)) and sorted(second) == list(range(40))
    assert first != list(range(40)) and first != second


@pytest.mark.parametrize("n,split", [(10, 0.33), (10, 0.25), (7, 0.5), (101, 0.1)])
def test_validation_split_takes_the_last_samples_before_shuffling(n, split):
    x, y = id_data(n)
    model, recorder = id_model()
    keep = math.floor(n * (1 - split))  # Keras' rule (array_slicing.train_validation_split)

    class ForgetShapeChecks(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            recorder.test_ids.clear()

    history = model.fit(x, y, epochs=2, batch_size=4, validation_split=split, verbose=0,
                        callbacks=[ForgetShapeChecks()])
    assert history.params["steps"] == math.ceil(keep / 4)
    trained = sum(recorder.train_ids, [])
    assert len(trained) == 2 * keep
    assert sorted(trained[:keep]) == list(range(keep)) == sorted(trained[keep:])
    assert sum(recorder.test_ids, []) == list(range(keep, n)) * 2


def test_validation_split_val_loss_is_the_loss_on_the_tail():
    (x, y), _ = digits(200)
    model = mlp()
    history = model.fit(x, y, epochs=2, validation_split=0.3, verbose=0)
    keep = math.floor(200 * 0.7)
    probs = model.predict(x[keep:], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(numpy_sparse_ce(probs, y[keep:]), rel=1e-5)
    assert history.history["val_accuracy"][-1] == pytest.approx(float(np.mean(probs.argmax(1) == y[keep:])))


def test_validation_data_is_used_as_given():
    (x, y), (xt, yt) = digits(200)
    model = mlp()
    history = model.fit(x, y, epochs=2, validation_data=(xt[:90], yt[:90]), verbose=0)
    loss, accuracy = model.evaluate(xt[:90], yt[:90], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(loss, rel=1e-6)
    assert history.history["val_accuracy"][-1] == pytest.approx(accuracy)


def test_validation_data_wins_over_validation_split():
    x, y = id_data(12)
    model, recorder = id_model()
    xv, yv = id_data(5)
    model.fit(x, y, epochs=1, batch_size=1, validation_data=(xv, yv), validation_split=0.5, verbose=0)
    assert sorted(sum(recorder.train_ids, [])) == list(range(12))  # nothing held out of training


def test_sample_weight_zero_removes_samples_from_the_loss():
    (x, y), _ = digits(64)
    model = mlp(optimizer=keras.optimizers.SGD(learning_rate=0.0))
    weights = np.zeros(64, dtype="float32")
    weights[:16] = 1.0
    history = model.fit(x, y, sample_weight=weights, epochs=1, batch_size=64, shuffle=False, verbose=0)
    probs = model.predict(x, verbose=0)
    # Keras' "sum_over_batch_size": the weighted sum divided by the batch size
    per_sample = -np.log(np.clip(probs[np.arange(64), y], 1e-7, 1 - 1e-7))
    assert history.history["loss"][0] == pytest.approx(float(np.sum(per_sample * weights) / 64), rel=1e-5)


# --- verbose -------------------------------------------------------------------------------------------------------
def test_verbose_0_prints_nothing(capsys):
    (x, y), (xt, yt) = digits(100)
    model = mlp()
    model.fit(x, y, epochs=2, validation_split=0.2, verbose=0)
    model.evaluate(xt, yt, verbose=0)
    model.predict(xt, verbose=0)
    out, err = capsys.readouterr()
    assert out == "" and err == ""


NUMBER = r"\d+\.\d{4}"


def test_verbose_1_prints_the_keras_progress_line(capsys):
    (x, y), _ = digits(370)
    model = mlp()
    history = model.fit(x, y, epochs=2, verbose=1)
    out, err = capsys.readouterr()
    lines = [line for line in out.splitlines() if line.strip()]
    steps = math.ceil(370 / 32)
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    pattern = re.compile(rf"^{steps}/{steps} ━{{20}} \d+s \d+(us|ms|s)/step - accuracy: ({NUMBER}) - loss: ({NUMBER})$")
    for epoch, line in ((0, lines[1]), (1, lines[3])):
        match = pattern.match(line)
        assert match, line
        assert match.group(2) == f"{history.history['accuracy'][epoch]:.4f}"
        assert match.group(3) == f"{history.history['loss'][epoch]:.4f}"
    assert "\x1b[" not in out and "\b" not in out  # no ANSI escapes or backspaces into a pipe or log file


def test_verbose_1_with_validation_shows_val_metrics(capsys):
    (x, y), _ = digits(200)
    model = mlp()
    model.fit(x, y, epochs=1, validation_split=0.2, verbose=1)
    out = capsys.readouterr().out
    line = out.splitlines()[-1]
    assert re.search(rf" - accuracy: {NUMBER} - loss: {NUMBER} - val_accuracy: {NUMBER} - val_loss: {NUMBER}$", line), line
    assert line.startswith(f"{math.ceil(160 / 32)}/{math.ceil(160 / 32)} ")


def test_verbose_2_prints_one_line_per_epoch(capsys):
    (x, y), _ = digits(100)
    model = mlp()
    model.fit(x, y, epochs=3, batch_size=10, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    assert lines[0::2] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    for line in lines[1::2]:
        assert re.match(rf"^10/10 - \d+s - \d+(us|ms|s)/step - accuracy: {NUMBER} - loss: {NUMBER}$", line), line
        assert "━" not in line


def test_evaluate_and_predict_verbose_1(capsys):
    _, (xt, yt) = digits()
    model = mlp()
    loss, accuracy = model.evaluate(xt, yt, verbose=1)
    model.predict(xt, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    steps = math.ceil(360 / 32)
    assert len(lines) == 2
    assert re.match(rf"^{steps}/{steps} ━{{20}} \d+s .*/step - accuracy: {accuracy:.4f} - loss: {loss:.4f}$", lines[0]), lines[0]
    assert re.match(rf"^{steps}/{steps} ━{{20}} \d+s \d+(us|ms|s)/step$", lines[1]), lines[1]


def test_verbose_rejects_unknown_values():
    (x, y), _ = digits(50)
    model = mlp()
    with pytest.raises(ValueError, match="verbose"):
        model.fit(x, y, verbose=3)


# --- one output unit: targets of shape (n,) are taken as (n, 1), as Keras does ------------------------------------
def test_regression_targets_without_the_unit_axis():
    rng = np.random.default_rng(0)
    x = rng.random((50, 4)).astype("float32")
    y = x @ np.array([1.0, 2.0, 3.0, 4.0], dtype="float32")
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    predictions = model.predict(x, verbose=0)[:, 0]
    loss, mae = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(float(np.mean((predictions - y) ** 2)), rel=1e-5)
    assert mae == pytest.approx(float(np.mean(np.abs(predictions - y))), rel=1e-5)
    history = model.fit(x, y, epochs=20, batch_size=10, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] / 5


def test_binary_classification_with_flat_labels():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(80, 3)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    p = np.clip(model.predict(x, verbose=0)[:, 0], 1e-7, 1 - 1e-7)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))), rel=1e-5)
    assert accuracy == pytest.approx(float(np.mean((p > 0.5) == y)))
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    assert model.fit(x, y, epochs=30, verbose=0).history["accuracy"][-1] > 0.9
