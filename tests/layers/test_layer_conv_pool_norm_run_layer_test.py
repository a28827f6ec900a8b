"""run_layer_test for every convolution, pooling and normalization layer in several configurations
(output shapes worked out by hand from Keras' formulas), get_config/from_config round trips, and
config keys and values against Keras' own layers."""

import importlib
import os

import numpy as np
import pytest

from glassnet import layers
from glassnet.testing import run_layer_test

os.environ.setdefault("KERAS_BACKEND", "torch")

CASES = [
    # (layer class, kwargs, input shape, expected output shape, trainable, non-trainable)
    # Conv1D: valid L - k + 1; same ceil(L / s); causal keeps L (stride 1)
    (layers.Conv1D, dict(filters=4, kernel_size=3), (2, 9, 3), (2, 7, 4), 2, 0),
    (layers.Conv1D, dict(filters=4, kernel_size=3, padding="same", strides=2), (2, 9, 3), (2, 5, 4), 2, 0),
    (layers.Conv1D, dict(filters=2, kernel_size=3, padding="causal", dilation_rate=2), (2, 9, 3), (2, 9, 2), 2, 0),
    (layers.Conv1D, dict(filters=2, kernel_size=4, strides=3, use_bias=False, activation="relu"), (2, 11, 2),
     (2, 3, 2), 1, 0),
    # Conv2D
    (layers.Conv2D, dict(filters=3, kernel_size=3), (2, 7, 6, 2), (2, 5, 4, 3), 2, 0),
    (layers.Conv2D, dict(filters=3, kernel_size=3, strides=2, padding="same"), (2, 7, 6, 2), (2, 4, 3, 3), 2, 0),
    (layers.Conv2D, dict(filters=2, kernel_size=(3, 2), strides=(3, 1)), (2, 10, 7, 1), (2, 3, 6, 2), 2, 0),
    (layers.Conv2D, dict(filters=2, kernel_size=3, dilation_rate=2, activation="tanh"), (2, 9, 8, 2),
     (2, 5, 4, 2), 2, 0),
    (layers.Conv2D, dict(filters=2, kernel_size=5, padding="same", use_bias=False, activation="gelu"), (2, 7, 5, 3),
     (2, 7, 5, 2), 1, 0),
    # Conv2DTranspose: same in*s; valid in*s + max(k - s, 0); with output_padding (in-1)s + k - 2p + op
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=3), (2, 4, 5, 3), (2, 6, 7, 2), 2, 0),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=3, strides=2, padding="same"), (2, 4, 5, 3),
     (2, 8, 10, 2), 2, 0),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=3, strides=2), (2, 4, 5, 3), (2, 9, 11, 2), 2, 0),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=2, strides=3), (2, 3, 4, 1), (2, 9, 12, 2), 2, 0),
    (layers.Conv2DTranspose, dict(filters=3, kernel_size=3, strides=2, padding="same", output_padding=1),
     (2, 4, 5, 2), (2, 8, 10, 3), 2, 0),
    (layers.Conv2DTranspose, dict(filters=3, kernel_size=3, strides=2, output_padding=(1, 0), use_bias=False),
     (2, 4, 5, 2), (2, 10, 11, 3), 1, 0),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=3, dilation_rate=2, activation="sigmoid"), (2, 4, 3, 2),
     (2, 8, 7, 2), 2, 0),
    # DepthwiseConv2D: channels * multiplier
    (layers.DepthwiseConv2D, dict(kernel_size=3), (2, 7, 6, 3), (2, 5, 4, 3), 2, 0),
    (layers.DepthwiseConv2D, dict(kernel_size=3, depth_multiplier=2, strides=2, padding="same"), (2, 7, 6, 3),
     (2, 4, 3, 6), 2, 0),
    (layers.DepthwiseConv2D, dict(kernel_size=2, dilation_rate=3, use_bias=False), (2, 8, 7, 2), (2, 5, 4, 2), 1, 0),
    # SeparableConv2D
    (layers.SeparableConv2D, dict(filters=4, kernel_size=3), (2, 7, 6, 3), (2, 5, 4, 4), 3, 0),
    (layers.SeparableConv2D, dict(filters=4, kernel_size=3, depth_multiplier=2, strides=2, padding="same",
                                  activation="relu"), (2, 7, 6, 3), (2, 4, 3, 4), 3, 0),
    (layers.SeparableConv2D, dict(filters=2, kernel_size=(1, 3), use_bias=False), (2, 5, 6, 2), (2, 5, 4, 2), 2, 0),
    # pooling 2-D: valid floor((n - p) / s) + 1; same ceil(n / s)
    (layers.MaxPooling2D, dict(), (2, 7, 6, 3), (2, 3, 3, 3), 0, 0),
    (layers.MaxPooling2D, dict(pool_size=3, strides=2, padding="same"), (2, 7, 6, 3), (2, 4, 3, 3), 0, 0),
    (layers.MaxPooling2D, dict(pool_size=(3, 2), strides=1), (2, 7, 6, 3), (2, 5, 5, 3), 0, 0),
    (layers.AveragePooling2D, dict(pool_size=2), (2, 7, 6, 3), (2, 3, 3, 3), 0, 0),
    (layers.AveragePooling2D, dict(pool_size=2, padding="same"), (2, 7, 5, 3), (2, 4, 3, 3), 0, 0),
    (layers.AveragePooling2D, dict(pool_size=3, strides=(1, 2)), (2, 7, 6, 1), (2, 5, 2, 1), 0, 0),
    # pooling 1-D
    (layers.MaxPooling1D, dict(), (2, 9, 3), (2, 4, 3), 0, 0),
    (layers.MaxPooling1D, dict(pool_size=3, strides=2, padding="same"), (2, 9, 3), (2, 5, 3), 0, 0),
    (layers.AveragePooling1D, dict(pool_size=2), (2, 9, 3), (2, 4, 3), 0, 0),
    (layers.AveragePooling1D, dict(pool_size=4, strides=1, padding="same"), (2, 9, 3), (2, 9, 3), 0, 0),
    # global pooling
    (layers.GlobalAveragePooling2D, dict(), (2, 5, 6, 3), (2, 3), 0, 0),
    (layers.GlobalAveragePooling2D, dict(keepdims=True), (2, 5, 6, 3), (2, 1, 1, 3), 0, 0),
    (layers.GlobalMaxPooling2D, dict(), (2, 5, 6, 3), (2, 3), 0, 0),
    (layers.GlobalAveragePooling1D, dict(), (2, 7, 3), (2, 3), 0, 0),
    (layers.GlobalMaxPooling1D, dict(keepdims=True), (2, 7, 3), (2, 1, 3), 0, 0),
    # normalization
    (layers.BatchNormalization, dict(), (8, 5), (8, 5), 2, 2),
    (layers.BatchNormalization, dict(), (4, 5, 6, 3), (4, 5, 6, 3), 2, 2),
    (layers.BatchNormalization, dict(axis=1, momentum=0.9, epsilon=1e-5), (4, 3, 5, 6), (4, 3, 5, 6), 2, 2),
    (layers.BatchNormalization, dict(center=False), (4, 7, 3), (4, 7, 3), 1, 2),
    (layers.BatchNormalization, dict(center=False, scale=False), (6, 4), (6, 4), 0, 2),
    (layers.LayerNormalization, dict(), (3, 7), (3, 7), 2, 0),
    (layers.LayerNormalization, dict(axis=[1, 2]), (3, 4, 5), (3, 4, 5), 2, 0),
    (layers.LayerNormalization, dict(axis=1, scale=False), (3, 4, 5), (3, 4, 5), 1, 0),
    (layers.LayerNormalization, dict(axis=-1, center=False, epsilon=1e-6), (2, 3, 4, 5), (2, 3, 4, 5), 1, 0),
]


