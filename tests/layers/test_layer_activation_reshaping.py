"""Activation, Flatten and Reshape layers."""

import numpy as np
import pytest

import glassnet
from glassnet import layers, ops
from glassnet.testing import run_layer_test


# --- Activation ------------------------------------------------------------------------------


@pytest.mark.parametrize("name,formula", [
    ("relu", lambda x: np.maximum(x, 0)),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("tanh", np.tanh),
    ("softmax", lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)),
    ("linear", lambda x: x),
    ("leaky_relu", lambda x: np.where(x > 0, x, 0.2 * x)),
    ("softsign", lambda x: x / (1 + np.abs(x))),
])
def test_activation_layer_applies_named_function(name, formula, rng):
    x = rng.standard_normal((3, 4)).astype("float32")
    out = layers.Activation(name)(x)
    np.testing.assert_allclose(out.numpy(), formula(x.astype("float64")), rtol=1e-5, atol=1e-6)


def test_activation_layer_accepts_a_function_and_has_no_weights(rng):
    layer = layers.Activation(glassnet.activations.relu)
    x = rng.standard_normal((2, 5)).astype("float32")
    np.testing.assert_array_equal(layer(x).numpy(), np.maximum(x, 0))
    assert layer.weights == []
    assert layer.get_config()["activation"] == "relu"


def test_activation_layer_softmax_gradient(rng):
    x = glassnet.Tensor(rng.standard_normal((2, 3)).astype("float32"), requires_grad=True)
    y = layers.Activation("softmax")(x)
    weights = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]], "float32")
    ops.sum(ops.multiply(y, weights)).backward()
    p = y.numpy()
    expected = p * (weights - (p * weights).sum(axis=-1, keepdims=True))
    np.testing.assert_allclose(x.grad, expected, rtol=1e-5, atol=1e-6)


def test_activation_layer_unknown_name():
    with pytest.raises(ValueError, match="Unknown"):
        layers.Activation("not_an_activation")


@pytest.mark.parametrize("name", ["relu", "tanh", "softmax", "sigmoid"])
def test_activation_run_layer_test(name):
    run_layer_test(layers.Activation, {"activation": name}, input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


# --- Flatten --------------------------------------------------------------------------------------


def test_flatten_keeps_batch_axis_in_c_order(rng):
    x = rng.standard_normal((2, 3, 4, 5)).astype("float32")
    out = layers.Flatten()(x)
    assert out.shape == (2, 60)
    np.testing.assert_array_equal(out.numpy(), x.reshape(2, 60))


def test_flatten_of_2d_is_identity_and_of_1_sample(rng):
    x = rng.standard_normal((1, 7)).astype("float32")
    np.testing.assert_array_equal(layers.Flatten()(x).numpy(), x)
    assert layers.Flatten()(np.zeros((1, 2, 2), "float32")).shape == (1, 4)


def test_flatten_gradient_is_reshaped_back(rng):
    x = glassnet.Tensor(rng.standard_normal((2, 3, 2)).astype("float32"), requires_grad=True)
    weights = np.arange(12, dtype="float32").reshape(2, 6)
    ops.sum(ops.multiply(layers.Flatten()(x), weights)).backward()
    np.testing.assert_array_equal(x.grad, weights.reshape(2, 3, 2))


def test_flatten_symbolic_shapes():
    assert layers.Flatten()(glassnet.Input(shape=(28, 28, 1))).shape == (None, 784)
    assert layers.Flatten().compute_output_shape((None, 3, None)) == (None, None)


def test_flatten_run_layer_test():
    run_layer_test(layers.Flatten, {}, input_shape=(2, 3, 4), expected_output_shape=(2, 12),
                   expected_num_trainable_weights=0)


# --- Reshape --------------------------------------------------------------------------------------


def test_reshape_to_target(rng):
    x = rng.standard_normal((2, 12)).astype("float32")
    out = layers.Reshape((3, 4))(x)
    assert out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out.numpy(), x.reshape(2, 3, 4))


@pytest.mark.parametrize("target,expected", [((-1,), (2, 24)), ((4, -1), (2, 4, 6)), ((-1, 2, 3), (2, 4, 2, 3))])
def test_reshape_infers_one_minus_one(target, expected, rng):
    x = rng.standard_normal((2, 3, 8)).astype("float32")
    out = layers.Reshape(target)(x)
    assert out.shape == expected
    np.testing.assert_array_equal(out.numpy(), x.reshape(expected))


def test_reshape_symbolic_and_compute_output_shape():
    assert layers.Reshape((7, 7, -1))(glassnet.Input(shape=(98,))).shape == (None, 7, 7, 2)
    assert layers.Reshape((2, 5)).compute_output_shape((None, 10)) == (None, 2, 5)


def test_reshape_rejects_two_unknown_dimensions():
    with pytest.raises(ValueError, match="-1"):
        layers.Reshape((-1, -1))


def test_reshape_rejects_wrong_size_and_names_layer():
    layer = layers.Reshape((4, 4), name="to_square")
    with pytest.raises(ValueError) as info:
        layer(np.zeros((2, 15), "float32"))
    message = str(info.value)
    assert "to_square" in message and "16" in message and "15" in message


def test_reshape_rejects_indivisible_size_with_minus_one():
    with pytest.raises(ValueError, match="reshape"):
        layers.Reshape((-1, 4))(np.zeros((2, 10), "float32"))


def test_reshape_symbolic_wrong_size_is_rejected():
    with pytest.raises(ValueError):
        layers.Reshape((3, 3))(glassnet.Input(shape=(10,)))


def test_reshape_config_round_trip():
    layer = layers.Reshape((2, -1), name="r")
    config = layer.get_config()
    assert list(config["target_shape"]) == [2, -1]
    assert layers.Reshape.from_config(config).target_shape == (2, -1)


@pytest.mark.parametrize("target,expected", [((12,), (2, 12)), ((2, -1), (2, 2, 6)), ((4, 3, 1), (2, 4, 3, 1))])
def test_reshape_run_layer_test(target, expected):
    run_layer_test(layers.Reshape, {"target_shape": target}, input_shape=(2, 3, 4), expected_output_shape=expected,
                   expected_num_trainable_weights=0)
