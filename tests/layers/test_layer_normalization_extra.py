"""UnitNormalization and GroupNormalization: Keras 3 parity, files, formulas, gradients, errors."""

import os

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.autodiff import gradcheck
from glassnet.testing import run_layer_test

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

CASES = [
    ("UnitNormalization", {}, (3, 7)),
    ("UnitNormalization", dict(axis=[1, 2]), (2, 4, 3)),
    ("UnitNormalization", dict(axis=1), (2, 4, 3)),
    ("GroupNormalization", dict(groups=2), (3, 6)),
    ("GroupNormalization", dict(groups=3), (2, 5, 5, 6)),
    ("GroupNormalization", dict(groups=-1), (2, 4, 3)),
    ("GroupNormalization", dict(groups=1, epsilon=1e-5, center=False), (2, 3, 4)),
    ("GroupNormalization", dict(groups=2, axis=1, scale=False), (2, 4, 5)),
]


def plain(value):
    return (value["class_name"], value["config"]) if isinstance(value, dict) else value


@pytest.mark.parametrize("name, kwargs, shape", CASES)
def test_equal_to_keras_with_the_same_weights(name, kwargs, shape, rng):
    keras = pytest.importorskip("keras")
    x = (rng.standard_normal(shape) * 3 + 1).astype("float32")
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    ours.build(shape)
    theirs.build(shape)
    weights = [rng.standard_normal(tuple(w.shape)).astype("float32") for w in theirs.weights]
    assert [tuple(w.shape) for w in ours.weights] == [w.shape for w in weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    want = np.asarray(keras.ops.convert_to_numpy(theirs(x)))
    np.testing.assert_allclose(ours(x).numpy(), want, rtol=1e-5, atol=1e-5)
    config = {k: plain(v) for k, v in theirs.get_config().items() if k not in ("name", "dtype")}
    assert {k: plain(ours.get_config()[k]) for k in config} == config


def test_group_normalization_formula(rng):
    x = rng.standard_normal((2, 3, 6)).astype("float32")
    layer = layers.GroupNormalization(groups=2, epsilon=1e-3)
    gamma, beta = rng.standard_normal(6).astype("float32"), rng.standard_normal(6).astype("float32")
    layer.build(x.shape)
    layer.set_weights([gamma, beta])
    groups = x.reshape(2, 3, 2, 3)
    mean, var = groups.mean(axis=(1, 3), keepdims=True), groups.var(axis=(1, 3), keepdims=True)
    want = ((groups - mean) / np.sqrt(var + 1e-3)).reshape(2, 3, 6) * gamma + beta
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=1e-5, atol=1e-5)
    assert layer.get_config()["groups"] == 2


def test_unit_normalization_gives_unit_norms_and_keeps_zeros(rng):
    x = rng.standard_normal((4, 5)).astype("float32")
    x[1] = 0.0
    y = layers.UnitNormalization()(x).numpy()
    np.testing.assert_allclose(np.linalg.norm(y[[0, 2, 3]], axis=1), 1.0, rtol=1e-6)
    assert (y[1] == 0).all()


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name, kwargs, shape", [CASES[1], CASES[4], CASES[7]])
def test_keras_files_load_both_ways(tmp_path, name, kwargs, shape, rng):
    keras = pytest.importorskip("keras")
    x = rng.standard_normal(shape).astype("float32")

    def build(m):
        inputs = m.Input(shape=shape[1:])
        return m.Model(inputs, getattr(m.layers, name)(**kwargs)(m.layers.Dense(shape[-1])(inputs)))

    theirs = build(keras)
    last = theirs.layers[-1]
    last.set_weights([rng.standard_normal(tuple(w.shape)).astype("float32") for w in last.weights])
    theirs.save(tmp_path / "theirs.keras")
    loaded = gn.models.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    ours = build(gn)
    last = ours.layers[-1]
    last.set_weights([rng.standard_normal(tuple(w.shape)).astype("float32") for w in last.weights])
    ours.save(tmp_path / "ours.keras")
    back = keras.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(back.predict(x, verbose=0), ours.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name, kwargs, shape", CASES)
def test_run_layer_test(name, kwargs, shape):
    trainable = 0 if name == "UnitNormalization" else int(kwargs.get("center", True)) + int(kwargs.get("scale", True))
    run_layer_test(getattr(layers, name), kwargs, input_shape=shape, expected_output_shape=shape,
                   expected_num_trainable_weights=trainable, expected_num_non_trainable_weights=0)


@pytest.mark.parametrize("kwargs, shape", [(dict(groups=2), (2, 3, 4)), (dict(groups=2, axis=1), (2, 4, 3)),
                                           (dict(groups=-1), (2, 3, 2))])
def test_group_normalization_gradients_by_finite_differences(kwargs, shape, rng):
    layer = layers.GroupNormalization(**kwargs, dtype="float64")
    layer.build(shape)
    channels = layer.gamma.shape

    def run(x, gamma, beta):
        layer.gamma, layer.beta = gamma, beta
        return layer(x)

    assert gradcheck(run, [rng.standard_normal(shape), rng.standard_normal(channels), rng.standard_normal(channels)])


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_unit_normalization_gradients_by_finite_differences(axis, rng):
    assert gradcheck(layers.UnitNormalization(axis=axis, dtype="float64"), [rng.standard_normal((2, 3, 4))])


@pytest.mark.parametrize("make, message", [
    (lambda: layers.GroupNormalization(groups=0), "`groups` must be a positive integer"),
    (lambda: layers.GroupNormalization(groups=2.5), "`groups` must be a positive integer"),
    (lambda: layers.GroupNormalization(groups=4)(np.ones((2, 6), "float32")), "cannot be split into 4 equal"),
    (lambda: layers.GroupNormalization(groups=8)(np.ones((2, 6), "float32")), "cannot be split into 8 equal"),
    (lambda: layers.GroupNormalization(groups=1, axis=0)(np.ones((2, 6), "float32")), "not a non-batch axis"),
    (lambda: layers.UnitNormalization(axis="x"), "`axis` must be an int or a list of ints"),
    (lambda: layers.UnitNormalization(axis=3)(np.ones((2, 6), "float32")), "out of range"),
])
def test_bad_arguments_get_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_failed_build_makes_no_weights():
    layer = layers.GroupNormalization(groups=4)
    with pytest.raises(ValueError):
        layer(np.ones((2, 6), "float32"))
    assert layer.weights == [] and layer.groups == 4
