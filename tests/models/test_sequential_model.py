"""Sequential: building (now or deferred), add/pop, get_layer, input rank rule, regularization losses."""

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers
from glassnet.models import Sequential


def tutorial_model():
    return keras.Sequential([
        keras.Input(shape=(28, 28)),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])


# --- building ------------------------------------------------------------------------------------------------------
def test_built_immediately_with_input():
    model = tutorial_model()
    assert model.built
    assert model.input_shape == (None, 28, 28)
    assert model.output_shape == (None, 10)
    assert [tuple(w.shape) for w in model.weights] == [(784, 128), (128,), (128, 10), (10,)]
    assert model.count_params() == 784 * 128 + 128 + 128 * 10 + 10
    assert [layer.name for layer in model.layers] == ["flatten", "dense", "dense_1"]  # InputLayer not listed


@pytest.mark.parametrize("first", [
    lambda: layers.Dense(16, activation="relu", input_shape=(20,)),
    lambda: layers.Dense(16, activation="relu", input_dim=20),
])
def test_built_immediately_with_input_shape_or_input_dim(first):
    model = Sequential([first(), layers.Dense(3)])
    assert model.built
    assert model.input_shape == (None, 20)
    assert [tuple(w.shape) for w in model.weights] == [(20, 16), (16,), (16, 3), (3,)]


def test_keras_2_style_add_with_input_dim_builds_at_once():
    model = Sequential()
    model.add(layers.Dense(units=64, activation="relu", input_dim=784))
    assert model.built and model.output_shape == (None, 64)
    model.add(layers.Dense(units=10, activation="softmax"))
    assert model.built and model.output_shape == (None, 10)
    assert model.layers[1].kernel.shape == (64, 10)


def test_deferred_build_until_data_arrives():
    model = Sequential([layers.Dense(4, activation="relu"), layers.Dense(2)])
    assert not model.built
    assert model.weights == []
    with pytest.raises(AttributeError, match="not been built"):
        model.input_shape
    out = model.predict(np.ones((3, 5), dtype="float32"), verbose=0)
    assert out.shape == (3, 2)
    assert model.built and model.input_shape == (None, 5)
    assert model.layers[0].kernel.shape == (5, 4)


