"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot."""

import os

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers
from glassnet.testing import gradcheck


def _keras():
    os.environ["KERAS_BACKEND"] = "torch"
    return pytest.importorskip("keras")


ELEMENTWISE = [
    ("Add", lambda xs: sum(xs)),
    ("Subtract", lambda xs: xs[0] - xs[1]),
    ("Multiply", lambda xs: np.prod(xs, axis=0)),
    ("Average", lambda xs: sum(xs) / len(xs)),
    ("Maximum", lambda xs: np.max(xs, axis=0)),
    ("Minimum", lambda xs: np.min(xs, axis=0)),
]


@pytest.mark.parametrize("name, reference", ELEMENTWISE)
def test_elementwise_merges_compute_the_formula(name, reference, rng):
    count = 2 if name == "Subtract" else 3
    xs = [rng.standard_normal((4, 5)).astype("float32") for _ in range(count)]
    out = getattr(layers, name)()(xs)
    np.testing.assert_allclose(out.numpy(), reference(np.stack(xs)), rtol=1e-6, atol=1e-6)
    functional = getattr(layers, name.lower())(xs)  # layers.add([...]) and friends
    np.testing.assert_allclose(functional.numpy(), out.numpy())


@pytest.mark.parametrize("name, reference", ELEMENTWISE)
def test_elementwise_gradients(name, reference, rng):
    layer = getattr(layers, name)()
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    assert gradcheck(lambda x, y: layer([x, y]), [a, b])


def test_size_one_axes_broadcast_and_lower_rank_inputs_are_expanded(rng):
    x = rng.standard_normal((2, 3, 4)).astype("float32")
    y = rng.standard_normal((2, 1, 4)).astype("float32")
    np.testing.assert_allclose(layers.Add()([x, y]).numpy(), x + y, rtol=1e-6)
    inputs = [keras.Input(shape=(3, 4)), keras.Input(shape=(4,))]
    assert layers.Add()(inputs).shape == (None, 3, 4)
    z = rng.standard_normal((2, 4)).astype("float32")
    np.testing.assert_allclose(layers.Multiply()([x, z]).numpy(), x * z[:, None, :], rtol=1e-6)


def test_concatenate_along_any_axis(rng):
    x, y = rng.standard_normal((2, 3, 4)).astype("float32"), rng.standard_normal((2, 5, 4)).astype("float32")
    np.testing.assert_array_equal(layers.Concatenate(axis=1)([x, y]).numpy(), np.concatenate([x, y], axis=1))
    assert layers.Concatenate(axis=1)([keras.Input(shape=(3, 4)), keras.Input(shape=(5, 4))]).shape == (None, 8, 4)
    assert gradcheck(lambda a, b: layers.Concatenate()([a, b]), [rng.standard_normal((2, 3)),
                                                               rng.standard_normal((2, 2))])


@pytest.mark.parametrize("x_shape, y_shape, axes, out_shape", [
    ((4, 6), (4, 6), 1, (4, 1)),
    ((4, 3, 5), (4, 5, 2), (2, 1), (4, 3, 2)),
    ((4, 5, 3), (4, 5, 2), 1, (4, 3, 2)),
    ((4, 6), (4, 7, 6), (1, 2), (4, 7)),
    ((4, 2, 3, 5), (4, 5, 6), (-1, 1), (4, 2, 3, 6)),
])
def test_dot_is_a_per_sample_contraction(x_shape, y_shape, axes, out_shape, rng):
    x, y = rng.standard_normal(x_shape).astype("float32"), rng.standard_normal(y_shape).astype("float32")
    out = layers.Dot(axes=axes)([x, y]).numpy()
    a1, a2 = (axes, axes) if isinstance(axes, int) else axes
    expected = np.stack([np.tensordot(x[i], y[i], axes=(a1 % x.ndim - 1, a2 % y.ndim - 1)) for i in range(len(x))])
    assert out.shape == out_shape
    np.testing.assert_allclose(out, expected.reshape(out_shape), rtol=1e-5, atol=1e-5)
    symbolic = layers.Dot(axes=axes)([keras.Input(shape=x_shape[1:]), keras.Input(shape=y_shape[1:])])
    assert symbolic.shape == (None,) + out_shape[1:]
    assert gradcheck(lambda a, b: layers.Dot(axes=axes)([a, b]), [x.astype("float64"), y.astype("float64")])


