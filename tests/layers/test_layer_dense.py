"""Dense: arguments, forward formula, initializers, regularizers and run_layer_test."""

import math

import numpy as np
import pytest

import glassnet
from glassnet import initializers, layers, ops, regularizers
from glassnet.testing import run_layer_test


def _np_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _np_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


NUMPY_ACTIVATIONS = {
    None: lambda z: z,
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": _np_sigmoid,
    "tanh": np.tanh,
    "softmax": _np_softmax,
    "softplus": lambda z: np.log1p(np.exp(z)),
    "elu": lambda z: np.where(z > 0, z, np.expm1(z)),
}


@pytest.mark.parametrize("units", [0, -3, 2.5, "4", None, True])
def test_units_must_be_a_positive_integer(units):
    with pytest.raises(ValueError, match="units"):
        layers.Dense(units)


@pytest.mark.parametrize("activation", list(NUMPY_ACTIVATIONS))
def test_forward_matches_formula_for_activation_names(activation, rng):
    layer = layers.Dense(4, activation=activation)
    x = rng.standard_normal((5, 3)).astype("float32")
    out = layer(x)
    assert out.dtype == np.float32
    z = x.astype("float64") @ layer.kernel.numpy() + layer.bias.numpy()
    np.testing.assert_allclose(out.numpy(), NUMPY_ACTIVATIONS[activation](z), rtol=1e-5, atol=1e-6)


def test_activation_given_as_function_or_custom_callable(rng):
    x = rng.standard_normal((5, 3)).astype("float32")
    by_function = layers.Dense(4, activation=glassnet.activations.tanh)
    out = by_function(x)
    z = x @ by_function.kernel.numpy() + by_function.bias.numpy()
    np.testing.assert_allclose(out.numpy(), np.tanh(z), rtol=1e-5, atol=1e-6)

    custom = layers.Dense(4, activation=lambda t: ops.multiply(t, 3.0))
    out = custom(x)
    z = x @ custom.kernel.numpy() + custom.bias.numpy()
    np.testing.assert_allclose(out.numpy(), 3.0 * z, rtol=1e-5, atol=1e-6)


def test_unknown_activation_name_is_rejected():
    with pytest.raises(ValueError, match="relu"):
        layers.Dense(4, activation="rellu")


def test_applies_to_last_axis_of_nd_input(rng):
    layer = layers.Dense(2)
    x = rng.standard_normal((3, 4, 5)).astype("float32")
    out = layer(x)
    assert out.shape == (3, 4, 2)
    np.testing.assert_allclose(out.numpy(), x @ layer.kernel.numpy() + layer.bias.numpy(), rtol=1e-5, atol=1e-6)


def test_use_bias_false_has_only_a_kernel(rng):
    layer = layers.Dense(3, use_bias=False)
    x = rng.standard_normal((2, 4)).astype("float32")
    out = layer(x)
    assert layer.bias is None
    assert [w.path for w in layer.weights] == ["dense/kernel"]
    np.testing.assert_allclose(out.numpy(), x @ layer.kernel.numpy(), rtol=1e-5, atol=1e-6)
    assert layer.count_params() == 12


def test_input_dim_and_input_shape_keywords():
    by_dim = layers.Dense(3, input_dim=5)
    assert by_dim.get_config()["batch_input_shape"] == [None, 5]
    by_shape = layers.Dense(3, input_shape=(5,))
    assert by_shape.get_config()["batch_input_shape"] == [None, 5]
    model = glassnet.Sequential([layers.Dense(3, input_shape=(5,)), layers.Dense(2)])
    assert model.layers[0].kernel.shape == (5, 3)
    assert model.layers[1].kernel.shape == (3, 2)


