"""Functional models built with keras.ops on keras.Input tensors save and load, with Keras in both directions."""

import os

import numpy as np
import pytest

import glassnet as gn


def _build(m):
    inputs = m.Input(shape=(4,))
    x = m.ops.add(m.ops.multiply(inputs, 2.0), 1.0)
    x = m.ops.mean(m.ops.expand_dims(x, axis=-1), axis=-1)
    return m.Model(inputs, m.layers.Dense(2)(m.ops.sqrt(m.ops.square(x))))


def test_a_model_with_op_nodes_saves_loads_and_trains(tmp_path, rng):
    x = rng.random((8, 4)).astype("float32")
    model = _build(gn)
    model.save(tmp_path / "ops.keras")
    loaded = gn.models.load_model(tmp_path / "ops.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    loaded.compile(optimizer="adam", loss="mse")
    history = loaded.fit(x, np.zeros((8, 2), "float32"), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


@pytest.mark.filterwarnings("ignore")
def test_op_nodes_load_both_ways_with_keras(tmp_path, rng):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    x = rng.random((3, 4)).astype("float32")
    ours = _build(gn)
    ours.save(tmp_path / "ours.keras")
    np.testing.assert_allclose(np.asarray(keras.models.load_model(tmp_path / "ours.keras").predict(x, verbose=0)),
                               ours.predict(x, verbose=0), atol=1e-5)
    theirs = _build(keras)
    theirs.save(tmp_path / "theirs.keras")
    np.testing.assert_allclose(gn.models.load_model(tmp_path / "theirs.keras").predict(x, verbose=0),
                               np.asarray(theirs.predict(x, verbose=0)), atol=1e-5)


def test_an_op_glassnet_lacks_is_named_in_the_error(tmp_path):
    from glassnet.saving.serialization_lib import resolve_class

    with pytest.raises(ValueError, match="Unknown class 'NoSuchOp'"):
        resolve_class({"class_name": "NoSuchOp", "module": "keras.src.ops.numpy", "registered_name": "NoSuchOp"})
