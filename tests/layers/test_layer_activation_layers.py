"""The activation layers ReLU, LeakyReLU, PReLU, ELU, Softmax and Identity: Keras 3 parity, files, gradients."""

import os

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.autodiff import gradcheck
from glassnet.testing import run_layer_test

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def keras_or_skip():
    return pytest.importorskip("keras")


def keras_value(tensor):
    keras = keras_or_skip()
    return np.asarray(keras.ops.convert_to_numpy(tensor))


CASES = [
    ("ReLU", {}, (3, 7)),
    ("ReLU", dict(max_value=1.5), (3, 7)),
    ("ReLU", dict(negative_slope=0.2, threshold=0.5), (3, 7)),
    ("ReLU", dict(max_value=2.0, negative_slope=0.1, threshold=0.3), (2, 3, 5)),
    ("ReLU", dict(negative_slope=0.25), (4, 6)),
    ("LeakyReLU", {}, (3, 7)),
    ("LeakyReLU", dict(negative_slope=0.05), (2, 3, 4)),
    ("ELU", {}, (3, 7)),
    ("ELU", dict(alpha=0.5), (3, 7)),
    ("Softmax", {}, (3, 7)),
    ("Softmax", dict(axis=1), (2, 4, 3)),
    ("Softmax", dict(axis=(1, 2)), (2, 4, 3)),
    ("Identity", {}, (2, 5)),
    ("PReLU", {}, (3, 6)),
    ("PReLU", dict(shared_axes=[1, 2]), (2, 4, 5, 3)),
    ("PReLU", dict(shared_axes=1), (2, 4, 3)),
]


@pytest.mark.parametrize("name, kwargs, shape", CASES)
def test_equal_to_keras_with_the_same_weights(name, kwargs, shape, rng):
    keras = keras_or_skip()
    x = (rng.standard_normal(shape) * 2).astype("float32")
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    ours.build(shape)
    theirs.build(shape)
    weights = [rng.standard_normal(tuple(w.shape)).astype("float32") for w in theirs.weights]
    assert [tuple(w.shape) for w in ours.weights] == [w.shape for w in weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    np.testing.assert_allclose(ours(x).numpy(), keras_value(theirs(x)), rtol=1e-6, atol=1e-6)
    assert_same_config(ours, theirs)


def assert_same_config(ours, theirs):
    """Keras' constructor arguments, equal in ours (serialized objects compared by class and config)."""
    def plain(value):
        return (value["class_name"], value["config"]) if isinstance(value, dict) else value

    config = {k: plain(v) for k, v in theirs.get_config().items() if k not in ("name", "dtype")}
    assert {k: plain(ours.get_config()[k]) for k in config} == config


def test_relu_pieces_by_hand():
    x = np.array([-2.0, -0.5, 0.0, 0.4, 0.5, 1.0, 3.0], "float32")
    y = layers.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.5)(x).numpy()
    np.testing.assert_allclose(y, [-0.25, -0.1, -0.05, -0.01, 0.5, 1.0, 2.0], rtol=1e-6)


def test_softmax_masks_like_keras(rng):
    keras = keras_or_skip()
    x = rng.standard_normal((2, 3, 5)).astype("float32")
    mask = rng.random((2, 3, 5)) > 0.4
    mask[0, 1] = False  # a fully masked row gives zeros
    for m in (mask, mask.astype("float32"), mask[:, :1, :]):
        got = layers.Softmax()(x, mask=m).numpy()
        np.testing.assert_allclose(got, keras_value(keras.layers.Softmax()(x, mask=m)), rtol=1e-6, atol=1e-7)
    got = layers.Softmax()(x, mask=mask).numpy()
    assert (got[~mask] == 0).all() and (got[0, 1] == 0).all()
    np.testing.assert_allclose(got[1].sum(axis=-1)[mask[1].any(axis=-1)], 1.0, rtol=1e-6)


def test_softmax_uses_the_mask_an_embedding_carries():
    ids = np.array([[3, 1, 0, 0]])
    scores = layers.Embedding(5, 4, mask_zero=True)(ids)  # (1, 4, 4), carrying a (1, 4) mask
    y = layers.Softmax()(scores).numpy()  # the mask broadcasts over the last axis: entries 2 and 3 get nothing
    assert (y[0, :, 2:] == 0).all() and (y[0, :, :2] > 0).all()
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-6)