def test_default_initializers_glorot_uniform_kernel_and_zero_bias():
    layer = layers.Dense(200)
    layer.build((None, 300))
    kernel = layer.kernel.numpy()
    limit = math.sqrt(6.0 / (300 + 200))
    assert kernel.shape == (300, 200) and kernel.dtype == np.float32
    assert np.abs(kernel).max() <= limit
    # U(-l, l) has standard deviation l / sqrt(3).
    assert abs(kernel.std() - limit / math.sqrt(3)) < 0.02 * limit
    assert abs(kernel.mean()) < 0.02 * limit
    np.testing.assert_array_equal(layer.bias.numpy(), np.zeros(200, "float32"))


def test_initializers_by_name_and_instance():
    layer = layers.Dense(3, kernel_initializer="ones", bias_initializer=initializers.Constant(0.25))
    layer.build((None, 2))
    np.testing.assert_array_equal(layer.kernel.numpy(), np.ones((2, 3)))
    np.testing.assert_array_equal(layer.bias.numpy(), np.full(3, 0.25))
    out = layer(np.array([[1.0, 2.0]], "float32"))
    np.testing.assert_allclose(out.numpy(), [[3.25, 3.25, 3.25]])


def test_same_seed_gives_same_initial_weights():
    glassnet.utils.set_random_seed(7)
    a = layers.Dense(4)
    a.build((None, 3))
    glassnet.utils.set_random_seed(7)
    b = layers.Dense(4)
    b.build((None, 3))
    np.testing.assert_array_equal(a.kernel.numpy(), b.kernel.numpy())
    c = layers.Dense(4)
    c.build((None, 3))
    assert not np.array_equal(a.kernel.numpy(), c.kernel.numpy())


def test_kernel_and_bias_regularizers_add_penalties_to_losses(rng):
    layer = layers.Dense(3, kernel_regularizer=regularizers.L2(0.05), bias_regularizer="l1",
                         bias_initializer=initializers.Constant(-0.5))
    layer(rng.standard_normal((2, 4)).astype("float32"))
    values = sorted(float(np.asarray(loss.numpy())) for loss in layer.losses)
    kernel = layer.kernel.numpy().astype("float64")
    expected = sorted([0.05 * np.sum(kernel ** 2), 0.01 * 3 * 0.5])
    np.testing.assert_allclose(values, expected, rtol=1e-5)


def test_regularizer_penalty_gradient_reaches_the_kernel(rng):
    layer = layers.Dense(3, kernel_regularizer=regularizers.L2(0.1), use_bias=False)
    layer(rng.standard_normal((2, 4)).astype("float32"))
    (penalty,) = layer.losses
    penalty.backward()
    np.testing.assert_allclose(layer.kernel.grad, 0.2 * layer.kernel.numpy(), rtol=1e-5)


def test_activity_regularizer_adds_loss_divided_by_batch_size(rng):
    # Keras 3: the activity penalty of the output, divided by the batch size.
    layer = layers.Dense(3, activity_regularizer=regularizers.L2(0.5))
    x = rng.standard_normal((4, 5)).astype("float32")
    out = layer(x, training=True)
    assert len(layer.losses) == 1
    expected = 0.5 * np.sum(out.numpy().astype("float64") ** 2) / 4
    np.testing.assert_allclose(float(layer.losses[0].numpy()), expected, rtol=1e-5)
    # As in Keras 3, the penalty is recorded at inference too (evaluate reports it).
    fresh = layers.Dense(3, activity_regularizer=regularizers.L1(0.5))
    out = fresh(x, training=False)
    assert len(fresh.losses) == 1
    np.testing.assert_allclose(float(fresh.losses[0].numpy()), 0.5 * np.abs(out.numpy()).sum() / 4, rtol=1e-5)


