"""One seed repeats a run bit for bit; Dropout is active in training only."""

import numpy as np

import glassnet as keras
from glassnet import layers


def digits(n):
    (x, y), (xt, yt) = keras.datasets.digits.load_data()
    return x[:n].astype("float32") / 255.0, y[:n], xt.astype("float32") / 255.0, yt


def dropout_model(rate=0.5):
    model = keras.Sequential([
        keras.Input(shape=(8, 8)),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dropout(rate),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def run(seed):
    keras.utils.set_random_seed(seed)
    x, y, xt, _ = digits(400)
    model = dropout_model()
    history = model.fit(x, y, epochs=3, batch_size=32, validation_split=0.2, verbose=0)
    return history.history, model.get_weights(), model.predict(xt, verbose=0)


def test_same_seed_same_run_bit_for_bit():
    history_a, weights_a, predictions_a = run(7)
    history_b, weights_b, predictions_b = run(7)
    assert history_a == history_b  # exact float equality
    assert len(weights_a) == len(weights_b)
    for a, b in zip(weights_a, weights_b):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert np.array_equal(predictions_a, predictions_b)


def test_different_seed_different_run():
    history_a, weights_a, _ = run(7)
    history_b, weights_b, _ = run(8)
    assert history_a != history_b
    assert not np.array_equal(weights_a[0], weights_b[0])


def test_seed_fixes_initial_weights_and_shuffling_separately():
    keras.utils.set_random_seed(3)
    first = dropout_model().get_weights()
    keras.utils.set_random_seed(3)
    second = dropout_model().get_weights()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    # biases start at zero and kernels are glorot_uniform, as in Keras
    limit = np.sqrt(6.0 / (64 + 64))
    assert np.abs(first[0]).max() <= limit and np.abs(first[0]).max() > 0.9 * limit
    np.testing.assert_array_equal(first[1], 0.0)


def test_dropout_model_trains_and_predict_is_deterministic():
    x, y, xt, yt = digits(1000)
    model = dropout_model(rate=0.3)
    history = model.fit(x, y, epochs=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    first = model.predict(xt, verbose=0)
    second = model.predict(xt, verbose=0)
    np.testing.assert_array_equal(first, second)
    assert model.evaluate(xt, yt, verbose=0)[1] > 0.8
    assert model.evaluate(xt, yt, verbose=0) == model.evaluate(xt, yt, verbose=0)


def test_dropout_is_active_in_training_calls_only():
    _, _, xt, _ = digits(10)
    model = dropout_model(rate=0.5)
    with keras.no_grad():
        inference = model(xt).numpy()
        again = model(xt, training=False).numpy()
        training_a = model(xt, training=True).numpy()
        training_b = model(xt, training=True).numpy()
    np.testing.assert_array_equal(inference, again)
    assert not np.allclose(training_a, inference)
    assert not np.array_equal(training_a, training_b)  # a fresh mask each call


def test_inverted_dropout_scaling():
    layer = layers.Dropout(0.25)
    ones = np.ones((200, 50), dtype="float32")
    out = layer(ones, training=True).numpy()
    kept = out[out != 0]
    np.testing.assert_allclose(kept, 1 / 0.75, rtol=1e-6)
    assert abs((out == 0).mean() - 0.25) < 0.02
    np.testing.assert_array_equal(layer(ones, training=False).numpy(), ones)


def test_dropout_with_its_own_seed_does_not_disturb_the_global_generator():
    keras.utils.set_random_seed(11)
    reference = keras.random.global_generator().random(3)
    keras.utils.set_random_seed(11)
    layers.Dropout(0.5, seed=1)(np.ones((4, 4), dtype="float32"), training=True)
    np.testing.assert_array_equal(keras.random.global_generator().random(3), reference)
