"""SpatialDropout1D/2D, GaussianNoise and GaussianDropout: training-only behaviour, statistics, seeding,
gradients, configs and argument errors."""

import math
import os

import numpy as np
import pytest

import glassnet
from glassnet import layers, ops
from glassnet.autodiff import Tensor
from glassnet.testing import run_layer_test

os.environ.setdefault("KERAS_BACKEND", "torch")  # if Keras is imported here, on torch

NOISE_LAYERS = [
    (layers.SpatialDropout1D, {"rate": 0.5}, (4, 6, 5)),
    (layers.SpatialDropout2D, {"rate": 0.5}, (4, 3, 3, 5)),
    (layers.GaussianNoise, {"stddev": 0.3}, (4, 6, 5)),
    (layers.GaussianDropout, {"rate": 0.4}, (4, 6, 5)),
]


def data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32") + 2.0


@pytest.mark.parametrize("cls,kwargs,shape", NOISE_LAYERS)
@pytest.mark.parametrize("training", [False, None])
def test_identity_unless_training(cls, kwargs, shape, training):
    x = data(shape)
    np.testing.assert_array_equal(cls(**kwargs)(x, training=training).numpy(), x)
    np.testing.assert_array_equal(cls(**kwargs)(x).numpy(), x)


@pytest.mark.parametrize("cls,kwargs,shape", NOISE_LAYERS)
def test_training_changes_values_and_stays_float32(cls, kwargs, shape):
    x = data(shape)
    out = cls(**kwargs)(x, training=True).numpy()
    assert out.dtype == np.float32 and out.shape == x.shape
    assert not np.array_equal(out, x)


@pytest.mark.parametrize("cls,kwargs,shape", NOISE_LAYERS)
def test_global_seed_repeats_and_successive_calls_differ(cls, kwargs, shape):
    x = data(shape)
    glassnet.utils.set_random_seed(7)
    layer = cls(**kwargs)
    first, second = layer(x, training=True).numpy(), layer(x, training=True).numpy()
    glassnet.utils.set_random_seed(7)
    again = cls(**kwargs)
    np.testing.assert_array_equal(again(x, training=True).numpy(), first)
    np.testing.assert_array_equal(again(x, training=True).numpy(), second)
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("cls,kwargs,shape", NOISE_LAYERS)
def test_layer_seed_repeats_without_touching_the_global_generator(cls, kwargs, shape):
    x = data(shape)
    a = cls(**kwargs, seed=11)(x, training=True).numpy()
    before = glassnet.random.global_generator().bit_generator.state
    b = cls(**kwargs, seed=11)(x, training=True).numpy()
    assert glassnet.random.global_generator().bit_generator.state == before
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, cls(**kwargs, seed=12)(x, training=True).numpy())


# --- SpatialDropout ----------------------------------------------------------------------------------------------


def test_spatial_dropout2d_drops_whole_channels_and_scales_the_rest():
    rate = 0.3
    x = data((40, 4, 5, 16))
    out = layers.SpatialDropout2D(rate)(x, training=True).numpy()
    ratio = out / x
    # one decision per (sample, channel), shared by every pixel
    np.testing.assert_allclose(ratio, np.broadcast_to(ratio[:, :1, :1, :], ratio.shape), rtol=1e-6)
    decisions = ratio[:, 0, 0, :]
    kept = decisions != 0
    np.testing.assert_allclose(decisions[kept], 1 / (1 - rate), rtol=1e-5)
    # 640 Bernoulli(0.3) draws: standard error of the dropped share is 0.018
    assert abs(np.mean(decisions == 0) - rate) < 0.08


def test_spatial_dropout1d_drops_a_channel_at_every_step():
    out = layers.SpatialDropout1D(0.5)(np.ones((30, 7, 10), "float32"), training=True).numpy()
    np.testing.assert_array_equal(out, np.broadcast_to(out[:, :1, :], out.shape))
    assert set(np.unique(out)) == {0.0, 2.0}


def test_spatial_dropout_gradient_is_the_mask():
    x = Tensor(data((6, 3, 3, 4)), requires_grad=True)
    out = layers.SpatialDropout2D(0.5)(x, training=True)
    ops.sum(out).backward()
    np.testing.assert_allclose(x.grad, out.numpy() / x.numpy(), rtol=1e-5)


def test_spatial_dropout_rates_zero_and_one():
    x = data((2, 3, 3, 4))
    np.testing.assert_array_equal(layers.SpatialDropout2D(0.0)(x, training=True).numpy(), x)
    np.testing.assert_array_equal(layers.SpatialDropout2D(1.0)(x, training=True).numpy(), np.zeros_like(x))


def test_spatial_dropout_is_a_dropout_with_keras_config():
    layer = layers.SpatialDropout2D(0.25, seed=3, name="sd")
    assert isinstance(layer, layers.Dropout)
    config = layer.get_config()
    assert config["rate"] == 0.25 and config["seed"] == 3 and config["data_format"] == "channels_last"
    assert "noise_shape" not in config
    assert layers.SpatialDropout2D.from_config(config).get_config() == config
    assert "data_format" not in layers.SpatialDropout1D(0.1).get_config()


