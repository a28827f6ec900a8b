"""Rescaling and Normalization: values against the formulas and Keras 3, adapt() on arrays and batches,
weights, gradients, saving, configs and argument errors."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported

import glassnet  # noqa: E402
from glassnet import layers, ops  # noqa: E402
from glassnet.autodiff import Tensor, gradcheck  # noqa: E402
from glassnet.layers.keras_tensor import KerasTensor  # noqa: E402
from glassnet.testing import run_layer_test  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")


def keras_module():
    if os.environ.get("KERAS_BACKEND") != "torch":
        pytest.skip("these comparisons use Keras on its torch backend")
    return pytest.importorskip("keras")


def features(shape=(200, 3), seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * np.arange(1, shape[-1] + 1) + np.arange(shape[-1]) * 5).astype("float32")


# --- Rescaling ------------------------------------------------------------------------------------------------------


def test_rescaling_formula_and_float32_from_uint8():
    x = np.arange(0, 256, 15, dtype="uint8").reshape(1, -1)
    out = layers.Rescaling(1 / 255)(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), x / 255, rtol=1e-6)
    np.testing.assert_allclose(layers.Rescaling(1 / 127.5, offset=-1)(x).numpy(), x / 127.5 - 1, rtol=1e-6,
                               atol=1e-6)


def test_rescaling_per_channel_scale_and_offset():
    x = np.ones((2, 2, 2, 3), "float32")
    out = layers.Rescaling([1.0, 2.0, 3.0], offset=np.array([0.0, -1.0, 1.0]))(x).numpy()
    np.testing.assert_allclose(out[0, 0, 0], [1.0, 1.0, 4.0])


def test_rescaling_gradient_is_the_scale():
    x = Tensor(features((4, 3)), requires_grad=True)
    ops.sum(layers.Rescaling(0.5, offset=2.0)(x)).backward()
    np.testing.assert_allclose(x.grad, 0.5)


@pytest.mark.parametrize("kwargs", [{"scale": 1 / 255}, {"scale": 2.0, "offset": -1.0},
                                    {"scale": [0.5, 1.0, 2.0], "offset": 0.25}])
def test_rescaling_matches_keras(kwargs):
    k = keras_module()
    x = features((5, 3))
    np.testing.assert_allclose(layers.Rescaling(**kwargs)(x).numpy(),
                               k.ops.convert_to_numpy(k.layers.Rescaling(**kwargs)(x)), rtol=1e-6, atol=1e-6)


def test_rescaling_config_round_trip_and_run_layer_test():
    layer = run_layer_test(layers.Rescaling, {"scale": np.array([0.5, 2.0]), "offset": 1.0}, input_shape=(3, 2),
                           expected_output_shape=(3, 2), expected_num_trainable_weights=0,
                           expected_num_non_trainable_weights=0)
    config = layer.get_config()
    assert config["scale"] == [0.5, 2.0] and config["offset"] == 1.0
    assert layers.Rescaling.from_config(config).get_config() == config


def test_rescaling_bad_scale_names_the_layer():
    with pytest.raises(ValueError, match=r"Rescaling 'rs'.*scale"):
        layers.Rescaling("big", name="rs")


# --- Normalization: adapt and formula ------------------------------------------------------------------------------


def test_normalization_adapt_gives_zero_mean_unit_variance_per_feature():
    x = features()
    layer = layers.Normalization()
    layer.adapt(x)
    np.testing.assert_allclose(layer.adapt_mean.numpy(), x.mean(axis=0), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.adapt_variance.numpy(), x.var(axis=0), rtol=1e-5)
    out = layer(x).numpy()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-4)


def test_normalization_formula_uses_max_of_sqrt_variance_and_epsilon():
    # y = (x - mean) / max(sqrt(variance), epsilon): a zero variance divides by epsilon = 1e-7
    layer = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.0])
    out = layer(np.array([[3.0, 2.5]], "float32")).numpy()
    np.testing.assert_allclose(out, [[1.0, 0.5 / 1e-7]], rtol=1e-5)
    assert layer.weights == []


def test_normalization_keras_docstring_examples():
    layer = layers.Normalization(axis=None)
    layer.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0], "float32"))
    np.testing.assert_allclose(layer(np.array([1.0, 2.0, 3.0], "float32")).numpy(),
                               [-1.4142135, -0.70710677, 0.0], rtol=1e-6)
    adapt_data = np.array([[0.0, 7.0, 4.0], [2.0, 9.0, 6.0], [0.0, 7.0, 4.0], [2.0, 9.0, 6.0]], "float32")
    layer = layers.Normalization(axis=-1)
    layer.adapt(adapt_data)
    np.testing.assert_allclose(layer(np.array([[0.0, 7.0, 4.0]], "float32")).numpy(), [[-1.0, -1.0, -1.0]])
    layer = layers.Normalization(mean=3.0, variance=2.0)
    np.testing.assert_allclose(layer(np.array([[1.0], [2.0], [3.0]], "float32")).numpy(),
                               [[-1.4142135], [-0.70710677], [0.0]], rtol=1e-6)
    layer = layers.Normalization(axis=-1, invert=True)
    layer.adapt(adapt_data)
    np.testing.assert_allclose(layer(np.array([[1.0, 2.0, 3.0]], "float32")).numpy(), [[2.0, 10.0, 8.0]])


def test_invert_undoes_normalization():
    x = features()
    forward, backward = layers.Normalization(), layers.Normalization(invert=True)
    forward.adapt(x)
    backward.adapt(x)
    np.testing.assert_allclose(backward(forward(x)).numpy(), x, rtol=1e-5, atol=1e-4)


def test_adapt_on_batches_equals_adapt_on_the_whole():
    x = features((300, 4))
    whole, batched, generated, pairs = (layers.Normalization() for _ in range(4))
    whole.adapt(x)
    batched.adapt([x[:70], x[70:200], x[200:]])
    generated.adapt(x[i:i + 64] for i in range(0, 300, 64))
    pairs.adapt([(x[:150], np.zeros(150)), (x[150:], np.zeros(150))])
    for other in (batched, generated, pairs):
        np.testing.assert_allclose(other.adapt_mean.numpy(), whole.adapt_mean.numpy(), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(other.adapt_variance.numpy(), whole.adapt_variance.numpy(), rtol=1e-5)


def test_adapt_large_array_in_chunks_is_accurate():
    x = (np.random.default_rng(1).standard_normal((20000, 2)) + 1000.0).astype("float32")
    layer = layers.Normalization()
    layer.adapt(x)
    np.testing.assert_allclose(layer.adapt_mean.numpy(), x.astype("float64").mean(axis=0), rtol=1e-7)
    np.testing.assert_allclose(layer.adapt_variance.numpy(), x.astype("float64").var(axis=0), rtol=1e-5)


@pytest.mark.parametrize("axis,shape", [(-1, (50, 4)), (None, (50, 4)), (-1, (30, 3, 4)), ((1, 2), (30, 3, 4)),
                                        (1, (30, 3, 4)), (-1, (40,))])
def test_normalization_matches_keras(axis, shape):
    k = keras_module()
    x = features(shape) if len(shape) > 1 else features((shape[0], 1))[:, 0]
    ours, theirs = layers.Normalization(axis=axis), k.layers.Normalization(axis=axis)
    ours.adapt(x)
    theirs.adapt(x)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.path.split("/")[-1] for w in ours.weights] == [w.path.split("/")[-1] for w in theirs.weights]
    np.testing.assert_allclose(ours(x).numpy(), k.ops.convert_to_numpy(theirs(x)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kwargs", [{"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0]},
                                    {"mean": 2.0, "variance": 3.0},
                                    {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0], "invert": True}])
def test_normalization_with_given_statistics_matches_keras(kwargs):
    k = keras_module()
    x = features((6, 3))
    np.testing.assert_allclose(layers.Normalization(**kwargs)(x).numpy(),
                               k.ops.convert_to_numpy(k.layers.Normalization(**kwargs)(x)), rtol=1e-6, atol=1e-6)


def test_given_statistics_align_to_the_last_kept_axes():
    x = np.ones((2, 3, 4), "float32")
    layer = layers.Normalization(axis=(1, 2), mean=[0.0, 1.0, 2.0, 3.0], variance=[1.0, 1.0, 1.0, 1.0])
    out = layer(x).numpy()
    np.testing.assert_allclose(out[0, 0], [1.0, 0.0, -1.0, -2.0])
    np.testing.assert_allclose(out[1, 2], [1.0, 0.0, -1.0, -2.0])


def test_normalization_gradient_passes_through():
    layer = layers.Normalization(mean=[1.0, -2.0], variance=[4.0, 0.25])
    layer.dtype = "float64"
    gradcheck(lambda x: layer(x), [np.random.default_rng(0).standard_normal((3, 2))])
    x = Tensor(features((3, 2)), requires_grad=True)
    ops.sum(layer(x)).backward()
    np.testing.assert_allclose(x.grad, np.broadcast_to([0.5, 2.0], (3, 2)))


# --- Normalization: weights, models, saving ------------------------------------------------------------------------


def test_normalization_weights_are_non_trainable_and_counted():
    layer = layers.Normalization()
    layer.adapt(features((20, 3)))
    assert layer.trainable_weights == []
    assert [w.path for w in layer.non_trainable_weights] == ["normalization/mean", "normalization/variance",
                                                             "normalization/count"]
    assert layer.count_params() == 7  # as Keras: mean, variance and the legacy count


def test_unadapted_layer_is_identity_and_adapt_after_build_updates_in_place():
    x = features((10, 3))
    layer = layers.Normalization()
    np.testing.assert_allclose(layer(x).numpy(), x)
    layer.adapt(x)
    np.testing.assert_allclose(layer(x).numpy().mean(axis=0), 0, atol=1e-5)


def test_normalization_in_a_model_trains_saves_and_reloads(tmp_path):
    x = features((64, 3))
    y = (x @ np.array([[0.5], [-0.2], [0.1]], "float32")).astype("float32")
    norm = layers.Normalization()
    norm.adapt(x)
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), norm, layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, verbose=0)
    np.testing.assert_allclose(norm.adapt_mean.numpy(), x.mean(axis=0), rtol=1e-5, atol=1e-5)  # fit leaves it
    path = str(tmp_path / "norm.weights.h5")
    model.save_weights(path)
    fresh = glassnet.Sequential([glassnet.Input(shape=(3,)), layers.Normalization(), layers.Dense(1)])
    fresh.load_weights(path)
    np.testing.assert_allclose(fresh.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_symbolic_call_builds_with_unknown_batch():
    layer = layers.Normalization()
    out = layer(KerasTensor((None, 5)))
    assert out.shape == (None, 5)
    assert layer.adapt_mean.shape == (5,)


@pytest.mark.parametrize("kwargs", [{}, {"axis": None}, {"axis": (1, 2)}, {"mean": [0.0, 1.0, 2.0, 3.0],
                                                                            "variance": [1.0, 2.0, 3.0, 4.0]},
                                    {"invert": True}])
def test_normalization_run_layer_test_and_config(kwargs):
    layer = run_layer_test(layers.Normalization, kwargs, input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                           expected_num_trainable_weights=0,
                           expected_num_non_trainable_weights=0 if "mean" in kwargs else 3)
    config = layer.get_config()
    assert layers.Normalization.from_config(config).get_config() == config


def test_normalization_config_keys_match_keras():
    k = keras_module()
    assert set(k.layers.Normalization().get_config()) <= set(layers.Normalization().get_config())
    assert set(k.layers.Rescaling(1.0).get_config()) <= set(layers.Rescaling(1.0).get_config())


# --- Normalization: errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make,match", [
    (lambda: layers.Normalization(mean=1.0, name="norm"), r"Normalization 'norm'.*`mean` and `variance`"),
    (lambda: layers.Normalization(mean=[1.0, 2.0], variance=[1.0], name="norm"), r"Normalization 'norm'.*shape"),
    (lambda: layers.Normalization(axis=-1, mean=[[1.0]], variance=[[1.0]], name="norm"),
     r"Normalization 'norm'.*`mean`"),
    (lambda: layers.Normalization(axis="last", name="norm"), r"Normalization 'norm'.*axis"),
    (lambda: layers.Normalization(mean=0.0, variance=-1.0, name="norm"), r"Normalization 'norm'.*variance"),
])
def test_bad_arguments_name_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_adapt_and_call_errors_name_the_layer():
    layer = layers.Normalization(name="norm")
    layer.adapt(features((10, 3)))
    with pytest.raises(ValueError, match=r"Normalization 'norm'.*\(10, 4\)"):
        layer.adapt(features((10, 4)))
    with pytest.raises(ValueError, match=r"Normalization 'norm2'.*axis"):
        layers.Normalization(axis=3, name="norm2")(features((4, 3)))
    with pytest.raises(ValueError, match=r"Normalization 'norm3'.*fixed"):
        layers.Normalization(mean=0.0, variance=1.0, name="norm3").adapt(features((4, 3)))
    with pytest.raises(ValueError, match=r"Normalization 'norm4'.*known size"):
        layers.Normalization(axis=0, name="norm4")(KerasTensor((None, 3)))
    with pytest.raises(ValueError, match=r"Normalization 'norm5'.*empty"):
        layers.Normalization(name="norm5").adapt(iter([]))
