"""Lambda: a function of tensors as a layer; saved by name, or as bytecode that loads only with safe_mode=False."""

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers, ops
from glassnet.saving.serialization_lib import deserialize_keras_object, serialize_keras_object


def squared_plus(x, offset=0.0):
    return ops.square(x) + offset


def test_lambda_applies_the_function_with_its_arguments(rng):
    x = rng.standard_normal((3, 4)).astype("float32")
    layer = layers.Lambda(squared_plus, arguments={"offset": 1.0})
    np.testing.assert_allclose(layer(x).numpy(), x ** 2 + 1.0, rtol=1e-6)
    assert layer(keras.Input(shape=(4,))).shape == (None, 4)


def test_output_shape_given_or_found_by_running_the_function():
    found = layers.Lambda(lambda x: ops.concatenate([x, x], axis=-1))(keras.Input(shape=(3,)))
    assert found.shape == (None, 6)
    given = layers.Lambda(lambda x: ops.reshape(x, (-1, 2, 3)), output_shape=(2, 3))(keras.Input(shape=(6,)))
    assert given.shape == (None, 2, 3)
    by_function = layers.Lambda(lambda x: x[:, :2], output_shape=lambda s: (s[0], 2))(keras.Input(shape=(5,)))
    assert by_function.shape == (None, 2)


def test_training_flag_reaches_a_function_that_asks_for_it(rng):
    layer = layers.Lambda(lambda x, training=None: x * (2.0 if training else 1.0))
    x = np.ones((1, 2), dtype="float32")
    assert layer(x, training=True).numpy().tolist() == [[2.0, 2.0]]
    assert layer(x, training=False).numpy().tolist() == [[1.0, 1.0]]


def test_gradients_flow_through_a_lambda(rng):
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, layers.Dense(1)(layers.Lambda(lambda x: ops.tanh(x) * 2.0)(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.random((32, 3)).astype("float32"), rng.random((32, 1)).astype("float32")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=10, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before


def test_a_named_function_is_saved_by_name_and_found_through_custom_objects():
    config = serialize_keras_object(layers.Lambda(squared_plus, output_shape=(4,), arguments={"offset": 2.0}))
    assert config["config"]["function"] == {"module": "builtins", "class_name": "function", "config": "squared_plus",
                                            "registered_name": "function"}
    with pytest.raises(ValueError, match="Unknown function 'squared_plus'.*custom_objects"):
        deserialize_keras_object(config)
    layer = deserialize_keras_object(config, custom_objects={"squared_plus": squared_plus})
    assert layer.function is squared_plus and layer.arguments == {"offset": 2.0}


def test_a_python_lambda_is_bytecode_refused_in_safe_mode(rng):
    with pytest.warns(UserWarning, match="bytecode"):
        config = serialize_keras_object(layers.Lambda(lambda x: x * 3.0 + 1.0))
    assert config["config"]["function"]["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="safe_mode=False"):
        deserialize_keras_object(config)
    with pytest.raises(ValueError, match="safe_mode=False"):  # from_config alone is safe by default too
        layers.Lambda.from_config(config["config"])
    layer = deserialize_keras_object(config, safe_mode=False)
    x = rng.random((2, 3)).astype("float32")
    np.testing.assert_allclose(layer(x).numpy(), x * 3.0 + 1.0, rtol=1e-6)


def test_lambda_config_matches_keras_for_a_named_function():
    import os

    os.environ["KERAS_BACKEND"] = "torch"
    k = pytest.importorskip("keras")
    ours = serialize_keras_object(layers.Lambda(squared_plus, output_shape=(4,), name="lam"))
    theirs = k.saving.serialize_keras_object(k.layers.Lambda(squared_plus, output_shape=(4,), name="lam"))
    assert ours["config"]["function"] == theirs["config"]["function"]
    assert ours["module"] == theirs["module"] and ours["class_name"] == theirs["class_name"]
    assert list(ours["config"]["output_shape"]) == list(theirs["config"]["output_shape"])