# --- GaussianNoise / GaussianDropout -------------------------------------------------------------------------------


def test_gaussian_noise_statistics():
    x = np.full((200, 100), 3.0, "float32")
    noise = layers.GaussianNoise(0.5)(x, training=True).numpy() - x
    assert abs(noise.mean()) < 0.02  # 20000 draws: standard error 0.0035
    assert abs(noise.std() - 0.5) < 0.02


def test_gaussian_dropout_statistics():
    rate = 0.2
    x = np.full((200, 100), 2.0, "float32")
    factor = layers.GaussianDropout(rate)(x, training=True).numpy() / x
    assert abs(factor.mean() - 1.0) < 0.02
    assert abs(factor.std() - math.sqrt(rate / (1 - rate))) < 0.02


def test_gaussian_noise_gradient_is_one_and_gaussian_dropout_gradient_is_the_noise():
    x = Tensor(data((5, 4)), requires_grad=True)
    ops.sum(layers.GaussianNoise(0.3)(x, training=True)).backward()
    np.testing.assert_array_equal(x.grad, np.ones((5, 4), "float32"))
    x.grad = None
    out = layers.GaussianDropout(0.3)(x, training=True)
    ops.sum(out).backward()
    np.testing.assert_allclose(x.grad, out.numpy() / x.numpy(), rtol=1e-5)


def test_integer_inputs_become_float32_under_noise():
    x = np.arange(12).reshape(3, 4)
    assert layers.GaussianNoise(0.1)(x, training=True).dtype == np.float32
    assert layers.GaussianDropout(0.1)(x, training=True).dtype == np.float32


def test_zero_stddev_and_rate_are_identity_in_training():
    x = data((3, 4))
    np.testing.assert_array_equal(layers.GaussianNoise(0.0)(x, training=True).numpy(), x)
    np.testing.assert_array_equal(layers.GaussianDropout(0.0)(x, training=True).numpy(), x)


def test_noise_layers_train_in_a_model_and_predict_deterministically():
    model = glassnet.Sequential([glassnet.Input(shape=(6, 4)), layers.GaussianNoise(0.1),
                                 layers.SpatialDropout1D(0.2), layers.GaussianDropout(0.2), layers.Flatten(),
                                 layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x, y = data((16, 6, 4)), np.ones((16, 1), "float32")
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


# --- configs and errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls,kwargs,shape", NOISE_LAYERS)
def test_run_layer_test(cls, kwargs, shape):
    layer = run_layer_test(cls, dict(kwargs, seed=5), input_shape=shape, expected_output_shape=shape,
                           expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)
    assert cls.from_config(layer.get_config()).get_config() == layer.get_config()


def test_configs_have_keras_keys():
    k = pytest.importorskip("keras")
    for name, kwargs in [("SpatialDropout1D", {"rate": 0.1}), ("SpatialDropout2D", {"rate": 0.1}),
                         ("GaussianNoise", {"stddev": 0.1}), ("GaussianDropout", {"rate": 0.1})]:
        theirs = set(getattr(k.layers, name)(**kwargs).get_config())
        ours = set(getattr(layers, name)(**kwargs).get_config())
        assert theirs <= ours, (name, theirs - ours)


@pytest.mark.parametrize("make,match", [
    (lambda: layers.SpatialDropout1D(1.5, name="sd"), r"SpatialDropout1D 'sd'.*rate"),
    (lambda: layers.SpatialDropout2D(-0.1, name="sd"), r"SpatialDropout2D 'sd'.*rate"),
    (lambda: layers.SpatialDropout2D("0.5", name="sd"), r"SpatialDropout2D 'sd'.*rate"),
    (lambda: layers.SpatialDropout2D(0.5, data_format="channels_first", name="sd"),
     r"SpatialDropout2D 'sd'.*data_format"),
    (lambda: layers.GaussianNoise(-1.0, name="gn"), r"GaussianNoise 'gn'.*stddev"),
    (lambda: layers.GaussianNoise(None, name="gn"), r"GaussianNoise 'gn'.*stddev"),
    (lambda: layers.GaussianDropout(1.0, name="gd"), r"GaussianDropout 'gd'.*rate"),
    (lambda: layers.GaussianDropout(-0.2, name="gd"), r"GaussianDropout 'gd'.*rate"),
])
def test_bad_arguments_name_the_layer_and_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_spatial_dropout_wrong_rank_names_the_layer():
    with pytest.raises(ValueError, match=r"SpatialDropout2D 'sd2'.*4 dimensions"):
        layers.SpatialDropout2D(0.5, name="sd2")(data((2, 3, 4)), training=True)
    with pytest.raises(ValueError, match=r"SpatialDropout1D 'sd1'.*3 dimensions"):
        layers.SpatialDropout1D(0.5, name="sd1")(data((2, 3)), training=True)
