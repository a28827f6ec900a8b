"""Embedding, Masking, and masks carried from layer to layer (Keras 3's rules)."""

import os
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, ops
from glassnet.autodiff import gradcheck
from glassnet.ops.embedding import embedding_lookup
from glassnet.testing import run_layer_test


def test_embedding_lookup_gradient_by_finite_differences(rng):
    ids = np.array([[0, 3, 3], [1, 0, 4]])  # repeated ids accumulate
    table = rng.standard_normal((5, 4))
    assert gradcheck(lambda t: embedding_lookup(t, ids), [table])


def test_embedding_lookup_matches_torch_forward_and_backward(rng):
    torch = pytest.importorskip("torch")
    ids = rng.integers(0, 30, (6, 9))
    table = rng.standard_normal((30, 5)).astype("float32")
    upstream = rng.standard_normal((6, 9, 5)).astype("float32")
    weight = gn.Variable(table)
    out = embedding_lookup(weight, ids)
    ops.sum(ops.multiply(out, upstream)).backward()
    reference = torch.nn.Embedding(30, 5)
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(table))
    (reference(torch.from_numpy(ids)) * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_allclose(out.numpy(), reference(torch.from_numpy(ids)).detach().numpy(), atol=0)
    np.testing.assert_allclose(weight.grad, reference.weight.grad.numpy(), atol=1e-5)


def test_embedding_run_layer_test_and_keras_defaults():
    ids = np.array([[1, 2, 0], [4, 0, 0]])
    layer = run_layer_test(layers.Embedding, {"input_dim": 6, "output_dim": 3}, input_data=ids,
                           expected_output_shape=(2, 3, 3), expected_num_trainable_weights=1)
    assert layer.embeddings.path.endswith("embeddings") and layer.embeddings.shape == (6, 3)
    values = layer.embeddings.numpy()
    assert values.min() >= -0.05 and values.max() <= 0.05 and values.std() > 0.01  # RandomUniform(-0.05, 0.05)
    config = layer.get_config()
    assert config["mask_zero"] is False and config["embeddings_initializer"]["class_name"] == "RandomUniform"


def test_mask_zero_mask_reaches_the_next_layers_and_global_average_ignores_padding(rng):
    embedding = layers.Embedding(10, 4, mask_zero=True)
    dense = layers.Dense(3)
    pool = layers.GlobalAveragePooling1D()
    ids = np.array([[5, 2, 0, 0], [7, 0, 0, 0]])
    hidden = dense(embedding(ids))
    np.testing.assert_array_equal(hidden._keras_mask, ids != 0)
    pooled = pool(hidden)
    assert pooled._keras_mask is None
    expected = np.stack([hidden.numpy()[0, :2].mean(axis=0), hidden.numpy()[1, :1].mean(axis=0)])
    np.testing.assert_allclose(pooled.numpy(), expected, rtol=1e-6)


def test_padding_does_not_change_a_masked_model_prediction():
    inputs = gn.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(20, 4, mask_zero=True)(inputs)
    x = layers.GlobalAveragePooling1D()(layers.Dense(5, activation="relu")(x))
    model = gn.Model(inputs, layers.Dense(1)(x))
    short, padded = np.array([[3, 9, 4]]), np.array([[3, 9, 4, 0, 0, 0]])
    np.testing.assert_allclose(model.predict(short, verbose=0), model.predict(padded, verbose=0), rtol=1e-6)


def test_a_layer_without_mask_support_destroys_the_mask_with_keras_warning():
    ids = np.array([[1, 0]])
    embedded = layers.Embedding(3, 2, mask_zero=True)(ids)
    with pytest.warns(UserWarning, match="does not support masking and will therefore destroy the mask"):
        flat = layers.Flatten()(embedded)
    assert flat._keras_mask is None


def test_merge_masks_follow_keras():
    a = layers.Embedding(5, 2, mask_zero=True)(np.array([[1, 0, 0]]))
    b = layers.Embedding(5, 2, mask_zero=True)(np.array([[0, 2, 0]]))
    np.testing.assert_array_equal(layers.Add()([a, b])._keras_mask, [[True, True, False]])
    joined = layers.Concatenate()([a, b])
    np.testing.assert_array_equal(joined._keras_mask, [[True, True, False]])
    unmasked = gn.Tensor(np.ones((1, 3, 2), "float32"))
    np.testing.assert_array_equal(layers.Concatenate(axis=1)([a, unmasked])._keras_mask.shape, (1, 6))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert layers.Dot(axes=2)([a, b])._keras_mask is None


def test_masking_layer_zeroes_and_masks_the_steps_equal_to_mask_value():
    x = np.array([[[1.0, 2.0], [-1.0, -1.0], [0.0, 3.0]]], dtype="float32")
    out = layers.Masking(mask_value=-1.0)(x)
    np.testing.assert_array_equal(out._keras_mask, [[True, False, True]])
    np.testing.assert_array_equal(out.numpy(), [[[1, 2], [0, 0], [0, 3]]])
    run_layer_test(layers.Masking, {"mask_value": 0.0}, input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4))


