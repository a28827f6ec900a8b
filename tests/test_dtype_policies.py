"""``glassnet.dtype_policies`` and ``glassnet.mixed_precision`` against Keras' names, configs and global policy."""

import os

import numpy as np
import pytest

import glassnet
from glassnet import config, dtype_policies, layers, mixed_precision

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")


@pytest.fixture(autouse=True)
def restore_global_policy():
    yield
    dtype_policies._GLOBAL["policy"] = None


@pytest.mark.parametrize("name", ["float32", "float64", "float16"])
def test_float_policies_match_keras(name):
    ours, theirs = dtype_policies.DTypePolicy(name), keras.dtype_policies.DTypePolicy(name)
    assert (ours.name, ours.compute_dtype, ours.variable_dtype) == (theirs.name, theirs.compute_dtype,
                                                                    theirs.variable_dtype)
    assert ours.get_config() == theirs.get_config()
    assert dtype_policies.serialize(ours) == keras.dtype_policies.serialize(theirs)
    assert dtype_policies.deserialize(keras.dtype_policies.serialize(theirs)) == ours
    assert dtype_policies.DTypePolicy.from_config(ours.get_config()) == ours


def test_default_policy_is_floatx():
    assert dtype_policies.DTypePolicy().name == config.floatx() == keras.dtype_policies.DTypePolicy().name
    assert config.dtype_policy().name == "float32" == mixed_precision.global_policy().name


@pytest.mark.parametrize("name", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_policies_are_accepted_and_computed_in_float32(name):
    dtype_policies._warned.discard(name)
    with pytest.warns(UserWarning, match="computes in float32"):
        policy = mixed_precision.Policy(name)
    assert policy.name == name and policy.variable_dtype == "float32" == keras.DTypePolicy(name).variable_dtype
    assert policy.compute_dtype == "float32"  # Keras would compute in 16 bits; glassnet says what it does
    assert dtype_policies.serialize(policy) == keras.dtype_policies.serialize(keras.DTypePolicy(name))


def test_global_policy_sets_new_layers_dtype():
    config.set_dtype_policy("float64")
    assert isinstance(config.dtype_policy(), glassnet.DTypePolicy) and config.dtype_policy().name == "float64"
    dense = layers.Dense(2)
    dense.build((None, 3))
    assert dense.dtype == "float64" and dense.kernel.dtype == np.float64
    mixed_precision.set_global_policy(dtype_policies.DTypePolicy("float32"))
    assert layers.Dense(2).dtype == "float32"
    dtype_policies._warned.discard("mixed_float16")
    with pytest.warns(UserWarning):
        mixed_precision.set_global_policy("mixed_float16")
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), layers.Dense(2, dtype="mixed_float16")])
    assert model.layers[0].dtype == "float32"
    assert model.predict(np.ones((2, 3), "float32"), verbose=0).dtype == np.float32


def test_keras_mixed_precision_file_loads(tmp_path):
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        theirs = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
        path = tmp_path / "mixed.keras"
        theirs.save(path)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    dtype_policies._warned.discard("mixed_float16")
    with pytest.warns(UserWarning, match="float32"):
        ours = glassnet.models.load_model(path)
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), keras.ops.convert_to_numpy(theirs.predict(x, verbose=0)),
                               rtol=1e-2, atol=1e-2)  # Keras computed in float16


@pytest.mark.parametrize("bad,error", [(3, TypeError), ("float33", ValueError), ("mixed_int8", ValueError)])
def test_bad_policy_names(bad, error):
    with pytest.raises(error, match="DTypePolicy|dtype policy"):
        dtype_policies.DTypePolicy(bad)
    with pytest.raises((TypeError, ValueError)):
        config.set_dtype_policy(bad)
    assert config.dtype_policy().name == "float32"  # unchanged
