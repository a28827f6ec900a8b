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


# --- a failed call changes nothing: weights, iterations and the optimizer's slots ----------------------------------------
def trained_model(data, **compile_arguments):
    """A model trained one epoch, so its optimizer has slots (Adam's moments) to compare."""
    x, y = data
    model = make_model()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    if compile_arguments:
        model.compile(optimizer=model.optimizer, **compile_arguments)
    return model


def full_snapshot(model):
    return snapshot(model), [np.array(v, copy=True) for v in model.optimizer.variables]


def assert_nothing_changed(model, before, x, y):
    """Weights, optimizer (iterations and every slot) as before; then a correct fit trains."""
    plain, slots = before
    now = model.optimizer.variables
    assert len(now) == len(slots) > 1  # iterations and the slots
    for a, b in zip(slots, now):
        np.testing.assert_array_equal(a, b)
    assert_untouched_and_usable(model, plain, x, y)


@pytest.mark.parametrize("value,word", [(np.nan, "NaN"), (np.inf, "infinite")])
def test_non_finite_sample_weight(data, value, word):
    x, y = data
    model = trained_model(data)
    before = full_snapshot(model)
    weights = np.ones(N, dtype="float32")
    weights[11] = value
    for call in (lambda: model.fit(x, y, sample_weight=weights, verbose=0),
                 lambda: model.train_on_batch(x, y, sample_weight=weights),
                 lambda: model.evaluate(x, y, sample_weight=weights, verbose=0),
                 lambda: model.fit(iter([(x, y, weights)]), verbose=0)):
        with pytest.raises(ValueError) as info:
            call()
        message = str(info.value)
        assert message.startswith("sample_weight contains") and word in message and "index 11" in message
    assert_nothing_changed(model, before, x, y)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_class_weight(data, value):
    x, y = data
    model = trained_model(data)
    before = full_snapshot(model)
    class_weight = {0: 1.0, 3: value}
    for call in (lambda: model.fit(x, y, class_weight=class_weight, verbose=0),
                 lambda: model.train_on_batch(x, y, class_weight=class_weight)):
        with pytest.raises(ValueError) as info:
            call()
        assert "class_weight for class 3" in str(info.value) and str(float(value)) in str(info.value)
        assert "finite" in str(info.value)
    assert_nothing_changed(model, before, x, y)


@pytest.mark.parametrize("weight,shown", [("2", "'2'"), (1 + 2j, "complex"), (None, "None"), (True, "bool")])
def test_class_weight_that_is_not_a_real_number(data, weight, shown):
    x, y = data
    model = trained_model(data)
    before = full_snapshot(model)
    with pytest.raises(ValueError) as info:
        model.fit(x, y, class_weight={0: 1.0, 1: weight}, verbose=0)
    message = str(info.value)
    assert "class_weight" in message and "real numbers" in message and "class 1" in message and shown in message
    assert_nothing_changed(model, before, x, y)


