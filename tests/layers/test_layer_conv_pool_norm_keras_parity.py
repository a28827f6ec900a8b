"""Keras 3 itself (torch backend) as a second reference for the convolution, pooling and
normalization layers: the same layer built in both, the same weights through set_weights, the
same input; outputs (and BatchNormalization's moving statistics) must agree. Also: parameter
counts (total, trainable, non-trainable) of whole models equal Keras' count_params.

Keras' torch backend departs from TensorFlow in two corners that glassnet follows TensorFlow in,
so those are left to the torch-parity tests: Conv2DTranspose with padding="same" and an
output_padding that makes torch's padding and output_padding both positive (Keras warns of
"inconsistencies across backends"), and AveragePooling with "same" padding that is asymmetric
(the torch backend pads by replicating edge values, then counts them).
"""

import importlib
import os
import warnings

import numpy as np
import pytest

import glassnet
from glassnet import layers

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported


def _require(module):
    if os.environ.get("CI"):
        return importlib.import_module(module)
    return pytest.importorskip(module)


keras = _require("keras")
# Keras' torch backend converts tensors with np.array(x), which NumPy 2 flags; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def keras_output(layer, x, **kwargs):
    return np.asarray(keras.ops.convert_to_numpy(layer(x, **kwargs)))


def build_both(name, input_shape, rng, **kwargs):
    """The glassnet and the Keras layer ``name``, built on ``input_shape``, sharing random weights."""
    ours = getattr(layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    ours.build((None,) + tuple(input_shape[1:]))
    theirs.build((None,) + tuple(input_shape[1:]))
    their_shapes = [tuple(w.shape) for w in theirs.weights]
    assert [tuple(w.shape) for w in ours.weights] == their_shapes
    weights = []
    for w in theirs.weights:
        if "variance" in w.name:
            weights.append(rng.uniform(0.5, 2.0, tuple(w.shape)).astype("float32"))
        else:
            weights.append((rng.standard_normal(tuple(w.shape)) * 0.5).astype("float32"))
    theirs.set_weights(weights)
    ours.set_weights(weights)
    return ours, theirs


def assert_close(got, want, rtol=1e-4):
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)


