"""The 3-D, adaptive and small layers against Keras 3 (torch backend): same weights, same inputs, same
outputs (both data formats); gradients w.r.t. inputs and weights against torch's through Keras; the
same get_config keys; run_layer_test; .keras files written by glassnet load in Keras and back."""

import os

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.autodiff.tensor import Tensor
from glassnet.testing import run_layer_test

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

CF = {"data_format": "channels_first"}
CASES = [
    # (id, layer name, input shape, kwargs, weighted)
    ("conv3d", "Conv3D", (2, 4, 5, 4, 2), dict(filters=3, kernel_size=(2, 3, 2)), True),
    ("conv3d_same_strided_relu", "Conv3D", (1, 5, 4, 5, 2),
     dict(filters=2, kernel_size=3, strides=2, padding="same", activation="relu"), True),
    ("conv3d_cf_dilated", "Conv3D", (1, 2, 5, 5, 4), dict(filters=2, kernel_size=2, dilation_rate=2, **CF), True),
    ("conv3d_transpose", "Conv3DTranspose", (1, 3, 2, 3, 2), dict(filters=2, kernel_size=3, strides=2), True),
    ("conv3d_transpose_same_cf", "Conv3DTranspose", (1, 2, 2, 3, 2),
     dict(filters=3, kernel_size=3, strides=2, padding="same", **CF), True),
    ("conv3d_transpose_output_padding", "Conv3DTranspose", (1, 2, 3, 2, 1),
     dict(filters=2, kernel_size=3, strides=2, output_padding=1), True),
    ("separable_conv1d", "SeparableConv1D", (2, 7, 3), dict(filters=4, kernel_size=3, depth_multiplier=2), True),
    ("separable_conv1d_cf_same", "SeparableConv1D", (2, 3, 7),
     dict(filters=2, kernel_size=3, strides=2, padding="same", **CF), True),
    ("depthwise_conv1d", "DepthwiseConv1D", (2, 8, 3), dict(kernel_size=3, depth_multiplier=2, dilation_rate=2), True),
    ("depthwise_conv1d_cf", "DepthwiseConv1D", (2, 3, 8), dict(kernel_size=2, padding="same", **CF), True),
    ("conv_lstm3d", "ConvLSTM3D", (2, 2, 3, 4, 3, 2), dict(filters=2, kernel_size=2, padding="same",
                                                            return_sequences=True), True),
    ("max_pool3d", "MaxPooling3D", (2, 4, 5, 4, 2), dict(pool_size=2), False),
    ("max_pool3d_cf_strided", "MaxPooling3D", (1, 2, 5, 4, 5), dict(pool_size=(2, 3, 2), strides=1, **CF), False),
    ("avg_pool3d", "AveragePooling3D", (2, 4, 4, 5, 2), dict(pool_size=(2, 2, 3)), False),
    ("avg_pool3d_cf", "AveragePooling3D", (1, 2, 4, 4, 4), dict(pool_size=2, **CF), False),
    ("global_avg3d", "GlobalAveragePooling3D", (2, 3, 4, 2, 3), {}, False),
    ("global_max3d_cf_keepdims", "GlobalMaxPooling3D", (2, 3, 4, 2, 3), dict(keepdims=True, **CF), False),
    ("cropping3d", "Cropping3D", (1, 5, 6, 4, 2), dict(cropping=((1, 2), 1, (0, 2))), False),
    ("cropping3d_cf", "Cropping3D", (1, 2, 5, 6, 4), dict(cropping=(1, 2, 1), **CF), False),
    ("zero_padding3d", "ZeroPadding3D", (1, 2, 3, 2, 2), dict(padding=((1, 0), 2, (0, 1))), False),
    ("zero_padding3d_cf", "ZeroPadding3D", (1, 2, 2, 3, 2), dict(padding=1, **CF), False),
    ("up_sampling3d", "UpSampling3D", (1, 2, 3, 2, 2), dict(size=(2, 1, 3)), False),
    ("up_sampling3d_cf", "UpSampling3D", (1, 2, 2, 3, 2), dict(size=2, **CF), False),
    ("adaptive_avg1d", "AdaptiveAveragePooling1D", (2, 7, 3), dict(output_size=3), False),
    ("adaptive_avg2d_cf", "AdaptiveAveragePooling2D", (2, 3, 7, 5), dict(output_size=(3, 2), **CF), False),
    ("adaptive_avg3d", "AdaptiveAveragePooling3D", (1, 5, 4, 6, 2), dict(output_size=2), False),
    ("adaptive_max1d_cf", "AdaptiveMaxPooling1D", (2, 3, 7), dict(output_size=4, **CF), False),
    ("adaptive_max2d", "AdaptiveMaxPooling2D", (2, 7, 5, 3), dict(output_size=(3, 2)), False),
    ("adaptive_max3d_cf", "AdaptiveMaxPooling3D", (1, 2, 5, 4, 6), dict(output_size=(2, 3, 2), **CF), False),
    ("rms_norm", "RMSNormalization", (2, 3, 5), {}, True),
    ("rms_norm_axes", "RMSNormalization", (2, 3, 5), dict(axis=[1, 2], epsilon=1e-3), True),
    ("activity_regularization", "ActivityRegularization", (2, 5), dict(l1=0.1, l2=0.2), False),
    ("alpha_dropout", "AlphaDropout", (2, 5), dict(rate=0.3), False),
    ("spatial_dropout3d", "SpatialDropout3D", (2, 3, 2, 2, 3), dict(rate=0.5), False),
]