def _id(case):
    cls, kwargs = case[0], case[1]
    return cls.__name__ + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_run_layer_test(case):
    layer_class, kwargs, input_shape, output_shape, trainable, non_trainable = case
    layer = run_layer_test(layer_class, init_kwargs=kwargs, input_shape=input_shape,
                           expected_output_shape=output_shape, expected_num_trainable_weights=trainable,
                           expected_num_non_trainable_weights=non_trainable)
    assert tuple(layer.compute_output_shape((None,) + input_shape[1:])) == (None,) + output_shape[1:]
    for weight in layer.weights:
        assert weight.numpy().dtype == np.float32


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_config_round_trip(case):
    layer_class, kwargs, input_shape = case[:3]
    layer = layer_class(name="original", **kwargs)
    config = layer.get_config()
    clone = layer_class.from_config(config)
    assert clone.get_config() == config
    assert clone.name == "original"
    for key, value in kwargs.items():
        got = config[key]
        if key == "activation":
            assert got == value
        elif isinstance(value, int) and isinstance(got, (list, tuple)) and key != "axis":
            assert list(got) == [value] * len(got)
        else:
            assert (list(got) if isinstance(got, tuple) else got) == (list(value) if isinstance(value, tuple)
                                                                       else value)


def test_run_layer_test_catches_a_wrong_expected_shape():
    with pytest.raises(AssertionError):
        run_layer_test(layers.Conv2D, dict(filters=3, kernel_size=3), input_shape=(2, 7, 6, 2),
                       expected_output_shape=(2, 5, 5, 3))


def _keras():
    if os.environ.get("CI"):
        return importlib.import_module("keras")
    return pytest.importorskip("keras")


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_config_keys_and_values_match_keras(case):
    keras = _keras()
    layer_class, kwargs = case[:2]
    ours = layer_class(**kwargs).get_config()
    theirs = getattr(keras.layers, layer_class.__name__)(**kwargs).get_config()
    keras_only = {"renorm", "renorm_clipping", "renorm_momentum"}  # Keras-only BatchNormalization options
    assert set(ours) == set(theirs) - keras_only
    for key, value in theirs.items():
        if key in ("name", "dtype") or key in keras_only:
            continue
        if isinstance(value, dict) and "class_name" in value:  # serialized initializers etc.
            assert ours[key]["class_name"] == value["class_name"], key
            continue
        if isinstance(value, tuple):
            value = list(value)
        if isinstance(ours[key], tuple):
            ours[key] = list(ours[key])
        assert ours[key] == value, key


def test_conv1d_transpose_run_layer_test_and_gradients(rng):
    from glassnet import ops
    from glassnet.autodiff import gradcheck

    layer = run_layer_test(layers.Conv1DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2},
                           input_shape=(2, 5, 4), expected_output_shape=(2, 11, 3), expected_num_trainable_weights=2)
    assert tuple(layer.kernel.shape) == (3, 3, 4)  # (k, filters, in_channels), as Keras
    kernel = rng.standard_normal((3, 2, 4))

    def transposed(x, k):
        out = ops.conv_transpose(ops.expand_dims(x, 1), ops.expand_dims(k, 0), None, strides=(1, 2), padding="same")
        return ops.squeeze(out, 1)

    assert gradcheck(transposed, [rng.standard_normal((2, 5, 4)), kernel])
