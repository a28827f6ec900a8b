"""Building a glassnet application and Keras' with the same arguments, and comparing them."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import glassnet


def build_both(name, **arguments):
    """(ours, Keras') for ``applications.<name>(weights=None, **arguments)``, each in a fresh naming session."""
    keras.backend.clear_session()
    glassnet.backend.clear_session()
    theirs = getattr(keras.applications, name)(weights=None, **arguments)
    ours = getattr(glassnet.applications, name)(weights=None, **arguments)
    return ours, theirs


def layer_summary(model):
    return [(layer.name, type(layer).__name__) for layer in model.layers]


def weight_shapes(model):
    return [tuple(weight.shape) for weight in model.weights]


def randomized_weights(keras_model, seed=0):
    """Keras' initial weights with batch-norm statistics and biases made non-trivial, so every weight matters."""
    rng = np.random.default_rng(seed)
    arrays = []
    for variable in keras_model.weights:
        value = keras.ops.convert_to_numpy(variable.value).astype("float32")
        if variable.name == "moving_variance":
            value = rng.uniform(0.5, 1.5, value.shape).astype("float32")
        elif value.ndim == 1:
            value = value + rng.normal(0.0, 0.1, value.shape).astype("float32")
        arrays.append(value)
    return arrays


def assert_same_model(ours, theirs, batch=2, seed=0):
    """Same layers (names, types), same weights (shapes, in order), same outputs once given the same weights."""
    assert ours.name == theirs.name
    assert layer_summary(ours) == layer_summary(theirs)
    assert weight_shapes(ours) == weight_shapes(theirs)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert len(ours.trainable_weights) == len(theirs.trainable_weights)
    weights = randomized_weights(theirs, seed)
    theirs.set_weights(weights)
    ours.set_weights(weights)
    shape = (batch,) + tuple(theirs.input_shape[1:])
    images = np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")
    expected = keras.ops.convert_to_numpy(theirs(images, training=False))
    got = np.asarray(ours.predict(images, verbose=0))
    assert got.shape == expected.shape
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * scale)
