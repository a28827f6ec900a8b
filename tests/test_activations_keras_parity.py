"""The activations added to ``glassnet.activations`` against ``keras.activations`` (torch backend), by name too."""

import os

import numpy as np
import pytest

import glassnet
from glassnet import activations, layers

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

CASES = [
    ("celu", {}), ("celu", {"alpha": 0.5}), ("glu", {}), ("glu", {"axis": 0}), ("hard_shrink", {}),
    ("hard_shrink", {"threshold": 1.0}), ("hard_silu", {}), ("hard_swish", {}), ("hard_tanh", {}),
    ("log_sigmoid", {}), ("soft_shrink", {}), ("soft_shrink", {"threshold": 0.2}), ("sparse_plus", {}),
    ("sparse_sigmoid", {}), ("squareplus", {}),
    ("squareplus", {"b": 1.0}), ("tanh_shrink", {}), ("threshold", {"threshold": 0.3, "default_value": -2.0}),
]
NAMES = sorted({name for name, _ in CASES} - {"threshold"} | {"sparsemax"})


@pytest.mark.parametrize("name,kwargs", CASES)
def test_values_match_keras(name, kwargs, rng):
    x = (rng.standard_normal((4, 6)) * 2).astype("float32")
    mine = glassnet.ops.convert_to_numpy(getattr(activations, name)(glassnet.ops.convert_to_tensor(x), **kwargs))
    theirs = keras.ops.convert_to_numpy(getattr(keras.activations, name)(keras.ops.convert_to_tensor(x), **kwargs))
    assert mine.dtype == np.float32
    np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)


def sparsemax_reference(x, axis):
    """The Euclidean projection onto the simplex (Martins & Astudillo, 2016), one slice at a time, in float64."""
    def project(z):
        ordered = np.sort(z)[::-1]
        k = np.arange(1, z.size + 1)
        support = 1 + k * ordered > np.cumsum(ordered)
        tau = (np.cumsum(ordered)[support][-1] - 1) / k[support][-1]
        return np.maximum(z - tau, 0)
    return np.apply_along_axis(project, axis, x.astype("float64"))


@pytest.mark.parametrize("axis", [-1, 0])
def test_sparsemax_is_the_simplex_projection(axis, rng):
    # Keras 3.15's torch sparsemax gives rows that do not sum to 1 (e.g. [0.5, 0.2, 0.1] -> [0.17, 0, 0]),
    # so the reference here is the definition itself.
    x = (rng.standard_normal((4, 6)) * 2).astype("float32")
    mine = glassnet.ops.convert_to_numpy(activations.sparsemax(glassnet.ops.convert_to_tensor(x), axis=axis))
    np.testing.assert_allclose(mine, sparsemax_reference(x, axis), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mine.sum(axis=axis), 1.0, rtol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_found_by_name_and_serialized_as_keras_does(name):
    function = activations.get(name)
    assert function is getattr(activations, name)
    assert activations.serialize(function) == keras.activations.serialize(keras.activations.get(name))
    assert activations.deserialize(activations.serialize(function)) is function


@pytest.mark.parametrize("name", ["hard_swish", "celu", "squareplus", "log_sigmoid"])
def test_dense_by_name_trains_and_loads_in_keras(name, tmp_path, rng):
    x = rng.standard_normal((8, 3)).astype("float32")
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), layers.Dense(4, activation=name)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((8, 4), "float32"), epochs=1, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    theirs = keras.models.load_model(path)
    np.testing.assert_allclose(model.predict(x, verbose=0), keras.ops.convert_to_numpy(theirs.predict(x, verbose=0)),
                               rtol=1e-5, atol=1e-6)
    again = glassnet.models.load_model(path)
    assert again.layers[0].activation is activations.get(name)
