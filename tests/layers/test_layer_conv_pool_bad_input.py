"""Bad input to convolution and pooling layers: a clear ValueError that names the layer and says
what it expected and what it got, raised before any state changes; the model stays usable."""

import re

import numpy as np
import pytest

import glassnet
from glassnet import layers


def images(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def small_cnn(**conv_kwargs):
    return glassnet.Sequential([layers.Conv2D(4, 3, name="conv", **conv_kwargs), layers.MaxPooling2D(name="pool"),
                                layers.Flatten(), layers.Dense(3, name="head")])


def test_wrong_rank_batch_to_conv2d_names_the_layer_and_the_shapes():
    conv = layers.Conv2D(8, 3, name="conv_a")
    with pytest.raises(ValueError) as info:
        conv(images(5, 28, 28))
    message = str(info.value)
    assert "Conv2D 'conv_a'" in message
    assert "4 dimensions" in message and "(5, 28, 28)" in message
    assert not conv.built and conv.weights == []  # nothing was built from the bad input
    assert conv(images(5, 28, 28, 1)).shape == (5, 26, 26, 8)


def test_wrong_rank_batch_to_conv2d_hints_at_the_channels_axis():
    with pytest.raises(ValueError, match=re.escape("x[..., None]")):
        layers.Conv2D(8, 3)(images(5, 28, 28))


@pytest.mark.parametrize("layer", [
    lambda: layers.Conv1D(2, 3), lambda: layers.MaxPooling1D(), lambda: layers.GlobalAveragePooling1D(),
])
def test_wrong_rank_batch_to_1d_layers(layer):
    layer = layer()
    with pytest.raises(ValueError) as info:
        layer(images(2, 5, 4, 3))
    message = str(info.value)
    assert f"{type(layer).__name__} '{layer.name}'" in message and "3 dimensions" in message
    assert "(2, 5, 4, 3)" in message


@pytest.mark.parametrize("layer", [
    lambda: layers.DepthwiseConv2D(3), lambda: layers.SeparableConv2D(2, 3), lambda: layers.Conv2DTranspose(2, 3),
    lambda: layers.MaxPooling2D(), lambda: layers.AveragePooling2D(2), lambda: layers.GlobalMaxPooling2D(),
])
def test_wrong_rank_batch_to_2d_layers(layer):
    layer = layer()
    with pytest.raises(ValueError) as info:
        layer(images(2, 6, 6))
    message = str(info.value)
    assert f"{type(layer).__name__} '{layer.name}'" in message and "4 dimensions" in message
    assert "(2, 6, 6)" in message


def test_kernel_larger_than_input_with_valid_padding_fails_at_build_on_a_symbolic_input():
    inputs = glassnet.Input((4, 9, 2))
    conv = layers.Conv2D(3, 5, name="too_big")
    with pytest.raises(ValueError) as info:
        conv(inputs)
    message = str(info.value)
    assert "Conv2D 'too_big'" in message and "(5, 5)" in message and "(4, 9)" in message
    assert "valid" in message and "same" in message  # says what to change
    assert not conv.built
    # the same layer is fine once its padding allows it
    assert layers.Conv2D(3, 5, padding="same")(inputs).shape == (None, 4, 9, 3)


def test_dilated_kernel_larger_than_input_with_valid_padding():
    conv = layers.Conv2D(3, 3, dilation_rate=3, name="dilated")
    with pytest.raises(ValueError) as info:
        conv(glassnet.Input((6, 10, 1)))  # span 7 > 6
    message = str(info.value)
    assert "Conv2D 'dilated'" in message and "(6, 10)" in message and "dilation" in message


def test_kernel_larger_than_input_on_eager_call_before_build():
    conv = layers.Conv2D(2, (3, 3), name="eager")
    with pytest.raises(ValueError) as info:
        conv(images(2, 2, 5, 1))
    message = str(info.value)
    assert "Conv2D 'eager'" in message and "(3, 3)" in message and "(2, 5)" in message
    assert not conv.built


@pytest.mark.parametrize("make,good,bad", [
    (lambda: layers.Conv2D(2, 3, name="built"), (2, 8, 8, 1), (2, 2, 8, 1)),
    (lambda: layers.DepthwiseConv2D(3, name="built"), (2, 8, 8, 2), (2, 8, 2, 2)),
    (lambda: layers.SeparableConv2D(2, 3, name="built"), (2, 8, 8, 2), (2, 1, 1, 2)),
    (lambda: layers.Conv1D(2, 4, name="built"), (2, 8, 3), (2, 3, 3)),
    (lambda: layers.MaxPooling2D(3, name="built"), (2, 8, 8, 1), (2, 2, 8, 1)),
    (lambda: layers.AveragePooling1D(4, name="built"), (2, 8, 3), (2, 3, 3)),
])
def test_built_layer_called_on_input_smaller_than_its_window_names_the_layer(make, good, bad):
    layer = make()
    first = layer(images(*good)).numpy()
    with pytest.raises(ValueError) as info:
        layer(images(*bad))
    message = str(info.value)
    assert f"{type(layer).__name__} 'built'" in message
    assert str(bad[1:-1]) in message and "valid" in message
    np.testing.assert_array_equal(layer(images(*good)).numpy(), first)  # still works, same weights


def test_causal_conv1d_accepts_sequences_shorter_than_its_kernel():
    assert layers.Conv1D(2, 5, padding="causal")(images(1, 3, 2)).shape == (1, 3, 2)


@pytest.mark.parametrize("layer_class", [layers.Conv2D, layers.DepthwiseConv2D, layers.SeparableConv2D,
                                         layers.Conv2DTranspose])
def test_built_layer_called_with_other_channels(layer_class):
    kwargs = {} if layer_class is layers.DepthwiseConv2D else {"filters": 2}
    layer = layer_class(kernel_size=3, name="chan", **kwargs)
    layer(images(2, 6, 6, 3))
    weights = [w.copy() for w in layer.get_weights()]
    with pytest.raises(ValueError) as info:
        layer(images(2, 6, 6, 5))
    message = str(info.value)
    assert f"{layer_class.__name__} 'chan'" in message
    assert "last dimension 3" in message and "(2, 6, 6, 5)" in message
    for before, after in zip(weights, layer.get_weights()):
        np.testing.assert_array_equal(before, after)


def test_built_conv1d_called_with_other_channels():
    layer = layers.Conv1D(2, 3, name="seq")
    layer(images(2, 6, 4))
    with pytest.raises(ValueError, match=r"Conv1D 'seq' expects inputs with last dimension 4, got \(2, 6, 7\)"):
        layer(images(2, 6, 7))


def test_built_batch_normalization_called_with_other_channels():
    bn = layers.BatchNormalization(name="bn")
    bn(images(4, 3, 3, 2))
    with pytest.raises(ValueError) as info:
        bn(images(4, 3, 3, 5), training=True)
    assert "BatchNormalization 'bn'" in str(info.value) and "(4, 3, 3, 5)" in str(info.value)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(2))  # untouched by the bad call