@pytest.mark.parametrize("bad, message", [
    (np.array([[0.5, 1.0]]), "not whole numbers"),
    (np.array([[1, 7]]), r"ids must lie in \[0, 5\), got ids from 1 to 7"),
    (np.array([[-1, 2]]), "got ids from -1 to 2"),
    (np.random.default_rng(0).standard_normal((2, 3, 4)), "already vectors"),
    (np.array([["a", "b"]]), "expects integer ids"),
])
def test_embedding_bad_ids_are_refused_before_anything_changes(bad, message):
    layer = layers.Embedding(5, 2)
    layer(np.array([[1, 2]]))
    before = layer.embeddings.numpy().copy()
    with pytest.raises(ValueError, match=message):
        layer(bad)
    np.testing.assert_array_equal(layer.embeddings.numpy(), before)


def test_embedding_constructor_checks_its_sizes():
    with pytest.raises(ValueError, match="input_dim must be a positive integer"):
        layers.Embedding(0, 4)
    with pytest.raises(ValueError, match="output_dim must be a positive integer"):
        layers.Embedding(4, 2.5)


def test_float_ids_of_whole_numbers_train_as_keras_casts_them(rng):
    model = gn.Sequential([gn.Input(shape=(6,)), layers.Embedding(12, 4), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x = rng.integers(0, 12, (32, 6)).astype("float32")
    history = model.fit(x, rng.standard_normal((32, 1)), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


def _masked_classifier(k, masking):
    inputs = k.Input(shape=(None,) if not masking else (7, 3), dtype="int32" if not masking else "float32")
    x = k.layers.Masking(mask_value=0.0)(inputs) if masking else k.layers.Embedding(30, 6, mask_zero=True)(inputs)
    x = k.layers.Dense(4, activation="tanh")(x)
    x = k.layers.GlobalAveragePooling1D()(x)
    return k.Model(inputs, k.layers.Dense(2, activation="softmax")(x))


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("masking", [False, True], ids=["embedding_mask_zero", "masking"])
def test_our_masked_models_load_in_keras_with_equal_predictions(tmp_path, masking, rng):
    k = _keras()
    if masking:
        x = rng.standard_normal((5, 7, 3)).astype("float32")
        x[:, 4:] = 0.0
    else:
        x = rng.integers(1, 30, (5, 7))
        x[:, 5:] = 0
    ours = _masked_classifier(gn, masking)
    ours.save(tmp_path / "ours.keras")
    back = k.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(np.asarray(back.predict(x, verbose=0)), ours.predict(x, verbose=0), atol=1e-5)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("masking", [False, True], ids=["embedding_mask_zero", "masking"])
def test_keras_masked_models_load_with_their_mask_operation_nodes(tmp_path, masking, rng):
    """Keras writes the mask as NotEqual / Any operation nodes; they load, predict equally and save back."""
    k = _keras()
    if masking:
        x = rng.standard_normal((5, 7, 3)).astype("float32")
        x[:, 4:] = 0.0
    else:
        x = rng.integers(1, 30, (5, 7))
        x[:, 5:] = 0
    theirs = _masked_classifier(k, masking)
    theirs.save(tmp_path / "keras.keras")
    loaded = gn.models.load_model(tmp_path / "keras.keras")
    node_classes = {type(layer).__name__ for layer in loaded.layers}
    assert "NotEqual" in node_classes and (("Any" in node_classes) == masking)
    expected = np.asarray(theirs.predict(x, verbose=0))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, atol=1e-5)
    loaded.save(tmp_path / "again.keras")
    back = k.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(np.asarray(back.predict(x, verbose=0)), expected, atol=1e-5)


def test_operation_nodes_compute_as_numpy_and_write_keras_configs():
    from glassnet.layers.core import operation_node as nodes

    x = np.array([[0, 2, 0], [1, 0, 3]])
    np.testing.assert_array_equal(nodes.NotEqual()(x, 0), x != 0)
    np.testing.assert_array_equal(nodes.Any(axis=-1)(x != 0), [True, True])
    np.testing.assert_array_equal(nodes.All(axis=0, keepdims=True)(x != 0), [[False, False, False]])
    assert nodes.Cast(dtype="float32")(x).dtype == np.float32
    assert nodes.ExpandDims(axis=1)(x).shape == (2, 1, 3)
    assert nodes.Any(axis=-1, keepdims=False, name="any_7").get_config() == \
        {"name": "any_7", "axis": -1, "keepdims": False}
    entry = gn.saving.serialize_keras_object(nodes.NotEqual(name="ne"))
    assert entry["module"].startswith("keras.src.ops") and entry["registered_name"] == "NotEqual"
    assert nodes.Any(axis=1).compute_output_shape((None, 7, 3)) == (None, 3)
