"""Dropout: inverted dropout in training, identity at inference, seeds, noise_shape."""

import numpy as np
import pytest

import glassnet
from glassnet import layers, ops
from glassnet.testing import run_layer_test


@pytest.mark.parametrize("training", [False, None])
def test_identity_when_not_training(training, rng):
    x = rng.standard_normal((8, 16)).astype("float32")
    out = layers.Dropout(0.5)(x, training=training)
    np.testing.assert_array_equal(out.numpy(), x)


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5, 0.8])
def test_training_zeros_about_rate_and_scales_survivors(rate):
    x = np.ones((200, 100), "float32")
    out = layers.Dropout(rate)(x, training=True).numpy()
    dropped = np.mean(out == 0)
    # 20000 Bernoulli draws: the standard error of the dropped share is below 0.0036.
    assert abs(dropped - rate) < 0.02
    survivors = out[out != 0]
    np.testing.assert_allclose(survivors, 1.0 / (1.0 - rate), rtol=1e-6)
    # The expectation of the output is the input.
    assert abs(out.mean() - 1.0) < 0.05


def test_survivors_keep_their_own_values_scaled(rng):
    x = rng.standard_normal((50, 40)).astype("float32") + 3.0
    out = layers.Dropout(0.25)(x, training=True).numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], x[kept] / 0.75, rtol=1e-6)


def test_rate_zero_and_one(rng):
    x = rng.standard_normal((4, 5)).astype("float32")
    np.testing.assert_array_equal(layers.Dropout(0.0)(x, training=True).numpy(), x)
    np.testing.assert_array_equal(layers.Dropout(1.0)(x, training=True).numpy(), np.zeros_like(x))


@pytest.mark.parametrize("rate", [-0.1, 1.5, "0.5", None])
def test_rate_must_be_in_unit_interval(rate):
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(rate)


@pytest.mark.parametrize("rate", [np.float32(0.25), np.float64(0.25), np.int64(0)])
def test_numpy_scalar_rates_are_accepted(rate):
    x = np.ones((100, 100), "float32")
    out = layers.Dropout(rate)(x, training=True).numpy()
    assert layers.Dropout(rate).rate == float(rate)
    assert abs(np.mean(out == 0) - float(rate)) < 0.03


def test_same_global_seed_gives_same_mask():
    x = np.ones((20, 30), "float32")
    glassnet.utils.set_random_seed(42)
    first = layers.Dropout(0.5)(x, training=True).numpy()
    glassnet.utils.set_random_seed(42)
    second = layers.Dropout(0.5)(x, training=True).numpy()
    np.testing.assert_array_equal(first, second)
    third = layers.Dropout(0.5)(x, training=True).numpy()
    assert not np.array_equal(first, third)


def test_layer_seed_repeats_and_successive_calls_differ():
    x = np.ones((20, 30), "float32")
    a, b = layers.Dropout(0.5, seed=3), layers.Dropout(0.5, seed=3)
    first_a, first_b = a(x, training=True).numpy(), b(x, training=True).numpy()
    np.testing.assert_array_equal(first_a, first_b)
    assert not np.array_equal(first_a, a(x, training=True).numpy())


def test_noise_shape_shares_mask_along_axes_of_size_one():
    x = np.ones((6, 10, 8), "float32")
    out = layers.Dropout(0.5, noise_shape=(None, 1, 8))(x, training=True).numpy()
    # The same mask for every timestep of a sample...
    np.testing.assert_array_equal(out, np.broadcast_to(out[:, :1, :], out.shape))
    # ...but masks differ between samples and features.
    assert 0 < np.mean(out[:, 0, :] == 0) < 1
    out = layers.Dropout(0.5, noise_shape=(6, 10, 1))(x, training=True).numpy()
    np.testing.assert_array_equal(out, np.broadcast_to(out[:, :, :1], out.shape))


def test_gradient_is_the_same_mask(rng):
    x = glassnet.Tensor(rng.standard_normal((10, 12)).astype("float32"), requires_grad=True)
    out = layers.Dropout(0.4)(x, training=True)
    ops.sum(out).backward()
    mask = out.numpy() / x.numpy()
    np.testing.assert_allclose(x.grad, mask, rtol=1e-5)
    grad = x.grad
    assert np.all((grad == 0) | np.isclose(grad, 1 / 0.6, rtol=1e-6))
    assert 0 < np.mean(grad == 0) < 1


def test_output_stays_float32():
    assert layers.Dropout(0.3)(np.ones((4, 4), "float32"), training=True).dtype == np.float32


def test_config_round_trip():
    layer = layers.Dropout(0.3, noise_shape=(None, 1, 4), seed=9, name="drop")
    config = layer.get_config()
    assert config["rate"] == 0.3 and config["seed"] == 9 and tuple(config["noise_shape"]) == (None, 1, 4)
    clone = layers.Dropout.from_config(config)
    assert clone.get_config() == config


@pytest.mark.parametrize("kwargs", [dict(rate=0.5), dict(rate=0.2, seed=1), dict(rate=0.5, noise_shape=(None, 1, 4))])
def test_run_layer_test(kwargs):
    run_layer_test(layers.Dropout, kwargs, input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)
