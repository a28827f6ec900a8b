"""CategoryEncoding, Hashing, HashedCrossing, Discretization: outputs against Keras 3 on the same inputs (Hashing
and HashedCrossing against the outputs Keras documents, since Keras computes them with TensorFlow, which is not
installed), configs both ways, .keras files, errors."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

import glassnet
from glassnet import layers
from glassnet.layers.preprocessing.hash_functions import fingerprint64, siphash

keras = pytest.importorskip("keras")

IDS = np.array([[0, 1, 1, 3], [2, 2, 0, 4]])
VALUES = np.random.default_rng(0).normal(size=(50, 3)).astype("float32")


def _keras_config(layer):
    return {k: v for k, v in layer.get_config().items()}


@pytest.mark.parametrize("mode", ["multi_hot", "count", "one_hot", "binary"])
@pytest.mark.parametrize("inputs", [IDS, IDS[0], IDS[:, :1], np.int64(3)])
def test_category_encoding_against_keras(mode, inputs):
    ours = layers.CategoryEncoding(num_tokens=6, output_mode=mode)(inputs).numpy()
    theirs = keras.ops.convert_to_numpy(keras.layers.CategoryEncoding(num_tokens=6, output_mode=mode)(inputs))
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_category_encoding_count_weights_and_shape():
    weights = np.array([[0.5, 1.0, 2.0, 1.0], [1.0, 1.0, 3.0, 0.5]], dtype="float32")
    ours = layers.CategoryEncoding(6, output_mode="count")(IDS, count_weights=weights).numpy()
    theirs = keras.layers.CategoryEncoding(6, output_mode="count")(IDS, count_weights=weights)
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(theirs))
    for mode, shape in [("one_hot", (None, 4)), ("one_hot", (None, 1)), ("multi_hot", (None, 4))]:
        assert (layers.CategoryEncoding(6, output_mode=mode).compute_output_shape(shape)
                == keras.layers.CategoryEncoding(6, output_mode=mode).compute_output_shape(shape))
    with pytest.raises(ValueError, match="count_weights"):
        layers.CategoryEncoding(6)(IDS, count_weights=weights)
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="output_mode"):
        layers.CategoryEncoding(3, output_mode="tf_idf")


def test_hash_functions_reference_vectors():
    key = (int.from_bytes(bytes(range(8)), "little"), int.from_bytes(bytes(range(8, 16)), "little"))
    assert siphash(key, bytes(range(15))) == 0xA129CA6149BE45E5  # SipHash paper, appendix A
    assert [fingerprint64(s) % 3 for s in ["Hello", "TensorFlow", "2.x"]] == [0, 2, 2]  # tf.strings docs


# Keras' documented Hashing and HashedCrossing examples (keras/src/layers/preprocessing/*.py docstrings)
LETTERS = [["A"], ["B"], ["C"], ["D"], ["E"]]


@pytest.mark.parametrize("kwargs,inputs,expected", [
    ({}, LETTERS, [1, 0, 1, 1, 2]),
    ({"mask_value": ""}, [["A"], ["B"], [""], ["C"], ["D"]], [1, 1, 0, 2, 2]),
    ({"salt": [133, 137]}, LETTERS, [1, 2, 1, 0, 2]),
    ({"salt": 133}, LETTERS, [0, 0, 2, 1, 0]),
])
def test_hashing_matches_keras_documented_bins(kwargs, inputs, expected):
    out = layers.Hashing(num_bins=3, **kwargs)(inputs)
    assert out.numpy().dtype == np.int64
    np.testing.assert_array_equal(out.numpy().ravel(), expected)


def test_hashing_numbers_hash_as_decimal_strings_and_encodings():
    ints = np.array([[1, 12], [-3, 0]])
    expected = np.array([[fingerprint64(str(v)) % 7 for v in row] for row in ints.tolist()])
    np.testing.assert_array_equal(layers.Hashing(7)(ints).numpy(), expected)
    np.testing.assert_array_equal(layers.Hashing(7)(ints + 0.7).numpy(), expected[[0, 1]] * 0 +
                                  np.array([[fingerprint64(s) % 7 for s in r] for r in [["1", "12"], ["-2", "0"]]]))
    masked = layers.Hashing(7, mask_value=0)(ints).numpy()
    assert masked[1, 1] == 0 and masked[0, 0] == fingerprint64("1") % 6 + 1
    hot = layers.Hashing(5, output_mode="multi_hot")([["A", "B"], ["C", "C"]]).numpy()
    assert hot.shape == (2, 5) and hot.dtype == np.float32 and hot.sum(axis=1).tolist() == [2.0, 1.0]
    assert layers.Hashing(5, output_mode="count")([["C", "C"]]).numpy().max() == 2.0


def test_hashed_crossing_matches_keras_documented_bins():
    feat1, feat2 = np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102])
    np.testing.assert_array_equal(layers.HashedCrossing(5)((feat1, feat2)).numpy(), [1, 4, 1, 1, 3])
    hot = layers.HashedCrossing(5, output_mode="one_hot")((feat1, feat2)).numpy()
    np.testing.assert_array_equal(hot.argmax(axis=1), [1, 4, 1, 1, 3])
    assert hot.dtype == np.float32
    np.testing.assert_array_equal(layers.HashedCrossing(5)((feat1[:, None], feat2[:, None])).numpy(),
                                  [[1], [4], [1], [1], [3]])
    with pytest.raises(ValueError, match="at least two"):
        layers.HashedCrossing(5)(feat1)
    with pytest.raises(ValueError, match="same shape"):
        layers.HashedCrossing(5)((feat1, feat2[:3]))


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_boundaries_against_keras(mode):
    ours = layers.Discretization(bin_boundaries=[-0.5, 0.0, 0.7], output_mode=mode)(VALUES[:4]).numpy()
    theirs = keras.layers.Discretization(bin_boundaries=[-0.5, 0.0, 0.7], output_mode=mode)(VALUES[:4])
    theirs = keras.ops.convert_to_numpy(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("num_bins,epsilon", [(4, 0.01), (5, 0.1), (3, 0.3)])
def test_discretization_adapt_against_keras(num_bins, epsilon):
    ours = layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    theirs = keras.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    ours.adapt(VALUES)
    theirs.update_state(VALUES)  # Keras' adapt() asks for TensorFlow; its update/finalize steps do not
    theirs.finalize_state()
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
    batches = [VALUES[:20], VALUES[20:]]
    ours.adapt(batches)
    theirs.reset_state()
    for batch in batches:
        theirs.update_state(batch)
    theirs.finalize_state()
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
    np.testing.assert_array_equal(ours(VALUES).numpy(), keras.ops.convert_to_numpy(theirs(VALUES)))


def test_discretization_errors():
    with pytest.raises(ValueError, match="not both"):
        layers.Discretization(bin_boundaries=[0.0], num_bins=2)
    with pytest.raises(ValueError, match="either"):
        layers.Discretization()
    with pytest.raises(ValueError, match="adapt"):
        layers.Discretization(num_bins=3)(VALUES)
    with pytest.raises(ValueError, match="num_bins"):
        layers.Discretization(bin_boundaries=[0.0]).adapt(VALUES)


CONFIG_CASES = [
    ("CategoryEncoding", {"num_tokens": 5, "output_mode": "count"}),
    ("Discretization", {"bin_boundaries": [0.0, 1.5]}),
    ("Discretization", {"num_bins": 3, "epsilon": 0.1, "output_mode": "one_hot"}),
]


@pytest.mark.parametrize("name,kwargs", CONFIG_CASES)
def test_configs_both_ways(name, kwargs):
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    assert set(ours.get_config()) == set(theirs.get_config())
    rebuilt = getattr(keras.layers, name).from_config(ours.get_config())
    assert getattr(layers, name).from_config(theirs.get_config()).get_config() == ours.get_config() | {
        "name": theirs.name}
    assert rebuilt.get_config()["output_mode"] == ours.get_config()["output_mode"]


@pytest.mark.parametrize("cls,kwargs", [(layers.Hashing, {"num_bins": 4, "salt": 3, "mask_value": "x"}),
                                        (layers.HashedCrossing, {"num_bins": 4, "output_mode": "one_hot"})])
def test_hashing_config_round_trip(cls, kwargs):
    layer = cls(**kwargs)
    config = layer.get_config()
    assert cls.from_config(config).get_config() == config
    assert {"num_bins", "output_mode", "sparse"} <= set(config)


def test_discretization_in_keras_file(tmp_path):
    model = glassnet.Sequential([glassnet.Input((3,)), layers.Discretization(bin_boundaries=[0.0, 0.5],
                                                                             output_mode="int")])
    path = str(tmp_path / "d.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded(VALUES[:4])), model(VALUES[:4]).numpy())
    again = glassnet.saving.load_model(path)
    np.testing.assert_array_equal(again(VALUES[:4]).numpy(), model(VALUES[:4]).numpy())
