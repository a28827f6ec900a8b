"""Each layer exported alone (or in a tiny graph), run in ONNX Runtime, compared with predict within 1e-5."""

import functools

import numpy as np
import pytest
from _onnx_check import assert_exports, randomize

import glassnet as keras
from glassnet import activations, layers


def one_layer(make_layer, shape, dtype="float32"):
    """A Sequential model of the layer on inputs of ``shape`` (batch axis left out)."""
    return keras.Sequential([keras.Input(shape, dtype=dtype), make_layer()])


def inputs_for(model, rng, batch=3):
    arrays = []
    for tensor in model.inputs:
        shape = (batch,) + tuple(tensor.shape[1:])
        if np.dtype(str(tensor.dtype)).kind == "i":
            arrays.append(rng.integers(0, 10, shape).astype(str(tensor.dtype)))
        else:
            arrays.append(rng.normal(size=shape).astype("float32"))
    return arrays


CASES = {
    "dense": (lambda: layers.Dense(4), (5,)),
    "dense_rank3": (lambda: layers.Dense(4, activation="tanh"), (2, 5)),
    "dense_no_bias": (lambda: layers.Dense(3, use_bias=False), (4,)),
    "conv1d_same_strided": (lambda: layers.Conv1D(3, 3, strides=2, padding="same"), (7, 2)),
    "conv1d_causal_dilated": (lambda: layers.Conv1D(3, 2, padding="causal", dilation_rate=2), (6, 2)),
    "conv2d_valid": (lambda: layers.Conv2D(4, 3, activation="relu"), (6, 6, 2)),
    "conv2d_same_strided": (lambda: layers.Conv2D(3, (3, 2), strides=2, padding="same"), (7, 6, 2)),
    "conv2d_same_odd_pixel_after": (lambda: layers.Conv2D(2, 3, strides=2, padding="same"), (6, 5, 2)),
    "conv2d_dilated": (lambda: layers.Conv2D(2, 2, dilation_rate=2, padding="same"), (5, 5, 2)),
    "conv1d_transpose": (lambda: layers.Conv1DTranspose(3, 3, strides=2, padding="same"), (4, 2)),
    "conv1d_transpose_valid": (lambda: layers.Conv1DTranspose(3, 2, strides=3), (4, 2)),
    "conv2d_transpose_same": (lambda: layers.Conv2DTranspose(3, 3, strides=2, padding="same"), (4, 3, 2)),
    "conv2d_transpose_valid": (lambda: layers.Conv2DTranspose(2, (2, 3), strides=(2, 1)), (3, 4, 2)),
    "conv2d_transpose_output_padding": (
        lambda: layers.Conv2DTranspose(2, 3, strides=2, padding="same", output_padding=1), (3, 3, 2)),
    "conv2d_transpose_even_kernel": (lambda: layers.Conv2DTranspose(2, 4, strides=2, padding="same"), (3, 3, 2)),
    "depthwise_conv2d": (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"), (5, 5, 3)),
    "depthwise_conv1d": (lambda: layers.DepthwiseConv1D(3, depth_multiplier=2), (6, 3)),
    "separable_conv2d": (lambda: layers.SeparableConv2D(4, 3, depth_multiplier=2, activation="relu"), (5, 5, 3)),
    "separable_conv1d": (lambda: layers.SeparableConv1D(4, 3, padding="same"), (6, 3)),
    "max_pooling1d": (lambda: layers.MaxPooling1D(2), (7, 3)),
    "max_pooling2d_same": (lambda: layers.MaxPooling2D(3, strides=2, padding="same"), (5, 6, 2)),
    "average_pooling1d_same": (lambda: layers.AveragePooling1D(3, strides=2, padding="same"), (7, 2)),
    "average_pooling2d": (lambda: layers.AveragePooling2D(2), (4, 6, 2)),
    "average_pooling2d_same": (lambda: layers.AveragePooling2D(3, strides=2, padding="same"), (5, 5, 2)),
    "average_pooling2d_same_odd_pixel": (lambda: layers.AveragePooling2D(3, strides=2, padding="same"), (6, 6, 1)),
    "global_average_pooling1d": (lambda: layers.GlobalAveragePooling1D(), (5, 3)),
    "global_max_pooling1d": (lambda: layers.GlobalMaxPooling1D(), (5, 3)),
    "global_average_pooling2d": (lambda: layers.GlobalAveragePooling2D(), (4, 4, 3)),
    "global_max_pooling2d_keepdims": (lambda: layers.GlobalMaxPooling2D(keepdims=True), (4, 4, 3)),
    "batch_normalization": (lambda: layers.BatchNormalization(), (4, 4, 3)),
    "batch_normalization_axis1": (lambda: layers.BatchNormalization(axis=1), (3, 4)),
    "layer_normalization": (lambda: layers.LayerNormalization(), (3, 5)),
    "layer_normalization_two_axes": (lambda: layers.LayerNormalization(axis=[1, 2]), (3, 4)),
    "layer_normalization_middle_axis": (lambda: layers.LayerNormalization(axis=1, epsilon=1e-5), (3, 4)),
    "relu_layer": (lambda: layers.ReLU(), (6,)),
    "relu_layer_general": (lambda: layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2), (8,)),
    "leaky_relu_layer": (lambda: layers.LeakyReLU(negative_slope=0.1), (6,)),
    "prelu_layer": (lambda: layers.PReLU(), (3, 4)),
    "prelu_shared_axes": (lambda: layers.PReLU(shared_axes=[1]), (3, 4)),
    "elu_layer": (lambda: layers.ELU(alpha=0.7), (6,)),
    "softmax_layer": (lambda: layers.Softmax(axis=1), (3, 4)),
    "softmax_layer_two_axes": (lambda: layers.Softmax(axis=[1, 2]), (3, 4)),
    "flatten": (lambda: layers.Flatten(), (2, 3, 2)),
    "reshape": (lambda: layers.Reshape((3, -1)), (2, 6)),
    "permute": (lambda: layers.Permute((2, 1, 3)), (2, 3, 4)),
    "repeat_vector": (lambda: layers.RepeatVector(3), (4,)),
    "zero_padding1d": (lambda: layers.ZeroPadding1D((1, 2)), (3, 2)),
    "zero_padding2d": (lambda: layers.ZeroPadding2D(((1, 0), (2, 1))), (3, 3, 2)),
    "cropping1d": (lambda: layers.Cropping1D((1, 0)), (5, 2)),
    "cropping2d": (lambda: layers.Cropping2D(((1, 1), (0, 2))), (5, 5, 2)),
    "up_sampling1d": (lambda: layers.UpSampling1D(3), (3, 2)),
    "up_sampling2d": (lambda: layers.UpSampling2D((2, 3)), (3, 2, 2)),
    "up_sampling2d_bilinear": (lambda: layers.UpSampling2D(2, interpolation="bilinear"), (3, 4, 2)),
    "dropout": (lambda: layers.Dropout(0.5), (6,)),
    "gaussian_noise": (lambda: layers.GaussianNoise(0.3), (6,)),
    "gaussian_dropout": (lambda: layers.GaussianDropout(0.3), (6,)),
    "spatial_dropout1d": (lambda: layers.SpatialDropout1D(0.5), (4, 3)),
    "spatial_dropout2d": (lambda: layers.SpatialDropout2D(0.5), (3, 3, 2)),
    "rescaling": (lambda: layers.Rescaling(1 / 255.0, offset=-0.5), (4,)),
    "normalization": (lambda: layers.Normalization(mean=[0.5, -1.0, 2.0], variance=[4.0, 0.25, 1.0]), (3,)),
    "normalization_invert": (lambda: layers.Normalization(mean=1.0, variance=2.0, invert=True), (3,)),
    "simple_rnn": (lambda: layers.SimpleRNN(4), (5, 3)),
    "simple_rnn_sequences_backwards": (lambda: layers.SimpleRNN(4, return_sequences=True, go_backwards=True),
                                       (5, 3)),
    "lstm": (lambda: layers.LSTM(4), (5, 3)),
    "lstm_sequences": (lambda: layers.LSTM(4, return_sequences=True), (5, 3)),
    "lstm_backwards": (lambda: layers.LSTM(3, go_backwards=True), (5, 3)),
    "lstm_sequences_backwards_no_bias": (
        lambda: layers.LSTM(3, return_sequences=True, go_backwards=True, use_bias=False), (4, 2)),
    "gru": (lambda: layers.GRU(4), (5, 3)),
    "gru_sequences_backwards": (lambda: layers.GRU(4, return_sequences=True, go_backwards=True), (5, 3)),
    "gru_reset_before": (lambda: layers.GRU(3, reset_after=False, return_sequences=True), (4, 2)),
    "gru_relu": (lambda: layers.GRU(3, activation="relu"), (4, 2)),
    "bidirectional_concat": (lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True)), (4, 2)),
    "bidirectional_sum": (lambda: layers.Bidirectional(layers.GRU(3), merge_mode="sum"), (4, 2)),
    "bidirectional_ave": (lambda: layers.Bidirectional(layers.SimpleRNN(3, return_sequences=True),
                                                       merge_mode="ave"), (4, 2)),
    "bidirectional_mul": (lambda: layers.Bidirectional(layers.LSTM(2), merge_mode="mul"), (4, 2)),
    "conv3d": (lambda: layers.Conv3D(2, 2, padding="same"), (3, 4, 3, 2)),
    "conv3d_channels_first": (lambda: layers.Conv3D(2, 2, data_format="channels_first"), (2, 3, 4, 3)),
    "conv3d_transpose": (lambda: layers.Conv3DTranspose(2, 2, strides=2), (2, 3, 2, 2)),
    "separable_conv1d_channels_first": (lambda: layers.SeparableConv1D(3, 2, data_format="channels_first"), (2, 5)),
    "max_pooling3d": (lambda: layers.MaxPooling3D(2), (4, 4, 2, 2)),
    "average_pooling3d_same": (lambda: layers.AveragePooling3D(2, padding="same"), (3, 4, 3, 2)),
    "global_average_pooling3d": (lambda: layers.GlobalAveragePooling3D(), (2, 3, 2, 2)),
    "global_max_pooling3d_keepdims": (lambda: layers.GlobalMaxPooling3D(keepdims=True), (2, 3, 2, 2)),
    "einsum_dense": (lambda: layers.EinsumDense("abc,cd->abd", output_shape=(None, 4), bias_axes="d"), (3, 5)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_layer_exports(case, rng):
    make_layer, shape = CASES[case]
    model = one_layer(make_layer, shape)
    randomize(model)
    assert_exports(model, inputs_for(model, rng))


ACTIVATIONS = ["relu", "sigmoid", "tanh", "softmax", "gelu", "elu", "selu", "softplus", "softsign", "swish", "silu",
               "leaky_relu", "relu6", "hard_sigmoid", "exponential", "linear", "mish", "log_softmax", "celu",
               "hard_silu", "hard_swish", "hard_tanh", "log_sigmoid", "tanh_shrink", "hard_shrink", "soft_shrink",
               "squareplus", None]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_layer(name, rng):
    model = one_layer(lambda: layers.Activation(name), (2, 6))
    x = (rng.normal(size=(3, 2, 6)) * 2).astype("float32")
    assert_exports(model, x)


@pytest.mark.parametrize("name", ["relu", "gelu", "swish", "hard_sigmoid", "softmax", "mish"])
def test_fused_activation_arguments(name, rng):
    model = keras.Sequential([keras.Input((6, 6, 2)), layers.Conv2D(3, 3, activation=name), layers.Flatten(),
                              layers.Dense(4, activation=name)])
    randomize(model)
    assert_exports(model, inputs_for(model, rng))


@pytest.mark.parametrize("function", [
    functools.partial(activations.gelu, approximate=True),
    functools.partial(activations.leaky_relu, negative_slope=0.05),
    functools.partial(activations.softmax, axis=1),
    functools.partial(activations.relu, max_value=0.5),
], ids=["gelu_approximate", "leaky_relu_slope", "softmax_axis", "relu_max_value"])
def test_activation_with_arguments(function, rng):
    model = one_layer(lambda: layers.Activation(function), (3, 4))
    assert_exports(model, (rng.normal(size=(2, 3, 4)) * 2).astype("float32"))


def test_embedding(rng):
    model = one_layer(lambda: layers.Embedding(10, 4), (5,), dtype="int32")
    randomize(model)
    assert_exports(model, inputs_for(model, rng))


def test_embedding_float_indices_then_lstm(rng):
    model = keras.Sequential([keras.Input((5,)), layers.Embedding(10, 4), layers.LSTM(3)])
    randomize(model)
    assert_exports(model, rng.integers(0, 10, (3, 5)).astype("float32"))


def test_normalization_adapted(rng):
    layer = layers.Normalization()
    data = rng.normal(3.0, 2.0, size=(20, 4)).astype("float32")
    layer.adapt(data)
    model = keras.Sequential([keras.Input((4,)), layer])
    assert_exports(model, data[:5])


MERGES = {
    "add": lambda: layers.Add(),
    "subtract": lambda: layers.Subtract(),
    "multiply": lambda: layers.Multiply(),
    "average": lambda: layers.Average(),
    "maximum": lambda: layers.Maximum(),
    "minimum": lambda: layers.Minimum(),
    "concatenate": lambda: layers.Concatenate(),
    "concatenate_axis1": lambda: layers.Concatenate(axis=1),
}


@pytest.mark.parametrize("case", sorted(MERGES))
def test_merge_layers(case, rng):
    a, b = keras.Input((2, 3), name="a"), keras.Input((2, 3), name="b")
    count = 2 if case == "subtract" else 3
    inputs = [a, b] if count == 2 else [a, b, keras.Input((2, 3), name="c")]
    model = keras.Model(inputs, MERGES[case]()(inputs))
    assert_exports(model, inputs_for(model, rng))


@pytest.mark.parametrize("axes,normalize,shapes", [
    (1, False, ((4,), (4,))),
    (1, True, ((4,), (4,))),
    ((2, 2), False, ((3, 4), (5, 4))),
    ((1, 1), True, ((3, 4), (3, 2))),
])
def test_dot(axes, normalize, shapes, rng):
    a, b = keras.Input(shapes[0]), keras.Input(shapes[1])
    model = keras.Model([a, b], layers.Dot(axes=axes, normalize=normalize)([a, b]))
    assert_exports(model, inputs_for(model, rng))


@pytest.mark.parametrize("kwargs", [{}, {"value_dim": 3, "use_bias": False}, {"output_shape": (5,)}],
                         ids=["self", "value_dim_no_bias", "output_shape"])
def test_multi_head_attention(kwargs, rng):
    query, value = keras.Input((4, 6)), keras.Input((3, 6))
    output = layers.MultiHeadAttention(num_heads=2, key_dim=3, **kwargs)(query, value)
    model = keras.Model([query, value], output)
    randomize(model)
    assert_exports(model, inputs_for(model, rng))


def test_multi_head_attention_with_key_and_self_attention(rng):
    tokens, key = keras.Input((4, 6)), keras.Input((4, 5))
    attention = layers.MultiHeadAttention(num_heads=3, key_dim=2)
    model = keras.Model([tokens, key], attention(tokens, tokens, key=key))
    randomize(model)
    assert_exports(model, inputs_for(model, rng))


def test_multi_head_attention_causal_mask_is_refused():
    from glassnet.export import ExportError, to_onnx

    tokens = keras.Input((4, 6))
    model = keras.Model(tokens, layers.MultiHeadAttention(2, 3, name="mha")(tokens, tokens, use_causal_mask=True))
    with pytest.raises(ExportError, match=r"'mha' \(MultiHeadAttention\).*use_causal_mask"):
        to_onnx(model)