def test_activity_regularizer_matches_keras():
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("needs the Keras torch backend")
    # The example from keras.regularizers' docstring: kernel L1 0.01 plus activity L2 0.01 / batch.
    x = np.full((5, 5), 2.0, "float32")
    ours = layers.Dense(5, kernel_initializer="ones", kernel_regularizer=regularizers.L1(0.01),
                        activity_regularizer=regularizers.L2(0.01))
    ours(x, training=True)
    theirs = keras.layers.Dense(5, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L1(0.01),
                                activity_regularizer=keras.regularizers.L2(0.01))
    theirs(x)
    ours_total = sum(float(np.asarray(v.numpy())) for v in ours.losses)
    theirs_total = sum(float(keras.ops.convert_to_numpy(v)) for v in theirs.losses)
    np.testing.assert_allclose(ours_total, theirs_total, rtol=1e-6)
    np.testing.assert_allclose(ours_total, 5.25, rtol=1e-6)


def test_kernel_constraint_is_stored_and_applied_by_the_optimizer(rng):
    layer = layers.Dense(2, kernel_constraint="non_neg", kernel_initializer="ones")
    x = rng.standard_normal((3, 4)).astype("float32")
    loss = ops.sum(layer(x))
    loss.backward()
    optimizer = glassnet.optimizers.SGD(learning_rate=10.0)
    optimizer.apply([w.grad for w in layer.trainable_weights], layer.trainable_weights)
    expected = np.maximum(1.0 - 10.0 * np.tile(x.sum(axis=0)[:, None], (1, 2)), 0.0)
    np.testing.assert_allclose(layer.kernel.numpy(), expected, rtol=1e-5)


def test_config_round_trip_keeps_everything(rng):
    layer = layers.Dense(3, activation="tanh", use_bias=False, kernel_initializer="he_normal",
                         kernel_regularizer=regularizers.L1L2(l1=0.1, l2=0.2), kernel_constraint="max_norm",
                         name="d")
    config = layer.get_config()
    assert config["units"] == 3 and config["activation"] == "tanh" and config["use_bias"] is False
    clone = layers.Dense.from_config(config)
    assert clone.get_config() == config
    assert clone.kernel_regularizer.l1 == pytest.approx(0.1) and clone.kernel_regularizer.l2 == pytest.approx(0.2)
    assert isinstance(clone.kernel_initializer, initializers.HeNormal)
    assert isinstance(clone.kernel_constraint, glassnet.constraints.MaxNorm)


def test_compute_output_shape():
    assert layers.Dense(7).compute_output_shape((None, 3, 5)) == (None, 3, 7)


def test_float64_input_computes_in_float32(rng):
    layer = layers.Dense(2)
    out = layer(rng.standard_normal((3, 4)))
    assert out.dtype == np.float32


@pytest.mark.parametrize("kwargs,input_shape,expected", [
    (dict(units=3), (2, 4), (2, 3)),
    (dict(units=3, activation="relu"), (2, 4), (2, 3)),
    (dict(units=5, activation="softmax", use_bias=False), (2, 3, 4), (2, 3, 5)),
    (dict(units=2, activation="gelu", kernel_regularizer="l2"), (3, 6), (3, 2)),
])
def test_run_layer_test(kwargs, input_shape, expected):
    weights = 1 if kwargs.get("use_bias") is False else 2
    run_layer_test(layers.Dense, kwargs, input_shape=input_shape, expected_output_shape=expected,
                   expected_num_trainable_weights=weights, expected_num_non_trainable_weights=0)


def test_run_layer_test_catches_a_broken_layer():
    class ForgetsItsArgument(glassnet.Layer):
        def __init__(self, scale=1.0, **kwargs):
            super().__init__(**kwargs)
            self.scale = scale

        def call(self, inputs):
            return ops.multiply(inputs, self.scale)

        def get_config(self):  # forgets "scale" (without get_config, its arguments would be recorded, as in Keras)
            return super().get_config()

    with pytest.raises(AssertionError, match="from_config"):
        run_layer_test(ForgetsItsArgument, {"scale": 3.0})
    with pytest.raises(AssertionError, match="output shape"):
        run_layer_test(layers.Dense, {"units": 3}, input_shape=(2, 4), expected_output_shape=(2, 4))
