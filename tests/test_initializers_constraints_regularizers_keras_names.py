"""Keras' other names, STFT, OrthogonalRegularizer and serialize/deserialize for initializers, constraints and
regularizers, against Keras 3 (torch backend)."""

import os

import numpy as np
import pytest

import glassnet
from glassnet import constraints, initializers, layers, regularizers

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

INITIALIZER_ALIASES = ["constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "identity",
                       "lecun_normal", "lecun_uniform", "ones", "orthogonal", "random_normal", "random_uniform",
                       "truncated_normal", "variance_scaling", "zeros", "stft", "IdentityInitializer",
                       "OrthogonalInitializer", "STFTInitializer"]


@pytest.mark.parametrize("alias", INITIALIZER_ALIASES)
def test_initializer_aliases_name_the_classes_keras_names(alias):
    ours = getattr(initializers, alias)
    assert isinstance(ours, type) and ours.__name__ == getattr(keras.initializers, alias).__name__
    instance = ours()
    entry = keras.initializers.serialize(getattr(keras.initializers, alias)())
    entry["config"] = {k: v for k, v in entry["config"].items() if k not in ("input_axes", "output_axes")}  # unused
    if alias not in ("identity", "IdentityInitializer"):  # Keras' Identity leaves its gain out of the config
        assert initializers.serialize(instance) == entry
    assert type(initializers.deserialize(initializers.serialize(instance))) is ours


@pytest.mark.parametrize("shape,gain", [((4, 4), 1.0), ((3, 5), 2.0), ((6, 2), 0.5)])
def test_identity_matches_keras(shape, gain):
    np.testing.assert_array_equal(initializers.IdentityInitializer(gain)(shape),
                                  keras.ops.convert_to_numpy(keras.initializers.IdentityInitializer(gain)(shape)))


@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (8, 3), (2, 3, 4)])
def test_orthogonal_is_orthogonal_like_keras(shape):
    values = initializers.OrthogonalInitializer(gain=1.5, seed=3)(shape)
    theirs = keras.ops.convert_to_numpy(keras.initializers.OrthogonalInitializer(gain=1.5, seed=3)(shape))
    assert values.shape == theirs.shape == shape and values.dtype == np.float32
    flat = values.reshape(-1, shape[-1])
    small = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    flat_theirs = theirs.reshape(-1, shape[-1])
    small_theirs = flat_theirs.T @ flat_theirs if flat.shape[0] >= flat.shape[1] else flat_theirs @ flat_theirs.T
    np.testing.assert_allclose(small, 1.5 ** 2 * np.eye(len(small)), atol=1e-5)
    np.testing.assert_allclose(small, small_theirs, atol=1e-5)


@pytest.mark.parametrize("kwargs", [{}, dict(side="imag", window="hamming", periodic=True, scaling="spectrum"),
                                    dict(window=None), dict(window="blackman", scaling=None),
                                    dict(window="bartlett", side="imag")])
def test_stft_matches_keras(kwargs):
    ours = initializers.STFT(**kwargs)((16, 1, 9))
    theirs = keras.ops.convert_to_numpy(keras.initializers.STFT(**kwargs)((16, 1, 9)))
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    config = initializers.STFT(**kwargs).get_config()
    assert config == keras.initializers.STFT(**kwargs).get_config()
    np.testing.assert_array_equal(initializers.STFT.from_config(config)((16, 1, 9)), ours)


def test_stft_bad_arguments():
    with pytest.raises(ValueError, match="side"):
        initializers.STFT(side="both")
    with pytest.raises(ValueError, match="window"):
        initializers.STFT(window="no_such_window")
    with pytest.raises(ValueError, match="scaling"):
        initializers.STFT(scaling="energy")


def test_initializers_deserialize_keras_entries():
    entry = keras.initializers.serialize(keras.initializers.HeNormal(seed=4))
    rebuilt = initializers.deserialize(entry)
    assert type(rebuilt) is initializers.HeNormal and rebuilt.seed == 4
    assert type(initializers.deserialize({"class_name": "Orthogonal", "config": {"gain": 2.0}})) is initializers.Orthogonal
    with pytest.raises(ValueError, match="class_name"):
        initializers.deserialize("zeros")


@pytest.mark.parametrize("alias", ["max_norm", "min_max_norm", "non_neg", "unit_norm"])
def test_constraint_aliases_and_serialization(alias, rng):
    ours, theirs = getattr(constraints, alias)(), getattr(keras.constraints, alias)()
    assert type(ours).__name__ == type(theirs).__name__
    entry = constraints.serialize(ours)
    assert entry["module"] == "keras.constraints" and entry["class_name"] == type(theirs).__name__
    assert type(keras.constraints.deserialize(entry)) is type(theirs)
    assert type(constraints.deserialize(keras.constraints.serialize(theirs))) is type(ours)
    w = rng.standard_normal((4, 3)).astype("float32") * 3
    np.testing.assert_allclose(ours(w), keras.ops.convert_to_numpy(theirs(keras.ops.convert_to_tensor(w))),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["rows", "columns"])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5)])
def test_orthogonal_regularizer_matches_keras(mode, shape, rng):
    w = rng.standard_normal(shape).astype("float32")
    ours = regularizers.orthogonal_regularizer(factor=0.3, mode=mode)
    theirs = keras.regularizers.OrthogonalRegularizer(factor=0.3, mode=mode)
    np.testing.assert_allclose(glassnet.ops.convert_to_numpy(ours(glassnet.ops.convert_to_tensor(w))),
                               keras.ops.convert_to_numpy(theirs(keras.ops.convert_to_tensor(w))), rtol=1e-5)
    assert ours.get_config() == {"factor": 0.3, "mode": mode}
    assert type(keras.regularizers.deserialize(regularizers.serialize(ours))).__name__ == "OrthogonalRegularizer"
    rebuilt = regularizers.deserialize(keras.regularizers.serialize(theirs))
    assert type(rebuilt) is regularizers.OrthogonalRegularizer and rebuilt.mode == mode


def test_orthogonal_regularizer_of_orthogonal_rows_is_zero_and_bad_input():
    penalty = regularizers.OrthogonalRegularizer()(glassnet.ops.convert_to_tensor(np.eye(3, dtype="float32")))
    assert float(glassnet.ops.convert_to_numpy(penalty)) == 0.0
    with pytest.raises(ValueError, match="rank 2"):
        regularizers.OrthogonalRegularizer()(glassnet.ops.convert_to_tensor(np.ones((2, 2, 2), "float32")))
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match="factor"):
        regularizers.OrthogonalRegularizer(factor=-1.0)


def test_dense_with_the_new_objects_trains_and_loads_in_keras(tmp_path, rng):
    x = rng.standard_normal((8, 4)).astype("float32")
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), layers.Dense(
        3, kernel_initializer="orthogonal", kernel_regularizer=regularizers.orthogonal_regularizer(0.1),
        kernel_constraint=constraints.max_norm(1.5), bias_initializer=initializers.constant(0.2))])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((8, 3), "float32"), epochs=1, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    theirs = keras.models.load_model(path)
    np.testing.assert_allclose(model.predict(x, verbose=0), keras.ops.convert_to_numpy(theirs.predict(x, verbose=0)),
                               rtol=1e-5, atol=1e-6)
    dense = theirs.layers[0]
    assert type(dense.kernel_regularizer).__name__ == "OrthogonalRegularizer"
    again = glassnet.models.load_model(path)
    assert type(again.layers[0].kernel_regularizer) is regularizers.OrthogonalRegularizer