def test_dot_normalize_gives_cosine_similarity(rng):
    x, y = rng.standard_normal((5, 8)), rng.standard_normal((5, 8))
    out = layers.Dot(axes=1, normalize=True)([x.astype("float32"), y.astype("float32")]).numpy()
    cosine = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
    np.testing.assert_allclose(out[:, 0], cosine, rtol=1e-5)
    assert gradcheck(lambda a, b: layers.Dot(axes=1, normalize=True)([a, b]), [x, y])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name, kwargs, shapes", [
    ("Add", {}, [(3, 4), (3, 4), (3, 4)]),
    ("Subtract", {}, [(3, 4), (1, 4)]),
    ("Multiply", {}, [(3, 4), (3, 4)]),
    ("Average", {}, [(3, 4), (3, 1)]),
    ("Maximum", {}, [(3, 4), (3, 4)]),
    ("Minimum", {}, [(3, 4), (3, 4)]),
    ("Concatenate", {"axis": 1}, [(3, 4), (2, 4)]),
    ("Dot", {"axes": (1, 2)}, [(3, 5), (4, 3)]),
    ("Dot", {"axes": 2, "normalize": True}, [(3, 5), (2, 5)]),
])
def test_outputs_shapes_and_configs_match_keras(name, kwargs, shapes, rng):
    k = _keras()
    xs = [rng.standard_normal((2,) + s).astype("float32") for s in shapes]
    ours, theirs = getattr(layers, name)(**kwargs), getattr(k.layers, name)(**kwargs)
    np.testing.assert_allclose(ours(xs).numpy(), np.asarray(theirs(xs).detach()), rtol=1e-5, atol=1e-6)
    symbolic = [(None,) + s for s in shapes]
    assert ours.compute_output_shape(symbolic) == theirs.compute_output_shape(symbolic)
    config, keras_config = ours.get_config(), theirs.get_config()
    config.pop("name"), keras_config.pop("name")
    assert config == keras_config


@pytest.mark.parametrize("layer, shapes, message", [
    (layers.Add(), [(3,), (4,)], "Add 'add' needs inputs whose shapes match"),
    (layers.Subtract(), [(3,), (3,), (3,)], "Subtract 'subtract' takes 2 inputs, got 3"),
    (layers.Concatenate(), [(3, 2), (4, 3)], "match on every axis but axis -1"),
    (layers.Concatenate(), [(3,), (3, 1)], "same rank"),
    (layers.Dot(axes=1), [(3,), (4,)], "summed axes differ in size: axis 1 of \\(None, 3\\) is 3"),
    (layers.Dot(axes=1), [(3,)], "takes 2 inputs, got 1"),
])
def test_incompatible_shapes_name_the_layer_and_the_shapes(layer, shapes, message):
    with pytest.raises(ValueError, match=message):
        layer([keras.Input(shape=s) for s in shapes])


def test_a_single_tensor_is_refused_with_a_hint():
    with pytest.raises(ValueError, match="list of tensors, e.g. Add\\(\\)\\(\\[x, y\\]\\)"):
        layers.Add()(keras.Input(shape=(3,)))
    with pytest.raises(ValueError, match="batch axis"):
        layers.Dot(axes=0)([keras.Input(shape=(3,)), keras.Input(shape=(3,))])
    with pytest.raises(ValueError, match="pair of ints"):
        layers.Dot(axes=(1, 2, 3))


def test_merge_layers_survive_a_config_round_trip(rng):
    xs = [rng.standard_normal((2, 4)).astype("float32") for _ in range(2)]
    for layer in (layers.Concatenate(axis=-1), layers.Dot(axes=[1, 1], normalize=True), layers.Maximum()):
        clone = type(layer).from_config(layer.get_config())
        np.testing.assert_allclose(clone(xs).numpy(), layer(xs).numpy())