def _models(module, name, kwargs, shape):
    inputs = module.Input(shape=shape[1:])
    return module.Model(inputs, getattr(module.layers, name)(**kwargs)(module.layers.Dense(shape[-1])(inputs)))


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name, kwargs, shape", [c for c in CASES if c[0] in ("PReLU", "ReLU", "Softmax")])
def test_keras_files_load_both_ways(tmp_path, name, kwargs, shape, rng):
    keras = keras_or_skip()
    x = rng.standard_normal(shape).astype("float32")
    theirs = _models(keras, name, kwargs, shape)
    if name == "PReLU":
        theirs.layers[-1].set_weights([rng.standard_normal(tuple(w.shape)).astype("float32")
                                       for w in theirs.layers[-1].weights])
    theirs.save(tmp_path / "theirs.keras")
    loaded = gn.models.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    ours = _models(gn, name, kwargs, shape)
    ours.save(tmp_path / "ours.keras")
    back = keras.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(back.predict(x, verbose=0), ours.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name, kwargs, shape", CASES)
def test_run_layer_test(name, kwargs, shape):
    weights = 1 if name == "PReLU" else 0
    run_layer_test(getattr(layers, name), kwargs, input_shape=shape, expected_output_shape=shape,
                   expected_num_trainable_weights=weights, expected_num_non_trainable_weights=0)


def test_prelu_gradients_by_finite_differences(rng):
    layer = layers.PReLU(shared_axes=[1], dtype="float64")
    layer.build((None, 3, 4))
    assert layer.alpha.shape == (1, 4)

    def run(x, alpha):
        layer.alpha = alpha
        return layer(x)

    x = rng.standard_normal((2, 3, 4))
    x[np.abs(x) < 0.05] = 0.3  # keep away from the kink
    assert gradcheck(run, [x, rng.standard_normal((1, 4))])


@pytest.mark.parametrize("kwargs", [dict(), dict(axis=(1, 2))])
def test_softmax_gradients_by_finite_differences(kwargs, rng):
    mask = rng.random((2, 3, 4)) > 0.3
    assert gradcheck(lambda x: layers.Softmax(**kwargs, dtype="float64")(x, mask=mask),
                     [rng.standard_normal((2, 3, 4))])
    assert gradcheck(lambda x: layers.Softmax(**kwargs, dtype="float64")(x), [rng.standard_normal((2, 3, 4))])


def test_relu_and_elu_gradients_by_finite_differences(rng):
    x = rng.standard_normal((3, 5)) * 2
    x[np.abs(x - 0.5) < 0.05] = 0.8
    x[np.abs(x - 1.5) < 0.05] = 1.2
    x[np.abs(x) < 0.05] = 0.3
    assert gradcheck(layers.ReLU(max_value=1.5, negative_slope=0.2, threshold=0.5, dtype="float64"), [x])
    assert gradcheck(layers.ELU(alpha=0.7, dtype="float64"), [x])
    assert gradcheck(layers.LeakyReLU(dtype="float64"), [x])


@pytest.mark.parametrize("make, message", [
    (lambda: layers.ReLU(max_value=-1), "`max_value` must be None or a non-negative number"),
    (lambda: layers.ReLU(negative_slope=None), "`negative_slope` must be a non-negative number"),
    (lambda: layers.ReLU(threshold=-0.1), "`threshold` must be a non-negative number"),
    (lambda: layers.LeakyReLU(negative_slope=-0.1), "`negative_slope` must be a non-negative number"),
    (lambda: layers.ELU(alpha="1"), "`alpha` must be a number"),
    (lambda: layers.Softmax(axis="last"), "`axis` must be an int or a tuple of ints"),
    (lambda: layers.PReLU(shared_axes=[0]), "the batch axis 0"),
    (lambda: layers.PReLU(shared_axes=[3])(np.ones((2, 3), "float32")), "do not all exist"),
    (lambda: layers.Softmax()(np.ones((2, 3), "float32"), mask=np.ones((2, 4), bool)), "must broadcast"),
])
def test_bad_arguments_get_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_leaky_relu_accepts_the_deprecated_alpha():
    with pytest.warns(UserWarning, match="deprecated"):
        layer = layers.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1