@pytest.mark.parametrize("make", [
    lambda: layers.Conv2D(2, 3, padding="full"), lambda: layers.Conv1D(2, 3, padding="full"),
    lambda: layers.Conv2D(2, 3, padding="causal"), lambda: layers.DepthwiseConv2D(3, padding="reflect"),
    lambda: layers.SeparableConv2D(2, 3, padding="zeros"), lambda: layers.Conv2DTranspose(2, 3, padding="full"),
    lambda: layers.MaxPooling2D(padding="full"), lambda: layers.AveragePooling1D(2, padding="causal"),
])
def test_invalid_padding_string(make):
    with pytest.raises(ValueError) as info:
        make()
    message = str(info.value)
    assert "padding" in message and "'valid'" in message and "'same'" in message
    assert re.search(r"(Conv|Pooling)\w*", message)


@pytest.mark.parametrize("make", [
    lambda: layers.Conv2D(2, 3, strides=2, dilation_rate=2), lambda: layers.Conv1D(2, 3, strides=2, dilation_rate=3),
    lambda: layers.DepthwiseConv2D(3, strides=(1, 2), dilation_rate=(2, 1)),
    lambda: layers.SeparableConv2D(2, 3, strides=2, dilation_rate=2),
])
def test_strides_and_dilation_both_above_one(make):
    with pytest.raises(ValueError) as info:
        make()
    message = str(info.value)
    assert "strides" in message and "dilation_rate" in message
    assert re.search(r"(Conv1D|Conv2D|DepthwiseConv2D|SeparableConv2D) '", message)


