"""Bad input: each mistake raises its own clear error, before anything changes.

Every test checks (a) the exception type, (b) that the message says what was
expected and what was received, and (c) that the model is untouched and still
works: its weights and optimizer are as before, and a correct fit/evaluate
runs afterwards.
"""

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers

N = 64


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.random((N, 8, 8)).astype("float32")
    y = rng.integers(0, 10, N)
    return x, y


def make_model(loss="sparse_categorical_crossentropy", compile=True):
    model = keras.Sequential([
        keras.Input(shape=(8, 8)),
        layers.Flatten(),
        layers.Dense(16, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    if compile:
        model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


def snapshot(model):
    optimizer = model.optimizer
    return ([w.copy() for w in model.get_weights()], optimizer, getattr(optimizer, "iterations", None),
            model.loss)


def assert_untouched_and_usable(model, before, x, y):
    weights, optimizer, iterations, loss = before
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.optimizer is optimizer and model.loss == loss
    if optimizer is not None:
        assert optimizer.iterations == iterations
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    result = model.evaluate(x, y, verbose=0)
    assert np.all(np.isfinite(result))


# --- shapes ----------------------------------------------------------------------------------------------------------
def test_wrong_feature_size(data):
    x, y = data
    model = make_model()
    before = snapshot(model)
    bad = np.zeros((N, 8, 9), dtype="float32")
    with pytest.raises(ValueError) as info:
        model.fit(bad, y, verbose=0)
    message = str(info.value)
    assert "Dense 'dense'" in message and "64" in message and "72" in message
    with pytest.raises(ValueError, match="Dense 'dense'.*64"):
        model.predict(bad, verbose=0)
    with pytest.raises(ValueError, match="Dense 'dense'.*64"):
        model.evaluate(bad, y, verbose=0)
    assert_untouched_and_usable(model, before, x, y)


def test_feature_size_mismatch_of_a_deferred_model_after_it_was_built(data):
    x, y = data
    model = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    flat = x.reshape(N, 64)
    model.fit(flat, y, epochs=1, verbose=0)
    before = snapshot(model)
    with pytest.raises(ValueError) as info:
        model.fit(flat[:, :50], y, verbose=0)
    assert "64" in str(info.value) and "50" in str(info.value) and "dense" in str(info.value)
    assert_untouched_and_usable(model, before, flat, y)


@pytest.mark.parametrize("shape", [(N, 64), (N,), (N, 2, 8, 8)])
def test_wrong_rank(data, shape):
    x, y = data
    model = make_model()
    before = snapshot(model)
    with pytest.raises(ValueError) as info:
        model.fit(np.zeros(shape, dtype="float32"), y, verbose=0)
    message = str(info.value)
    assert "sequential" in message  # names the model
    assert "(None, 8, 8)" in message  # what it expects
    assert f"{len(shape)} dimension" in message  # what it got
    assert_untouched_and_usable(model, before, x, y)


def test_single_sample_without_batch_axis_gets_a_hint(data):
    x, y = data
    model = make_model()
    with pytest.raises(ValueError, match=r"single sample.*x\[None\]"):
        model.predict(x[0], verbose=0)
    assert model.predict(x[0][None], verbose=0).shape == (1, 10)


def test_x_and_y_of_different_lengths(data):
    x, y = data
    model = make_model()
    before = snapshot(model)
    with pytest.raises(ValueError) as info:
        model.fit(x, y[:50], verbose=0)
    message = str(info.value)
    assert "x has 64 samples" in message and "y has 50 samples" in message
    with pytest.raises(ValueError, match="50"):
        model.evaluate(x[:50], y, verbose=0)
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(x, y, sample_weight=np.ones(10), verbose=0)
    assert_untouched_and_usable(model, before, x, y)


# --- labels ---------------------------------------------------------------------------------------------------------
def test_sparse_labels_out_of_range(data):
    x, y = data
    model = make_model()
    before = snapshot(model)
    labels = y.copy()
    labels[5] = 10
    with pytest.raises(ValueError) as info:
        model.fit(x, labels, verbose=0)
    message = str(info.value)
    assert "sparse_categorical_crossentropy" in message
    assert "[0, 10)" in message and "10 outputs" in message and "to 10" in message
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        model.evaluate(x, labels, verbose=0)
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        model.fit(x, y, validation_data=(x, labels), verbose=0)
    assert_untouched_and_usable(model, before, x, y)


def test_sparse_labels_negative(data):
    x, y = data
    model = make_model()
    before = snapshot(model)
    labels = y.copy()
    labels[3] = -1
    with pytest.raises(ValueError) as info:
        model.fit(x, labels, verbose=0)
    assert "[0, 10)" in str(info.value) and "-1" in str(info.value)
    assert_untouched_and_usable(model, before, x, y)


def test_sparse_labels_not_integers(data):
    x, y = data
    model = make_model()
    before = snapshot(model)
    labels = y.astype("float32")
    labels[7] = 2.5
    with pytest.raises(ValueError) as info:
        model.fit(x, labels, verbose=0)
    message = str(info.value)
    assert "integer class ids" in message and "2.5" in message
    # whole-number floats are fine: Keras accepts them too
    model.fit(x, y.astype("float32"), epochs=1, verbose=0)
    before = snapshot(model)
    assert_untouched_and_usable(model, before, x, y)


def test_one_hot_labels_given_to_sparse_loss(data):
    x, y = data
    model = make_model()
    before = snapshot(model)
    with pytest.raises(ValueError) as info:
        model.fit(x, keras.utils.to_categorical(y, 10), verbose=0)
    assert "categorical_crossentropy" in str(info.value) and "(64, 10)" in str(info.value)
    assert_untouched_and_usable(model, before, x, y)


@pytest.mark.parametrize("shape", ["flat", "column"])
def test_integer_labels_given_to_categorical_crossentropy(data, shape):
    x, y = data
    model = make_model(loss="categorical_crossentropy")
    before = snapshot(model)
    labels = y if shape == "flat" else y[:, None]
    with pytest.raises(ValueError) as info:
        model.fit(x, labels, verbose=0)
    message = str(info.value)
    assert "sparse_categorical_crossentropy" in message and "to_categorical" in message
    assert str(labels.shape) in message and "(n, 10)" in message
    assert_untouched_and_usable(model, before, x, keras.utils.to_categorical(y, 10))


def test_one_hot_labels_of_the_wrong_width(data):
    x, y = data
    model = make_model(loss="categorical_crossentropy")
    before = snapshot(model)
    with pytest.raises(ValueError) as info:
        model.fit(x, keras.utils.to_categorical(y, 12), verbose=0)
    assert "10" in str(info.value) and "(64, 12)" in str(info.value)
    assert_untouched_and_usable(model, before, x, keras.utils.to_categorical(y, 10))


# --- compile -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch", "test_on_batch"])
def test_training_before_compile(data, method):
    x, y = data
    model = make_model(compile=False)
    weights = model.get_weights()
    with pytest.raises(ValueError) as info:  # as Keras 3 (RuntimeError before)
        getattr(model, method)(x, y)
    assert "compile()" in str(info.value) and f"{method}()" in str(info.value)
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert_untouched_and_usable(model, snapshot(model), x, y)


def test_predict_works_without_compile(data):
    x, _ = data
    assert make_model(compile=False).predict(x, verbose=0).shape == (N, 10)


@pytest.mark.parametrize("kind,kwargs,valid", [
    ("optimizer", {"optimizer": "adamm"}, ["adam", "sgd", "rmsprop"]),
    ("loss", {"loss": "sparse_categorical_crossentropyy"}, ["sparse_categorical_crossentropy", "mse"]),
    ("metric", {"metrics": ["acuracy"]}, ["accuracy", "mae"]),
])
def test_unknown_names_in_compile(data, kind, kwargs, valid):
    x, y = data
    model = make_model()
    model.fit(x, y, epochs=1, verbose=0)
    before = snapshot(model)
    arguments = {"optimizer": "adam", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], **kwargs}
    with pytest.raises(ValueError) as info:
        model.compile(**arguments)
    message = str(info.value)
    bad = kwargs.get("optimizer") or kwargs.get("loss") or kwargs["metrics"][0]
    assert f"Unknown {kind} {bad!r}" in message
    for name in valid:
        assert repr(name) in message
    assert_untouched_and_usable(model, before, x, y)  # the earlier compile still holds


def test_unknown_activation_name():
    with pytest.raises(ValueError) as info:
        layers.Dense(4, activation="rellu")
    message = str(info.value)
    assert "Unknown activation 'rellu'" in message
    for name in ("relu", "softmax", "sigmoid", "tanh"):
        assert repr(name) in message


def test_unknown_initializer_name():
    with pytest.raises(ValueError) as info:
        layers.Dense(4, kernel_initializer="glorot")
    message = str(info.value)
    assert "Unknown initializer 'glorot'" in message
    for name in ("glorot_uniform", "he_normal", "zeros"):
        assert repr(name) in message


# --- fit arguments ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("split", [1.0, 1.5, -0.1, "0.2"])
def test_validation_split_outside_zero_one(data, split):
    x, y = data
    model = make_model()
    before = snapshot(model)
    with pytest.raises(ValueError) as info:
        model.fit(x, y, validation_split=split, verbose=0)
    assert "validation_split" in str(info.value) and "[0, 1)" in str(info.value) and repr(split) in str(info.value)
    assert_untouched_and_usable(model, before, x, y)


def test_validation_split_that_leaves_no_training_sample(data):
    x, y = data
    model = make_model()
    before = snapshot(model)
    with pytest.raises(ValueError) as info:
        model.fit(x[:10], y[:10], validation_split=0.95, verbose=0)  # floor(10 * 0.05) = 0 training samples
    assert "0 training" in str(info.value) and "10" in str(info.value)
    assert_untouched_and_usable(model, before, x, y)


@pytest.mark.parametrize("batch_size", [0, -4, 2.5, "32", True])
def test_bad_batch_size(data, batch_size):
    x, y = data
    model = make_model()
    before = snapshot(model)
    for call in (lambda: model.fit(x, y, batch_size=batch_size, verbose=0),
                 lambda: model.evaluate(x, y, batch_size=batch_size, verbose=0),
                 lambda: model.predict(x, batch_size=batch_size, verbose=0)):
        with pytest.raises(ValueError) as info:
            call()
        assert "batch_size" in str(info.value) and "positive integer" in str(info.value)
        assert repr(batch_size) in str(info.value)
    assert_untouched_and_usable(model, before, x, y)


@pytest.mark.parametrize("epochs", [-1, 1.5, "2"])
def test_bad_epochs(data, epochs):
    x, y = data
    model = make_model()
    before = snapshot(model)
    with pytest.raises(ValueError, match="epochs"):
        model.fit(x, y, epochs=epochs, verbose=0)
    assert_untouched_and_usable(model, before, x, y)


# --- data ------------------------------------------------------------------------------------------------------------
def test_empty_arrays(data):
    x, y = data
    model = make_model()
    before = snapshot(model)
    empty_x, empty_y = np.zeros((0, 8, 8), dtype="float32"), np.zeros((0,), dtype="int64")
    for call in (lambda: model.fit(empty_x, empty_y, verbose=0),
                 lambda: model.evaluate(empty_x, empty_y, verbose=0),
                 lambda: model.predict(empty_x, verbose=0)):
        with pytest.raises(ValueError) as info:
            call()
        assert "empty" in str(info.value) and "0 samples" in str(info.value)
    assert_untouched_and_usable(model, before, x, y)


@pytest.mark.parametrize("value,word", [(np.nan, "NaN"), (np.inf, "infinite"), (-np.inf, "infinite")])
def test_non_finite_inputs_raise_instead_of_a_nan_history(data, value, word):
    x, y = data
    model = make_model()
    before = snapshot(model)
    bad = x.copy()
    bad[17, 3, 4] = value
    with pytest.raises(ValueError) as info:
        model.fit(bad, y, verbose=0)
    message = str(info.value)
    assert message.startswith("x contains") and word in message and "index 17" in message
    for call in (lambda: model.evaluate(bad, y, verbose=0),
                 lambda: model.predict(bad, verbose=0),
                 lambda: model.train_on_batch(bad, y),
                 lambda: model.fit(x, y, validation_data=(bad, y), verbose=0)):
        with pytest.raises(ValueError, match=word):
            call()
    assert model.history is None  # no epoch ever ran
    assert_untouched_and_usable(model, before, x, y)


def test_nan_in_float64_input_is_caught(data):
    x, y = data
    model = make_model()
    before = snapshot(model)
    bad = x.astype("float64")
    bad[N - 1, 0, 0] = np.nan
    with pytest.raises(ValueError, match=f"NaN.*index {N - 1}"):
        model.fit(bad, y, verbose=0)
    assert_untouched_and_usable(model, before, x, y)


def test_nan_in_targets(data):
    x, y = data
    model = make_model(loss="mse")
    before = snapshot(model)
    targets = keras.utils.to_categorical(y, 10)
    targets[9, 0] = np.nan
    with pytest.raises(ValueError) as info:
        model.fit(x, targets, verbose=0)
    assert info.value.args[0].startswith("y contains NaN") and "index 9" in str(info.value)
    assert_untouched_and_usable(model, before, x, keras.utils.to_categorical(y, 10))


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_huge_but_finite_inputs_are_not_mistaken_for_infinity():
    from glassnet.trainers.data import check_finite

    big = np.full((4, 8, 8), 1e308)  # their float64 sum overflows, yet every value is finite
    check_finite(big, "x")  # does not raise
    big[2, 1, 1] = np.inf
    with pytest.raises(ValueError, match="index 2"):
        check_finite(big, "x")


@pytest.mark.parametrize("batch_size", [32, 3])
def test_regression_targets_of_the_wrong_shape(batch_size):
    rng = np.random.default_rng(0)
    x, y = rng.random((30, 4)).astype("float32"), rng.random(30).astype("float32")
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    weights = model.get_weights()
    with pytest.raises(ValueError) as info:
        model.fit(x, y, batch_size=batch_size, verbose=0)
    message = str(info.value)
    assert "mse" in message or "mean_squared_error" in message
    assert "(30,)" in message and "3" in message
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
