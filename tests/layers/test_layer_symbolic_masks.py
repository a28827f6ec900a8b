"""Masks on symbolic tensors while a functional model is built, as Keras 3 gives them.

A layer called on a KerasTensor that carries a mask sees that mask in ``call(mask=...)`` and gives its
outputs the symbolic mask ``compute_mask`` returns (``x._keras_mask``), the same shapes Keras gives.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

import glassnet  # noqa: E402 - after KERAS_BACKEND is set
from glassnet import layers, ops  # noqa: E402


class PassThroughActivation(glassnet.layers.Layer):
    """Opts in to mask propagation without taking a mask."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return ops.relu(inputs)


class MaskedTimeSoftmax(glassnet.layers.Layer):
    """A softmax over the time axis that needs its mask, symbolic or real."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.masks_seen = []

    def call(self, inputs, mask=None):
        if mask is None:
            raise AssertionError("no mask was passed")
        self.masks_seen.append(mask)
        weights = ops.expand_dims(ops.cast(mask, "float32"), -1)
        exps = ops.exp(inputs) * weights
        return exps / ops.sum(exps, axis=1, keepdims=True)


def embedded(input_dim=10):
    inputs = glassnet.Input(shape=(None,), dtype="int32")
    return inputs, layers.Embedding(input_dim, 4, mask_zero=True)(inputs)


def test_embedding_output_carries_a_symbolic_boolean_mask():
    _, x = embedded()
    assert x._keras_mask is not None
    assert x._keras_mask.shape == (None, None)
    assert x._keras_mask.dtype == "bool"


def test_input_without_a_mask_has_none():
    inputs = glassnet.Input(shape=(3,))
    assert inputs._keras_mask is None
    assert layers.Dense(2)(inputs)._keras_mask is None


def test_a_layer_that_opts_in_passes_the_mask_on():
    _, x = embedded()
    assert PassThroughActivation()(x)._keras_mask.shape == (None, None)


def test_a_layer_that_does_not_support_masking_drops_it():
    _, x = embedded()
    with pytest.warns(UserWarning, match="destroy the mask"):
        y = layers.Lambda(lambda t: t * 2.0)(x)
    assert y._keras_mask is None


def test_a_consumer_gets_the_mask_while_the_model_is_built_and_when_it_runs():
    inputs, x = embedded()
    x = layers.Dense(1)(x)
    softmax = MaskedTimeSoftmax()
    model = glassnet.Model(inputs, softmax(x))
    assert softmax.masks_seen, "call() was not given the mask while the model was built"
    ids = np.array([[3, 4, 0, 0], [1, 0, 0, 0]])
    out = np.asarray(model(ids))
    np.testing.assert_allclose(out[:, :, 0].sum(axis=1), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_array_equal(out[:, :, 0] == 0, ids == 0)


def test_a_recurrent_layer_without_sequences_ends_the_mask():
    _, x = embedded()
    assert layers.LSTM(3, return_sequences=True)(x)._keras_mask.shape == (None, None)
    assert layers.LSTM(3)(x)._keras_mask is None


def test_fixed_length_masks_keep_their_length():
    inputs = glassnet.Input(shape=(7,), dtype="int32")
    x = layers.Embedding(10, 4, mask_zero=True)(inputs)
    assert x._keras_mask.shape == (None, 7)


@pytest.mark.parametrize("build", ["embedding", "dense_after", "lstm_sequences", "lstm_last", "masking"])
def test_mask_shapes_match_keras(build):
    keras = pytest.importorskip("keras")

    def make(lib):
        if build == "masking":
            inputs = lib.Input(shape=(5, 3))
            return lib.layers.Masking()(inputs)
        inputs = lib.Input(shape=(6,), dtype="int32")
        x = lib.layers.Embedding(10, 4, mask_zero=True)(inputs)
        if build == "dense_after":
            x = lib.layers.Dense(2)(x)
        elif build == "lstm_sequences":
            x = lib.layers.LSTM(2, return_sequences=True)(x)
        elif build == "lstm_last":
            x = lib.layers.LSTM(2)(x)
        return x

    theirs = getattr(make(keras), "_keras_mask", None)
    ours = make(glassnet)._keras_mask
    assert (ours is None) == (theirs is None)
    if theirs is not None:
        assert tuple(ours.shape) == tuple(theirs.shape)
