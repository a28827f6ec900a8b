"""Resizing, CenterCrop and RandomCrop: Keras 3 parity, seeding, shapes, files, gradients, errors."""

import os

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.autodiff import gradcheck
from glassnet.testing import run_layer_test

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def keras_or_skip():
    return pytest.importorskip("keras")


def keras_value(tensor):
    return np.asarray(keras_or_skip().ops.convert_to_numpy(tensor))


RESIZE_CASES = [
    (dict(height=9, width=7), (2, 5, 4, 3)),  # upsampling
    (dict(height=3, width=2), (2, 8, 7, 1)),  # downsampling
    (dict(height=6, width=6, interpolation="nearest"), (1, 4, 5, 2)),
    (dict(height=3, width=5, interpolation="nearest"), (2, 7, 9, 1)),
    (dict(height=4, width=4, crop_to_aspect_ratio=True), (2, 6, 9, 2)),
    (dict(height=4, width=6, crop_to_aspect_ratio=True, interpolation="nearest"), (1, 8, 8, 1)),
    (dict(height=4, width=4, pad_to_aspect_ratio=True, fill_value=0.5), (2, 3, 6, 2)),
    (dict(height=5, width=3), (6, 4, 2)),  # a single image
]


@pytest.mark.parametrize("kwargs, shape", RESIZE_CASES)
def test_resizing_equals_keras(kwargs, shape, rng):
    keras = keras_or_skip()
    x = rng.uniform(0, 1, shape).astype("float32")
    ours, theirs = layers.Resizing(**kwargs), keras.layers.Resizing(**kwargs)
    np.testing.assert_allclose(ours(x).numpy(), keras_value(theirs(x)), rtol=1e-5, atol=1e-6)
    config = {k: v for k, v in theirs.get_config().items() if k not in ("name", "dtype")}
    assert {k: ours.get_config()[k] for k in config} == config


def test_resizing_keeps_integer_images_integer_as_keras(rng):
    keras = keras_or_skip()
    x = rng.integers(0, 256, (2, 5, 5, 3)).astype("uint8")
    got = layers.Resizing(3, 4)(x)
    assert got.dtype == np.uint8
    want = keras_value(keras.layers.Resizing(3, 4)(x))
    # float32 sums in another order may land on the other side of a .5: off by one at most, and rarely
    difference = np.abs(got.numpy().astype(int) - want.astype(int))
    assert difference.max() <= 1 and (difference == 0).mean() > 0.95


def test_resizing_bilinear_by_hand():
    x = np.array([[0.0, 1.0]], "float32").reshape(1, 1, 2, 1)  # one row, two pixels
    y = layers.Resizing(1, 4)(x).numpy().ravel()
    np.testing.assert_allclose(y, [0.0, 0.25, 0.75, 1.0], rtol=1e-6)  # half-pixel centres, clamped at the edges


CROP_CASES = [(dict(height=3, width=4), (2, 7, 8, 2)), (dict(height=4, width=4), (1, 4, 6, 3)),
              (dict(height=6, width=6), (2, 4, 5, 1)), (dict(height=2, width=3), (5, 6, 1))]


@pytest.mark.parametrize("kwargs, shape", CROP_CASES)
def test_center_crop_equals_keras(kwargs, shape, rng):
    keras = keras_or_skip()
    x = rng.uniform(0, 1, shape).astype("float32")
    got = layers.CenterCrop(**kwargs)(x).numpy()
    np.testing.assert_allclose(got, keras_value(keras.layers.CenterCrop(**kwargs)(x)), rtol=1e-5, atol=1e-6)


def test_random_crop_in_training_is_a_seeded_window(rng):
    x = rng.uniform(0, 1, (3, 10, 12, 2)).astype("float32")
    crops = [layers.RandomCrop(4, 5, seed=7)(x, training=True).numpy() for _ in range(2)]
    np.testing.assert_array_equal(crops[0], crops[1])  # the same seed repeats
    assert crops[0].shape == (3, 4, 5, 2)
    windows = {(top, left) for top in range(7) for left in range(8)
               if np.array_equal(x[:, top:top + 4, left:left + 5], crops[0])}
    assert len(windows) == 1  # one window, the same for the whole batch (as Keras)
    layer = layers.RandomCrop(4, 5, seed=7)
    draws = {layer(x, training=True).numpy().tobytes() for _ in range(10)}
    assert len(draws) > 1  # the generator advances
    gn.utils.set_random_seed(3)
    first = layers.RandomCrop(4, 5)(x, training=True).numpy()
    gn.utils.set_random_seed(3)
    np.testing.assert_array_equal(layers.RandomCrop(4, 5)(x, training=True).numpy(), first)


