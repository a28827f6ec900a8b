"""layers.serialize / layers.deserialize, both ways with Keras 3."""

import os

import pytest

import glassnet as keras


def test_round_trip_keeps_the_config():
    layer = keras.layers.Dense(3, activation="relu", name="d")
    config = keras.layers.serialize(layer)
    assert config["class_name"] == "Dense" and config["config"]["units"] == 3
    again = keras.layers.deserialize(config)
    assert isinstance(again, keras.layers.Dense) and again is not layer
    assert again.get_config() == layer.get_config()


def test_keras_configs_both_ways():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    k = pytest.importorskip("keras")
    ours = keras.layers.deserialize(k.layers.serialize(k.layers.Dropout(0.25, name="drop")))
    assert isinstance(ours, keras.layers.Dropout) and ours.rate == 0.25 and ours.name == "drop"
    theirs = k.layers.deserialize(keras.layers.serialize(keras.layers.Dense(4, use_bias=False)))
    assert theirs.units == 4 and theirs.use_bias is False


def test_bad_config_is_refused():
    with pytest.raises(ValueError, match="class_name.*received 'Dense'"):
        keras.layers.deserialize("Dense")