@pytest.mark.parametrize("metric,expected", [
    ("auc", "(n, 10)"), ("precision", "(n, 10)"), ("recall", "(n, 10)"), ("binary_accuracy", "(n, 10)"),
    ("top_k_categorical_accuracy", "(n, 10)"), ("categorical_accuracy", "(n, 10)"), ("mse", "(n, 10)"),
    ("mae", "(n, 10)"),
])
def test_metric_that_cannot_take_the_targets_fails_before_the_first_update(data, metric, expected):
    x, y = data
    model = trained_model(data)
    model.compile(optimizer=model.optimizer, loss="sparse_categorical_crossentropy", metrics=[metric])
    before = full_snapshot(model)
    for call in (lambda: model.fit(x, y, verbose=0), lambda: model.train_on_batch(x, y),
                 lambda: model.fit(iter([(x[:32], y[:32]), (x[32:], y[32:])]), verbose=0)):
        with pytest.raises(ValueError) as info:
            call()
        message = str(info.value)
        assert f"Metric '{metric}'" in message and expected in message
        assert "(64,)" in message or "(32,)" in message  # the targets' shape (all of them, or the first batch)
        assert "broadcast" not in message  # no raw NumPy error
    model.compile(optimizer=model.optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert_nothing_changed(model, before, x, y)


def test_a_custom_metric_that_raises_fails_before_the_first_update(data):
    x, y = data

    class Fussy(keras.metrics.Metric):
        def update_state(self, y_true, y_pred, sample_weight=None):
            raise ValueError("Fussy cannot take these targets")

        def result(self):
            return 0.0

        def reset_state(self):
            pass

    model = trained_model(data)
    model.compile(optimizer=model.optimizer, loss="sparse_categorical_crossentropy", metrics=[Fussy()])
    before = full_snapshot(model)
    for call in (lambda: model.fit(x, y, verbose=0), lambda: model.train_on_batch(x, y)):
        with pytest.raises(ValueError, match="Fussy cannot"):
            call()
    model.compile(optimizer=model.optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert_nothing_changed(model, before, x, y)


@pytest.mark.parametrize("label", [-1, 10])
def test_generator_labels_out_of_range_after_the_first_batch(data, label):
    """The bad second batch raises before its step: the model holds exactly the first batch's update."""
    x, y = data
    labels = y.copy()
    labels[40] = label  # in the second batch of 32
    keras.utils.set_random_seed(1)
    model = make_model()
    keras.utils.set_random_seed(1)
    twin = make_model()
    for source in (lambda: iter([(x[:32], labels[:32]), (x[32:], labels[32:])]),
                   lambda: ListDataset(x, labels, 32)):
        model.set_weights(twin.get_weights())
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        with pytest.raises(ValueError) as info:
            model.fit(source(), verbose=0, shuffle=False)
        message = str(info.value)
        assert "[0, 10)" in message and str(label) in message
        assert model.optimizer.iterations == 1
    twin.fit(iter([(x[:32], labels[:32])]), verbose=0)  # the first batch alone
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)
    history = model.fit(iter([(x[:32], y[:32]), (x[32:], y[32:])]), verbose=0)
    assert np.isfinite(history.history["loss"]).all()


class ListDataset(keras.utils.PyDataset):
    def __init__(self, x, y, size):
        super().__init__()
        self.x, self.y, self.size = x, y, size

    def __len__(self):
        return -(-len(self.x) // self.size)

    def __getitem__(self, index):
        part = slice(index * self.size, (index + 1) * self.size)
        return self.x[part], self.y[part]


@pytest.mark.parametrize("kind,dtype", [("strings", "<U"), ("bytes", "|S"), ("complex", "complex64")])
def test_x_of_strings_bytes_or_complex_numbers(data, kind, dtype):
    x, y = data
    bad = {"strings": x.astype(str), "bytes": x.astype(bytes), "complex": x + 1j}[kind]
    model = trained_model(data)
    before = full_snapshot(model)
    for call in (lambda: model.fit(bad, y, verbose=0), lambda: model.train_on_batch(bad, y),
                 lambda: model.evaluate(bad, y, verbose=0), lambda: model.predict(bad, verbose=0),
                 lambda: model.fit(iter([(bad, y)]), verbose=0)):
        with pytest.raises(ValueError) as info:
            call()
        message = str(info.value)
        assert message.startswith("x must hold real numbers or booleans") and f"dtype {dtype}" in message
    assert_nothing_changed(model, before, x, y)


@pytest.mark.parametrize("name", ["y", "sample_weight"])
def test_targets_or_weights_that_are_not_real_numbers(data, name):
    x, y = data
    model = trained_model(data)
    before = full_snapshot(model)
    arguments = {"y": y.astype(str)} if name == "y" else {"y": y, "sample_weight": np.ones(N) + 0j}
    with pytest.raises(ValueError) as info:
        model.fit(x, verbose=0, **arguments)
    assert str(info.value).startswith(f"{name} must hold real numbers or booleans, got dtype")
    assert_nothing_changed(model, before, x, y)


def test_sparse_labels_with_several_columns(data):
    x, y = data
    model = trained_model(data)
    before = full_snapshot(model)
    labels = np.stack([y, y, y], axis=1)  # (64, 3): not one id per sample
    for call in (lambda: model.fit(x, labels, verbose=0), lambda: model.train_on_batch(x, labels)):
        with pytest.raises(ValueError) as info:
            call()
        message = str(info.value)
        assert "sparse_categorical_crossentropy" in message and "(n,) or (n, 1)" in message
        assert "(64, 3)" in message and "(n, 10)" in message
    assert_nothing_changed(model, before, x, y)


def test_dict_input_with_an_unknown_key(data):
    x, y = data
    inputs = keras.Input(shape=(8, 8), name="pixels")
    hidden = layers.Dense(16, activation="relu")(layers.Flatten()(inputs))
    functional = keras.Model(inputs, layers.Dense(10, activation="softmax")(hidden))
    functional.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    functional.fit({"pixels": x}, y, epochs=1, verbose=0)
    before = full_snapshot(functional)
    with pytest.raises(ValueError) as info:
        functional.fit({"image": x}, y, verbose=0)
    assert "x is a dict keyed ['image']" in str(info.value) and "['pixels']" in str(info.value)
    assert_nothing_changed(functional, before, {"pixels": x}, y)

    sequential = trained_model(data)
    before = full_snapshot(sequential)
    for call in (lambda: sequential.fit({"image": x}, y, verbose=0), lambda: sequential.predict({"image": x})):
        with pytest.raises(ValueError) as info:
            call()
        assert "takes one input array" in str(info.value) and "['image']" in str(info.value)
    assert_nothing_changed(sequential, before, x, y)


def test_ragged_lists_name_the_argument(data):
    x, y = data
    model = trained_model(data)
    before = full_snapshot(model)
    ragged = [[0.5] * 64, [0.5] * 60]
    with pytest.raises(ValueError) as info:
        model.fit(ragged, [0, 1], verbose=0)
    message = str(info.value)
    assert message.startswith("x could not be read as an array") and "different lengths" in message
    with pytest.raises(ValueError, match="^y could not be read"):
        model.fit(x[:2], [[0], [1, 2]], verbose=0)
    assert_nothing_changed(model, before, x, y)


def test_a_loss_owns_its_target_check(data):
    """A custom Loss's check_targets runs on the targets before the first update, generator batches included."""
    x, y = data

    class Halved(keras.losses.Loss):
        checked = []

        def call(self, y_true, y_pred):
            return keras.losses.SparseCategoricalCrossentropy(reduction="none")(y_true, y_pred) * 0.5

        def check_targets(self, y_true, y_pred_shape):
            Halved.checked.append((y_true.shape, y_pred_shape))
            if (y_true == 7).any():
                raise ValueError("Halved refuses label 7")

    model = make_model(loss=Halved())
    weights = model.get_weights()
    with pytest.raises(ValueError, match="refuses label 7"):
        model.fit(x, np.where(y == 7, 7, y), verbose=0)
    assert Halved.checked[0] == ((N,), (None, 10))  # all targets at once; the batch axis is free
    assert model.optimizer.iterations == 0
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    Halved.checked.clear()
    clean = np.where(y == 7, 0, y)
    model.fit(iter([(x[:32], clean[:32]), (x[32:], clean[32:])]), verbose=0)
    assert [shape for shape, _ in Halved.checked] == [(32,), (32,)]  # every batch of a generator
    assert Halved.checked[1][1] == (None, 10)


def test_a_class_weight_beyond_float32_is_refused_before_training():
    import glassnet as keras

    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="finite in float32"):
        model.fit(np.ones((4, 3), "float32"), np.array([0, 1, 0, 1]), class_weight={0: 1e39, 1: 1.0}, verbose=0)
    assert int(model.optimizer.iterations) == 0
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_a_later_generator_batch_without_targets_gets_a_clear_error():
    import glassnet as keras

    def batches():
        yield np.ones((4, 3), "float32"), np.array([0, 1, 0, 1])
        yield (np.ones((4, 3), "float32"),)

    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="has no targets"):
        model.fit(batches(), epochs=1, verbose=0)


def test_train_on_batch_checks_labels_of_every_batch_and_the_model_once_per_layout(monkeypatch):
    import glassnet as keras

    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.ones((4, 3), "float32")
    full_checks = []
    original = type(model)._check_against_model
    monkeypatch.setattr(type(model), "_check_against_model",
                        lambda self, *args, **kwargs: full_checks.append(1) or original(self, *args, **kwargs))
    model.train_on_batch(x, np.array([0, 1, 0, 1]))
    model.train_on_batch(x, np.array([1, 1, 0, 0]))
    assert len(full_checks) == 1
    iterations, weights = int(model.optimizer.iterations), [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="9"):
        model.train_on_batch(x, np.array([0, 9, 0, 1]))  # a label beyond the 2 classes, in a later batch
    assert int(model.optimizer.iterations) == iterations
    for old, new in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    model.train_on_batch(np.ones((2, 3), "float32"), np.array([0, 1]))  # another layout: checked in full again
    assert len(full_checks) == 2