LAYER_CASES = [
    # (id, layer name, input shape, kwargs)
    ("conv2d_same_stride2_odd", "Conv2D", (2, 7, 6, 3), dict(filters=4, kernel_size=3, strides=2, padding="same")),
    ("conv2d_valid_dilation2", "Conv2D", (2, 9, 8, 2), dict(filters=3, kernel_size=(3, 2), dilation_rate=2)),
    ("conv2d_stride3_relu", "Conv2D", (1, 10, 11, 2), dict(filters=3, kernel_size=4, strides=3, padding="same",
                                                          activation="relu")),
    ("conv1d_causal_dilated", "Conv1D", (2, 9, 3), dict(filters=4, kernel_size=3, padding="causal",
                                                        dilation_rate=2)),
    ("conv1d_same_stride2", "Conv1D", (2, 9, 3), dict(filters=2, kernel_size=4, strides=2, padding="same")),
    ("conv2d_transpose_same_s2", "Conv2DTranspose", (2, 4, 5, 3), dict(filters=2, kernel_size=3, strides=2,
                                                                      padding="same")),
    ("conv2d_transpose_valid_s2", "Conv2DTranspose", (2, 4, 5, 3), dict(filters=2, kernel_size=3, strides=2)),
    ("conv2d_transpose_valid_output_padding", "Conv2DTranspose", (2, 4, 3, 2),
     dict(filters=3, kernel_size=3, strides=2, output_padding=1)),
    ("conv2d_transpose_same_output_padding_0", "Conv2DTranspose", (1, 4, 4, 2),
     dict(filters=2, kernel_size=3, strides=3, padding="same", output_padding=0)),
    ("conv2d_transpose_same_k4_output_padding_0", "Conv2DTranspose", (1, 3, 5, 2),
     dict(filters=2, kernel_size=4, strides=2, padding="same", output_padding=0)),
    ("conv2d_transpose_k2_s3_valid", "Conv2DTranspose", (1, 3, 4, 2), dict(filters=2, kernel_size=2, strides=3)),
    ("conv1d_transpose_same_s2", "Conv1DTranspose", (2, 5, 3), dict(filters=2, kernel_size=3, strides=2,
                                                                  padding="same")),
    ("conv1d_transpose_valid_output_padding", "Conv1DTranspose", (2, 4, 2),
     dict(filters=3, kernel_size=3, strides=2, output_padding=1, activation="relu")),
    ("conv1d_transpose_k2_s3_valid", "Conv1DTranspose", (1, 4, 2), dict(filters=2, kernel_size=2, strides=3)),
    ("depthwise_m2_same_stride2", "DepthwiseConv2D", (2, 7, 6, 3), dict(kernel_size=3, strides=2, padding="same",
                                                                        depth_multiplier=2)),
    ("depthwise_dilation2", "DepthwiseConv2D", (1, 8, 7, 2), dict(kernel_size=3, dilation_rate=2)),
    ("separable_m2_same", "SeparableConv2D", (2, 7, 6, 3), dict(filters=4, kernel_size=3, padding="same",
                                                                depth_multiplier=2)),
    ("separable_stride2_tanh", "SeparableConv2D", (1, 9, 8, 2), dict(filters=3, kernel_size=3, strides=2,
                                                                     activation="tanh")),
    ("maxpool2d_same_odd", "MaxPooling2D", (2, 7, 5, 3), dict(pool_size=2, padding="same")),
    ("maxpool2d_3_s2_same", "MaxPooling2D", (2, 8, 7, 2), dict(pool_size=3, strides=2, padding="same")),
    ("maxpool2d_valid_odd", "MaxPooling2D", (2, 7, 5, 3), dict(pool_size=2)),
    ("avgpool2d_valid_s1", "AveragePooling2D", (2, 7, 6, 2), dict(pool_size=3, strides=1)),
    ("avgpool2d_same_symmetric_s1", "AveragePooling2D", (2, 7, 6, 2), dict(pool_size=3, strides=1, padding="same")),
    ("avgpool2d_same_symmetric_s2", "AveragePooling2D", (2, 7, 7, 2), dict(pool_size=3, strides=2, padding="same")),
    ("maxpool1d_same", "MaxPooling1D", (2, 9, 3), dict(pool_size=2, padding="same")),
    ("avgpool1d_valid_s2", "AveragePooling1D", (2, 9, 3), dict(pool_size=3, strides=2)),
    ("global_avg2d", "GlobalAveragePooling2D", (2, 5, 6, 3), dict()),
    ("global_max2d_keepdims", "GlobalMaxPooling2D", (2, 5, 6, 3), dict(keepdims=True)),
    ("global_avg1d", "GlobalAveragePooling1D", (2, 7, 3), dict()),
    ("global_max1d", "GlobalMaxPooling1D", (2, 7, 3), dict()),
    ("layernorm_last", "LayerNormalization", (3, 5, 6), dict()),
    ("layernorm_two_axes", "LayerNormalization", (3, 5, 6), dict(axis=[1, 2])),
    ("layernorm_no_center", "LayerNormalization", (4, 7), dict(center=False, epsilon=1e-5)),
]


@pytest.mark.parametrize("name,shape,kwargs", [c[1:] for c in LAYER_CASES], ids=[c[0] for c in LAYER_CASES])
def test_layer_output_matches_keras(name, shape, kwargs, rng):
    ours, theirs = build_both(name, shape, rng, **kwargs)
    x = (rng.standard_normal(shape) * 1.5).astype("float32")
    with warnings.catch_warnings():
        # no case here may take Keras' backend-inconsistent conv-transpose path
        warnings.filterwarnings("error", message=".*inconsistencies across backends.*")
        warnings.filterwarnings("error", message=".*Clamping output_padding.*")
        want = keras_output(theirs, x)
    got = ours(x).numpy()
    assert_close(got, want)
    assert tuple(ours.compute_output_shape((None,) + shape[1:])) == tuple(
        theirs.compute_output_shape((None,) + shape[1:]))