@pytest.mark.parametrize("layer_class,shape", [
    (layers.MaxPooling2D, (2, 3, 5, 1)), (layers.AveragePooling2D, (2, 5, 3, 1)),
    (layers.MaxPooling1D, (2, 3, 2)), (layers.AveragePooling1D, (2, 3, 2)),
])
@pytest.mark.parametrize("symbolic", [False, True], ids=["eager", "symbolic"])
def test_pool_larger_than_input(layer_class, shape, symbolic):
    layer = layer_class(pool_size=4, name="pool_big")
    x = glassnet.Input(shape[1:]) if symbolic else images(*shape)
    with pytest.raises(ValueError) as info:
        layer(x)
    message = str(info.value)
    assert f"{layer_class.__name__} 'pool_big'" in message and str(shape[1:-1]) in message
    assert "(4, 4)" in message or "(4,)" in message
    expected = tuple(-(-size // 4) for size in shape[1:-1])  # ceil(size / 4)
    assert tuple(layer_class(pool_size=4, padding="same")(x).shape[1:-1]) == expected


@pytest.mark.parametrize("kwargs", [dict(filters=0, kernel_size=3), dict(filters=2, kernel_size=0),
                                    dict(filters=2, kernel_size=(3, 3, 3)), dict(filters=2, kernel_size=3, strides=0),
                                    dict(filters=2, kernel_size=3, groups=2),
                                    dict(filters=2, kernel_size=3, data_format="channels_first")])
def test_invalid_conv2d_arguments(kwargs):
    with pytest.raises(ValueError, match="Conv2D"):
        layers.Conv2D(**kwargs)


def test_conv2d_transpose_output_padding_must_be_smaller_than_strides():
    with pytest.raises(ValueError, match=r"Conv2DTranspose .*output_padding \(2, 2\).*strides \(2, 2\)"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)


def test_model_stays_usable_after_bad_input_errors():
    model = small_cnn()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = images(8, 9, 9, 2), np.arange(8) % 3
    with pytest.raises(ValueError, match="Conv2D 'conv'"):
        model.fit(images(4, 2, 2, 2), y[:4], epochs=1, verbose=0)  # smaller than the 3x3 kernel, before build
    history = model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    weights = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=r"Conv2D 'conv' expects inputs with last dimension 2, got \(8, 9, 9, 3\)"):
        model.predict(images(8, 9, 9, 3), verbose=0)
    with pytest.raises(ValueError, match="Conv2D 'conv'"):
        model.fit(images(4, 2, 2, 2), y[:4], epochs=1, verbose=0)  # smaller than the kernel, after build
    with pytest.raises(ValueError, match="(Conv2D 'conv'|Sequential)"):
        model.predict(images(8, 9, 9), verbose=0)  # no channels axis
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert model.predict(x, verbose=0).shape == (8, 3)
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert model.evaluate(x, y, verbose=0) > 0


def test_model_with_input_stays_usable_after_bad_input_errors():
    model = glassnet.Sequential([glassnet.Input((9, 9, 2)), layers.Conv2D(4, 3, name="conv"),
                                 layers.GlobalAveragePooling2D(), layers.Dense(3)])
    x = images(8, 9, 9, 2)
    first = model.predict(x, verbose=0)
    for bad in (images(8, 9, 9, 3), images(8, 2, 9, 2)):
        with pytest.raises(ValueError, match="Conv2D 'conv'"):
            model.predict(bad, verbose=0)
    np.testing.assert_array_equal(model.predict(x, verbose=0), first)


def test_model_without_input_stays_usable_after_a_wrong_rank_first_call():
    model = small_cnn()
    with pytest.raises(ValueError, match="Conv2D 'conv'"):
        model.predict(images(8, 9, 9), verbose=0)  # no channels axis, before build
    assert model.predict(images(8, 9, 9, 2), verbose=0).shape == (8, 3)