def test_deferred_build_through_fit():
    model = Sequential([layers.Flatten(), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(np.zeros((6, 2, 3), dtype="float32"), np.zeros(6, dtype="int64"), epochs=1, verbose=0)
    assert model.layers[1].kernel.shape == (6, 3)


def test_explicit_build():
    model = Sequential([layers.Dense(4)])
    model.build((None, 7))
    assert model.built and model.layers[0].kernel.shape == (7, 4)


def test_add_and_pop():
    model = Sequential([keras.Input(shape=(5,)), layers.Dense(4)])
    assert model.output_shape == (None, 4)
    extra = layers.Dense(2, name="extra")
    model.add(extra)
    assert model.layers[-1] is extra and extra.built and model.output_shape == (None, 2)
    assert model.predict(np.ones((3, 5)), verbose=0).shape == (3, 2)
    popped = model.pop()
    assert popped is extra
    assert model.output_shape == (None, 4)
    assert model.predict(np.ones((3, 5)), verbose=0).shape == (3, 4)
    model.pop()
    with pytest.raises(TypeError, match="no layers"):
        model.pop()


def test_add_rejects_non_layers_duplicates_and_late_inputs():
    model = Sequential([layers.Dense(4, name="same")])
    with pytest.raises(TypeError, match="expects a Layer.*int"):
        model.add(3)
    with pytest.raises(ValueError, match="unique names.*'same'"):
        model.add(layers.Dense(2, name="same"))
    with pytest.raises(ValueError, match="first"):
        model.add(keras.Input(shape=(3,)))
    assert len(model.layers) == 1


def test_add_accepts_input_first():
    model = Sequential()
    model.add(keras.Input(shape=(6,)))
    model.add(layers.Dense(2))
    assert model.built and model.input_shape == (None, 6)


def test_get_layer_by_name_and_index():
    model = tutorial_model()
    dense = model.get_layer("dense")
    assert dense is model.layers[1]
    assert model.get_layer(index=0) is model.layers[0]
    assert model.get_layer(index=-1) is model.get_layer("dense_1")
    with pytest.raises(ValueError) as info:
        model.get_layer("dense_7")
    assert "dense_7" in str(info.value) and "'flatten', 'dense', 'dense_1'" in str(info.value)
    with pytest.raises(ValueError, match="out of range"):
        model.get_layer(index=3)
    with pytest.raises(ValueError, match="not both"):
        model.get_layer("dense", index=1)


def test_layer_names_are_unique_and_reset_by_clear_session():
    first = tutorial_model()
    second = tutorial_model()
    assert [layer.name for layer in second.layers] == ["flatten_1", "dense_2", "dense_3"]
    assert first.name == "sequential" and second.name == "sequential_1"
    keras.utils.clear_session()
    assert [layer.name for layer in tutorial_model().layers] == ["flatten", "dense", "dense_1"]


# --- the input rank rule (Keras' Functional._adjust_input_rank) --------------------------------------------------
def test_an_extra_trailing_axis_of_one_is_squeezed():
    model = Sequential([keras.Input(shape=(8, 8)), layers.Flatten(), layers.Dense(3)])
    x = np.random.default_rng(0).random((4, 8, 8)).astype("float32")
    np.testing.assert_allclose(model.predict(x[..., None], verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_a_missing_trailing_axis_of_one_is_added():
    model = Sequential([keras.Input(shape=(6, 1)), layers.Flatten(), layers.Dense(3)])
    x = np.random.default_rng(0).random((4, 6)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(x[..., None], verbose=0), rtol=1e-6)


def test_other_rank_differences_are_rejected_with_a_hint():
    model = Sequential([keras.Input(shape=(8, 8)), layers.Flatten(), layers.Dense(3)])
    with pytest.raises(ValueError) as info:
        model.predict(np.zeros((5, 64), dtype="float32"), verbose=0)
    message = str(info.value)
    assert "Sequential 'sequential'" in message and "(None, 8, 8)" in message and "(5, 64)" in message
    assert "x.reshape(-1, 8, 8)" in message


# --- regularization --------------------------------------------------------------------------------------------------
def regularized_pair(l2=0.01):
    keras.utils.set_random_seed(0)
    plain = Sequential([keras.Input(shape=(6,)), layers.Dense(5, activation="relu"), layers.Dense(3, activation="softmax")])
    regularized = Sequential([
        keras.Input(shape=(6,)),
        layers.Dense(5, activation="relu", kernel_regularizer=keras.regularizers.L2(l2)),
        layers.Dense(3, activation="softmax", kernel_regularizer="l2", bias_regularizer=keras.regularizers.L1(0.1)),
    ])
    regularized.set_weights(plain.get_weights())
    for model in (plain, regularized):
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy")
    return plain, regularized


def test_regularizers_add_to_the_training_loss():
    plain, regularized = regularized_pair()
    rng = np.random.default_rng(1)
    regularized.layers[1].bias.assign(rng.normal(size=3).astype("float32"))
    plain.layers[1].bias.assign(regularized.layers[1].bias.numpy())
    x, y = rng.random((16, 6)).astype("float32"), rng.integers(0, 3, 16)
    k1, _, k2, b2 = regularized.get_weights()
    penalty = 0.01 * np.sum(k1 ** 2) + 0.01 * np.sum(k2 ** 2) + 0.1 * np.sum(np.abs(b2))  # "l2" = L2(0.01)
    assert len(regularized.losses) == 3 and plain.losses == []
    assert float(sum(float(np.asarray(loss)) for loss in regularized.losses)) == pytest.approx(penalty, rel=1e-5)
    loss_plain = plain.train_on_batch(x, y)
    loss_regularized = regularized.train_on_batch(x, y)
    assert loss_regularized > loss_plain
    assert loss_regularized - loss_plain == pytest.approx(penalty, rel=1e-4)
    # and the penalty's gradient shrinks the weights more
    assert np.sum(regularized.get_weights()[0] ** 2) < np.sum(plain.get_weights()[0] ** 2)


def test_fit_history_loss_includes_the_penalty():
    plain, regularized = regularized_pair(l2=1.0)
    x = np.random.default_rng(2).random((32, 6)).astype("float32")
    y = np.zeros(32, dtype="int64")
    assert (regularized.fit(x, y, epochs=1, verbose=0).history["loss"][0]
            > plain.fit(x, y, epochs=1, verbose=0).history["loss"][0] + 0.1)


def test_frozen_layer_is_not_trained():
    model = Sequential([keras.Input(shape=(4,)), layers.Dense(3, name="frozen"), layers.Dense(2)])
    model.get_layer("frozen").trainable = False
    model.compile(optimizer="adam", loss="mse")
    before = model.get_layer("frozen").get_weights()
    model.fit(np.ones((8, 4)), np.zeros((8, 2)), epochs=2, verbose=0)
    for a, b in zip(before, model.get_layer("frozen").get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