def test_random_crop_at_inference_crops_the_centre_to_the_aspect_and_resizes(rng):
    keras = keras_or_skip()
    x = rng.uniform(0, 1, (2, 8, 12, 3)).astype("float32")
    want = keras_value(keras.layers.Resizing(4, 4, crop_to_aspect_ratio=True)(x))
    np.testing.assert_allclose(layers.RandomCrop(4, 4)(x).numpy(), want, rtol=1e-5, atol=1e-6)
    # images not larger than the target are cropped to its aspect and resized in training too (Keras' docs)
    small = rng.uniform(0, 1, (2, 3, 5, 1)).astype("float32")
    want = keras_value(keras.layers.Resizing(4, 4, crop_to_aspect_ratio=True)(small))
    np.testing.assert_allclose(layers.RandomCrop(4, 4)(small, training=True).numpy(), want, rtol=1e-5, atol=1e-6)


@pytest.mark.filterwarnings("ignore")
def test_keras_files_load_both_ways(tmp_path, rng):
    keras = keras_or_skip()
    x = rng.uniform(0, 1, (2, 9, 11, 3)).astype("float32")

    def build(m):
        inputs = m.Input(shape=(9, 11, 3))
        y = m.layers.Resizing(8, 10, interpolation="nearest")(inputs)
        y = m.layers.RandomCrop(7, 9, seed=2)(y)
        y = m.layers.CenterCrop(6, 6)(y)
        return m.Model(inputs, m.layers.Resizing(3, 4, crop_to_aspect_ratio=True)(y))

    theirs = build(keras)
    theirs.save(tmp_path / "theirs.keras")
    loaded = gn.models.load_model(tmp_path / "theirs.keras")
    assert [type(layer).__name__ for layer in loaded.layers[1:]] == ["Resizing", "RandomCrop", "CenterCrop",
                                                                      "Resizing"]
    assert loaded.layers[2].seed == 2 and loaded.layers[1].interpolation == "nearest"
    assert loaded.predict(x, verbose=0).shape == (2, 3, 4, 3)
    ours = build(gn)
    ours.save(tmp_path / "ours.keras")
    back = keras.models.load_model(tmp_path / "ours.keras")
    for mine, their in zip(ours.layers[1:], back.layers[1:]):
        assert type(their).__name__ == type(mine).__name__
        theirs_config, mine_config = their.get_config(), mine.get_config()
        assert {k: theirs_config[k] for k in mine_config if k not in ("name", "dtype")} == \
            {k: v for k, v in mine_config.items() if k not in ("name", "dtype")}
    assert back.predict(x, verbose=0).shape == (2, 3, 4, 3)


@pytest.mark.parametrize("cls, kwargs, shape, out", [
    (layers.Resizing, dict(height=3, width=5), (2, 6, 4, 2), (2, 3, 5, 2)),
    (layers.CenterCrop, dict(height=3, width=2), (2, 6, 4, 2), (2, 3, 2, 2)),
    (layers.RandomCrop, dict(height=3, width=2, seed=1), (2, 6, 4, 2), (2, 3, 2, 2)),
])
def test_run_layer_test(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out, expected_num_trainable_weights=0)


@pytest.mark.parametrize("layer", [
    lambda: layers.Resizing(5, 3, dtype="float64"),
    lambda: layers.Resizing(2, 3, interpolation="nearest", dtype="float64"),
    lambda: layers.Resizing(3, 3, crop_to_aspect_ratio=True, dtype="float64"),
    lambda: layers.CenterCrop(2, 3, dtype="float64"),
    lambda: layers.CenterCrop(5, 5, dtype="float64"),
])
def test_gradients_by_finite_differences(layer, rng):
    assert gradcheck(layer(), [rng.standard_normal((2, 4, 3, 2))])


def test_random_crop_gradient_reaches_the_window(rng):
    def crop(x):  # a fresh layer of the same seed each call: the same window for every evaluation
        return layers.RandomCrop(2, 2, seed=5, dtype="float64")(x, training=True)

    assert gradcheck(crop, [rng.standard_normal((1, 4, 5, 1))])


@pytest.mark.parametrize("make, message", [
    (lambda: layers.Resizing(0, 3), "`height` must be a positive integer"),
    (lambda: layers.Resizing(3, 2.5), "`width` must be a positive integer"),
    (lambda: layers.Resizing(3, 3, interpolation="bicubic"), "`interpolation` must be one of"),
    (lambda: layers.Resizing(3, 3, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True), "only one of"),
    (lambda: layers.Resizing(3, 3, antialias=True), "antialias=True is not supported"),
    (lambda: layers.Resizing(3, 3, data_format="channels_first"), "channels_last"),
    (lambda: layers.Resizing(3, 3)(np.ones((2, 3), "float32")), "expects images of shape"),
    (lambda: layers.CenterCrop(-1, 3), "`height` must be a positive integer"),
    (lambda: layers.RandomCrop(2, 2, seed="a"), "`seed` must be a non-negative integer or None"),
    (lambda: layers.RandomCrop(2, 2)(np.ones((2, 3, 4, 5, 1), "float32")), "expects images of shape"),
])
def test_bad_arguments_get_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()