@pytest.mark.parametrize("shape,axis", [((16, 5), -1), ((3, 5, 7, 4), -1), ((3, 4, 5, 7), 1)])
def test_batch_normalization_training_and_inference_match_keras(shape, axis, rng):
    ours, theirs = build_both("BatchNormalization", shape, rng, axis=axis, momentum=0.9)
    x = (rng.standard_normal(shape) * 2.0 + 0.5).astype("float32")
    assert_close(ours(x, training=True).numpy(), keras_output(theirs, x, training=True))
    for mine, ref in zip(ours.weights, theirs.weights):
        assert_close(mine.numpy(), np.asarray(keras.ops.convert_to_numpy(ref)), rtol=1e-5)
    x2 = (rng.standard_normal(shape) - 1.0).astype("float32")
    assert_close(ours(x2, training=True).numpy(), keras_output(theirs, x2, training=True))
    x3 = rng.standard_normal(shape).astype("float32")
    assert_close(ours(x3, training=False).numpy(), keras_output(theirs, x3, training=False))
    assert_close(ours(x3).numpy(), keras_output(theirs, x3))  # default: inference
    for mine, ref in zip(ours.weights, theirs.weights):
        assert_close(mine.numpy(), np.asarray(keras.ops.convert_to_numpy(ref)), rtol=1e-5)


def test_frozen_batch_normalization_runs_in_inference_mode_as_in_keras(rng):
    shape = (8, 4, 4, 3)
    ours, theirs = build_both("BatchNormalization", shape, rng)
    ours.trainable = False
    theirs.trainable = False
    x = (rng.standard_normal(shape) * 3.0 + 2.0).astype("float32")
    assert_close(ours(x, training=True).numpy(), keras_output(theirs, x, training=True))
    for mine, ref in zip(ours.weights, theirs.weights):
        np.testing.assert_array_equal(mine.numpy(), np.asarray(keras.ops.convert_to_numpy(ref)))


def _stacks(lib, inputs):
    L = lib.layers
    return {
        "conv": [inputs((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(),
                 L.Conv2D(64, (3, 3), padding="same", strides=2), L.BatchNormalization(), L.GlobalAveragePooling2D(),
                 L.Dense(10)],
        "conv_no_bias": [inputs((15, 13, 3)), L.Conv2D(8, (3, 5), use_bias=False, dilation_rate=2),
                         L.AveragePooling2D(3, strides=2, padding="same"), L.Flatten(), L.Dense(4)],
        "separable": [inputs((16, 16, 3)), L.SeparableConv2D(16, 3, depth_multiplier=2, padding="same"),
                      L.DepthwiseConv2D(3, depth_multiplier=3), L.DepthwiseConv2D(3, use_bias=False),
                      L.SeparableConv2D(5, 1, use_bias=False), L.GlobalMaxPooling2D()],
        "transpose": [inputs((7, 7, 4)), L.Conv2DTranspose(8, 3, strides=2, padding="same"),
                      L.Conv2DTranspose(2, (4, 3), output_padding=1, strides=2),
                      L.Conv2DTranspose(3, 2, use_bias=False), L.LayerNormalization(axis=[1, 2, 3])],
        "sequence": [inputs((20, 6)), L.Conv1D(16, 5, padding="causal", activation="relu"),
                     L.BatchNormalization(center=False), L.MaxPooling1D(2), L.Conv1D(8, 3, use_bias=False),
                     L.AveragePooling1D(3, strides=1, padding="same"), L.LayerNormalization(scale=False),
                     L.GlobalAveragePooling1D(), L.BatchNormalization(scale=False, center=False)],
    }


@pytest.mark.parametrize("stack", ["conv", "conv_no_bias", "separable", "transpose", "sequence"])
def test_parameter_counts_match_keras(stack):
    ours = glassnet.Sequential(_stacks(glassnet, glassnet.Input)[stack])
    theirs = keras.Sequential(_stacks(keras, keras.Input)[stack])
    assert [layer.count_params() for layer in ours.layers] == [layer.count_params() for layer in theirs.layers]
    assert ours.count_params() == theirs.count_params()

    def count(weights):
        return int(sum(np.prod(tuple(w.shape)) for w in weights))

    assert count(ours.trainable_weights) == count(theirs.trainable_weights)
    assert count(ours.non_trainable_weights) == count(theirs.non_trainable_weights)
    assert [tuple(layer.output.shape) for layer in ours.layers] == [
        tuple(layer.output.shape) for layer in theirs.layers]
    lines = []
    ours.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert f"Total params: {theirs.count_params():,} " in text
    assert f"Trainable params: {count(theirs.trainable_weights):,} " in text
    assert f"Non-trainable params: {count(theirs.non_trainable_weights):,} " in text