def _data(shape, seed=0):
    rng = np.random.default_rng(seed)
    return RNG_PERMUTE(rng, shape)


def RNG_PERMUTE(rng, shape):
    """Distinct values (no ties for max pooling)."""
    size = int(np.prod(shape))
    return rng.permutation(np.linspace(-2.0, 2.0, size)).reshape(shape).astype("float32")


def _both(name, shape, kwargs):
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    x = _data(shape)
    ours(x)
    theirs(x)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    rng = np.random.default_rng(1)
    weights = [(rng.standard_normal(tuple(w.shape)) * 0.5).astype("float32") for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    return ours, theirs, x


@pytest.mark.parametrize("name,shape,kwargs,weighted", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_matches_keras(name, shape, kwargs, weighted):
    ours, theirs, x = _both(name, shape, kwargs)
    want = np.asarray(keras.ops.convert_to_numpy(theirs(x)))
    got = ours(x).numpy()
    assert got.shape == want.shape == tuple(ours.compute_output_shape(x.shape))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    skip = {"zero_output_for_mask", "trainable"}  # Keras' SpatialDropout configs leave out trainable
    assert set(ours.get_config()) - skip == set(theirs.get_config()) - skip
    if name in ("ActivityRegularization",):
        assert np.isclose(float(ours.losses[0].numpy()), float(keras.ops.convert_to_numpy(theirs.losses[0])),
                          rtol=1e-5)


@pytest.mark.parametrize("name,shape,kwargs,weighted", [c[1:] for c in CASES if c[4] or "Pool" in c[1]],
                         ids=[c[0] for c in CASES if c[4] or "Pool" in c[1]])
def test_gradients_match_keras_torch(name, shape, kwargs, weighted):
    """d(sum(y * w))/d(inputs, weights) against torch's autograd through Keras' torch layer."""
    ours, theirs, x = _both(name, shape, kwargs)
    for weight in ours.trainable_weights:
        weight.grad = None
    tx = Tensor(x, requires_grad=True)
    y = ours(tx)
    w = np.random.default_rng(2).standard_normal(y.shape).astype("float32")
    (y * Tensor(w)).sum().backward()
    kx = torch.tensor(x, requires_grad=True)
    (theirs(kx) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(tx.grad, kx.grad.numpy(), rtol=1e-4, atol=1e-5)
    for mine, their in zip(ours.trainable_weights, theirs.trainable_weights):
        np.testing.assert_allclose(mine.grad, their.value.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name,shape,kwargs,weighted", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_run_layer_test(name, shape, kwargs, weighted):
    run_layer_test(getattr(layers, name), kwargs, input_shape=shape, input_data=_data(shape),
                   run_training_check=weighted)


def test_aliases():
    assert layers.Convolution3D is layers.Conv3D
    assert layers.Convolution3DTranspose is layers.Conv3DTranspose
    assert layers.MaxPool3D is layers.MaxPooling3D and layers.AvgPool3D is layers.AveragePooling3D
    assert layers.GlobalAvgPool3D is layers.GlobalAveragePooling3D
    assert layers.GlobalMaxPool3D is layers.GlobalMaxPooling3D
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    assert layers.SeparableConvolution2D is layers.SeparableConv2D
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose


def test_alpha_dropout_training_keeps_moments():
    x = np.random.default_rng(0).standard_normal((200, 500)).astype("float32")
    y = layers.AlphaDropout(0.2, seed=1)(x, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.03
    np.testing.assert_array_equal(layers.AlphaDropout(0.2)(x).numpy(), x)


def test_spatial_dropout3d_drops_whole_volumes():
    x = np.ones((4, 3, 2, 2, 6), "float32")
    y = layers.SpatialDropout3D(0.5, seed=3)(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert np.all(y == y[:, :1, :1, :1, :])
    y = layers.SpatialDropout3D(0.5, data_format="channels_first", seed=3)(x, training=True).numpy()
    assert np.all(y == y[:, :, :1, :1, :1])


@pytest.mark.parametrize("make,bad,match", [
    (lambda: layers.Conv3D(2, 3), (1, 2, 5, 5, 1), "Conv3D"),
    (lambda: layers.Conv3D(2, 2), (1, 4, 4, 1), "Conv3D"),
    (lambda: layers.MaxPooling3D(3), (1, 2, 4, 4, 1), "MaxPooling3D"),
    (lambda: layers.Cropping3D(2), (1, 4, 5, 5, 1), "Cropping3D"),
])
def test_bad_inputs_name_the_layer(make, bad, match):
    with pytest.raises(ValueError, match=match):
        make()(np.zeros(bad, "float32"))


@pytest.mark.parametrize("make,match", [
    (lambda: layers.Conv3D(2, 3, data_format="nchw"), "data_format"),
    (lambda: layers.Conv3DTranspose(2, 3, strides=2, output_padding=2), "output_padding"),
    (lambda: layers.AdaptiveAveragePooling2D((2, 2, 2)), "output_size"),
    (lambda: layers.ZeroPadding3D(((1, 1), (1, 1))), "padding"),
    (lambda: layers.AlphaDropout(1.5), "rate"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def _model(lib):
    inputs = lib.Input((4, 5, 4, 2))
    x = lib.layers.Conv3D(3, 2, padding="same")(inputs)
    x = lib.layers.MaxPooling3D(2)(x)
    x = lib.layers.ZeroPadding3D(1)(x)
    x = lib.layers.Conv3DTranspose(2, 2, strides=2)(x)
    x = lib.layers.Cropping3D(1)(x)
    x = lib.layers.UpSampling3D(1)(x)
    x = lib.layers.AdaptiveAveragePooling3D(2)(x)
    x = lib.layers.RMSNormalization()(x)
    x = lib.layers.GlobalAveragePooling3D()(x)
    return lib.Model(inputs, x)


def test_keras_file_round_trip_both_ways(tmp_path):
    x = _data((2, 4, 5, 4, 2))
    ours = _model(glassnet)
    theirs = keras.saving.load_model(_save(ours, tmp_path / "ours.keras"))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(theirs(x)), ours(x).numpy(), rtol=1e-4, atol=1e-5)
    written = _model(keras)
    written.save(tmp_path / "theirs.keras")
    loaded = glassnet.saving.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(loaded(x).numpy(), keras.ops.convert_to_numpy(written(x)), rtol=1e-4, atol=1e-5)


def _save(model, path):
    model.save(path)
    return path
