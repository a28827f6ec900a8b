"""RandomFlip, RandomRotation, RandomTranslation, RandomZoom and RandomContrast: training-only,
per-image draws, seeding, known geometry, fill modes, Keras 3 parity given the same draws, gradients,
configs and argument errors."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported

import glassnet  # noqa: E402
from glassnet import layers, ops  # noqa: E402
from glassnet.autodiff import Tensor, gradcheck  # noqa: E402
from glassnet.layers.keras_tensor import KerasTensor  # noqa: E402
from glassnet.testing import run_layer_test  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

AUGMENTATIONS = [
    (layers.RandomFlip, {}),
    (layers.RandomFlip, {"mode": "horizontal"}),
    (layers.RandomRotation, {"factor": 0.2}),
    (layers.RandomTranslation, {"height_factor": 0.2, "width_factor": (-0.1, 0.3)}),
    (layers.RandomZoom, {"height_factor": (-0.3, 0.2)}),
    (layers.RandomZoom, {"height_factor": 0.2, "width_factor": 0.3, "fill_mode": "constant"}),
    (layers.RandomContrast, {"factor": 0.5}),
]


def pictures(shape=(6, 8, 7, 3), seed=0):
    """float32 'pixels' in [40, 215]: away from RandomContrast's clip at 0 and 255."""
    return (np.random.default_rng(seed).random(shape) * 175 + 40).astype("float32")


def keras_module():
    if os.environ.get("KERAS_BACKEND") != "torch":
        pytest.skip("these comparisons use Keras on its torch backend")
    return pytest.importorskip("keras")


# --- common behaviour ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls,kwargs", AUGMENTATIONS)
def test_identity_unless_training(cls, kwargs):
    x = pictures()
    layer = cls(**kwargs)
    for out in (layer(x), layer(x, training=False), layer(x, training=None), layer(x, training=0)):
        np.testing.assert_array_equal(out.numpy(), x)


@pytest.mark.parametrize("cls,kwargs", AUGMENTATIONS)
def test_training_changes_images_each_call(cls, kwargs):
    x = pictures()
    layer = cls(**kwargs)
    first, second = layer(x, training=True).numpy(), layer(x, training=True).numpy()
    assert first.shape == x.shape and first.dtype == np.float32
    assert not np.array_equal(first, x)
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("cls,kwargs", AUGMENTATIONS)
def test_set_random_seed_repeats_a_run(cls, kwargs):
    x = pictures()
    glassnet.utils.set_random_seed(21)
    layer = cls(**kwargs)
    run = [layer(x, training=True).numpy() for _ in range(2)]
    glassnet.utils.set_random_seed(21)
    layer = cls(**kwargs)
    again = [layer(x, training=True).numpy() for _ in range(2)]
    for a, b in zip(run, again):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls,kwargs", AUGMENTATIONS)
def test_a_layer_seed_repeats_and_leaves_the_global_generator_alone(cls, kwargs):
    x = pictures()
    before = glassnet.random.global_generator().bit_generator.state
    a = cls(**kwargs, seed=4)(x, training=True).numpy()
    b = cls(**kwargs, seed=4)(x, training=True).numpy()
    assert glassnet.random.global_generator().bit_generator.state == before
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, cls(**kwargs, seed=5)(x, training=True).numpy())


@pytest.mark.parametrize("cls,kwargs", AUGMENTATIONS)
def test_single_images_and_integer_pixels(cls, kwargs):
    x = pictures()
    single = cls(**kwargs, seed=2)(x[0], training=True)
    assert single.shape == x[0].shape and single.dtype == np.float32
    as_ints = x.astype("uint8")
    out = cls(**kwargs)(as_ints)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), as_ints)
    assert cls(**kwargs)(as_ints, training=True).dtype == np.float32


@pytest.mark.parametrize("cls,kwargs", AUGMENTATIONS)
def test_wrong_rank_names_the_layer(cls, kwargs):
    with pytest.raises(ValueError, match=rf"{cls.__name__} 'aug'.*\(batch, height, width, channels\)"):
        cls(**kwargs, name="aug")(np.zeros((4, 5), "float32"), training=True)


@pytest.mark.parametrize("cls,kwargs", AUGMENTATIONS)
def test_run_layer_test_and_config_round_trip(cls, kwargs):
    layer = run_layer_test(cls, dict(kwargs, seed=1), input_shape=(2, 5, 6, 3), expected_output_shape=(2, 5, 6, 3),
                           expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)
    config = layer.get_config()
    assert cls.from_config(config).get_config() == config
    assert layer(KerasTensor((None, 5, 6, 3))).shape == (None, 5, 6, 3)


@pytest.mark.parametrize("cls,kwargs", AUGMENTATIONS)
def test_config_has_keras_keys(cls, kwargs):
    k = keras_module()
    theirs = set(getattr(k.layers, cls.__name__)(**kwargs).get_config())
    ours = set(cls(**kwargs).get_config())
    assert theirs <= ours, theirs - ours


def test_in_a_model_fit_augments_and_predict_does_not():
    model = glassnet.Sequential([
        glassnet.Input(shape=(8, 8, 1)), layers.Rescaling(1 / 255), layers.RandomFlip("horizontal"),
        layers.RandomRotation(0.1), layers.RandomTranslation(0.1, 0.1), layers.RandomZoom(0.1),
        layers.RandomContrast(0.2, value_range=(0, 1)), layers.Flatten(), layers.Dense(2, activation="softmax"),
    ])
    plain = glassnet.Sequential([glassnet.Input(shape=(8, 8, 1)), layers.Rescaling(1 / 255), layers.Flatten(),
                                 layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = pictures((16, 8, 8, 1))
    y = np.arange(16) % 2
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    plain.set_weights(model.get_weights())
    np.testing.assert_allclose(model.predict(x, verbose=0), plain.predict(x, verbose=0), rtol=1e-6)


# --- RandomFlip --------------------------------------------------------------------------------------------------------


def classify_flips(x, out):
    """For each image: 'none', 'h', 'v' or 'hv', by comparing with the flipped originals."""
    kinds = []
    for original, flipped in zip(x, out):
        candidates = {"none": original, "h": original[:, ::-1], "v": original[::-1], "hv": original[::-1, ::-1]}
        kinds.append(next(name for name, c in candidates.items() if np.array_equal(c, flipped)))
    return kinds


def test_random_flip_horizontal_mirrors_about_half_the_images():
    x = pictures((400, 3, 4, 1))
    kinds = classify_flips(x, layers.RandomFlip("horizontal")(x, training=True).numpy())
    assert set(kinds) == {"none", "h"}
    assert abs(kinds.count("h") / 400 - 0.5) < 0.1  # standard error 0.025


def test_random_flip_vertical():
    x = pictures((400, 3, 4, 1))
    kinds = classify_flips(x, layers.RandomFlip("vertical")(x, training=True).numpy())
    assert set(kinds) == {"none", "v"}
    assert abs(kinds.count("v") / 400 - 0.5) < 0.1


def test_random_flip_both_draws_each_axis_independently():
    x = pictures((800, 3, 4, 1))
    kinds = classify_flips(x, layers.RandomFlip()(x, training=True).numpy())
    for kind in ("none", "h", "v", "hv"):
        assert abs(kinds.count(kind) / 800 - 0.25) < 0.07, kind  # standard error 0.015


def test_random_flip_passes_gradients():
    x = pictures((5, 3, 4, 2))
    gradcheck(lambda t: layers.RandomFlip(seed=3)(t, training=True), [x.astype("float64") / 100])
    tx = Tensor(x, requires_grad=True)
    out = layers.RandomFlip(seed=3)(tx, training=True)
    ops.sum(ops.multiply(out, out)).backward()
    # d/dx sum(flip(x)^2) = 2 x, whichever flip was drawn
    np.testing.assert_allclose(tx.grad, 2 * x, rtol=1e-6)


# --- RandomRotation ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_rotation_factor_zero_is_identity(interpolation):
    x = pictures()
    np.testing.assert_allclose(layers.RandomRotation(0.0, interpolation=interpolation)(x, training=True).numpy(), x,
                               rtol=1e-6)


@pytest.mark.parametrize("turns,k", [(0.25, 1), (-0.25, -1), (0.5, 2)])
def test_quarter_turns_map_pixels_like_rot90(turns, k):
    x = np.arange(3 * 5 * 5 * 2, dtype="float32").reshape(3, 5, 5, 2)
    layer = layers.RandomRotation((turns, turns), interpolation="nearest", fill_mode="constant")
    # a positive factor turns the picture counter-clockwise, as np.rot90 with k > 0
    np.testing.assert_array_equal(layer(x, training=True).numpy(), np.rot90(x, k=k, axes=(1, 2)))


def test_half_turn_of_a_rectangle_flips_both_axes():
    x = pictures((2, 4, 7, 1))
    out = layers.RandomRotation((0.5, 0.5), interpolation="nearest")(x, training=True).numpy()
    np.testing.assert_array_equal(out, x[:, ::-1, ::-1])


def test_rotation_angles_stay_in_the_factor_range():
    # one bright pixel east of the centre of a 9x9 image ends up between 18 and 36 degrees counter-clockwise
    x = np.zeros((300, 9, 9, 1), "float32")
    x[:, 4, 8] = 1.0  # east of the centre
    out = layers.RandomRotation((0.05, 0.1), interpolation="nearest", fill_mode="constant")(x, training=True).numpy()
    rows, cols = np.nonzero(out[..., 0].max(axis=0))
    assert len(rows) > 1
    angles = np.degrees(np.arctan2(4 - rows, cols - 4))  # up is positive, as on screen
    assert angles.min() >= 18 - 10 and angles.max() <= 36 + 10  # a pixel at radius 4 spans about 14 degrees


# --- RandomTranslation ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fill_mode,expected", [
    ("reflect", [[1, 0, 0, 1, 2, 3]]),
    ("wrap", [[4, 5, 0, 1, 2, 3]]),
    ("nearest", [[0, 0, 0, 1, 2, 3]]),
    ("constant", [[-1, -1, 0, 1, 2, 3]]),
])
def test_translation_by_whole_pixels_and_fill_modes(fill_mode, expected):
    row = np.arange(6, dtype="float32").reshape(1, 1, 6, 1)
    layer = layers.RandomTranslation(0.0, (2 / 6, 2 / 6), fill_mode=fill_mode, fill_value=-1.0,
                                      interpolation="nearest")
    np.testing.assert_array_equal(layer(row, training=True).numpy()[0, :, :, 0], expected)
    column = row.reshape(1, 6, 1, 1)
    layer = layers.RandomTranslation((-2 / 6, -2 / 6), 0.0, fill_mode=fill_mode, fill_value=-1.0,
                                     interpolation="bilinear")
    up_by_two = {"reflect": [2, 3, 4, 5, 5, 4], "wrap": [2, 3, 4, 5, 0, 1], "nearest": [2, 3, 4, 5, 5, 5],
                 "constant": [2, 3, 4, 5, -1, -1]}[fill_mode]
    np.testing.assert_allclose(layer(column, training=True).numpy().ravel(), up_by_two)


# --- RandomZoom ---------------------------------------------------------------------------------------------------------------


def test_zoom_factor_zero_is_identity_and_zoom_in_magnifies_the_centre():
    x = pictures()
    np.testing.assert_allclose(layers.RandomZoom(0.0)(x, training=True).numpy(), x, rtol=1e-6)
    row = np.arange(9, dtype="float32").reshape(1, 1, 9, 1)
    # height_factor -0.5: zoom in twice about the centre column 4; width follows the height (aspect kept)
    out = layers.RandomZoom((-0.5, -0.5), interpolation="bilinear")(row, training=True).numpy().ravel()
    np.testing.assert_allclose(out, 2 + 0.5 * np.arange(9))


def test_zoom_with_its_own_width_factor():
    x = np.arange(25, dtype="float32").reshape(1, 5, 5, 1)
    out = layers.RandomZoom(0.0, (1.0, 1.0), interpolation="nearest", fill_mode="constant")(x, training=True)
    # width zoomed out twice about the centre: column x reads column 2x - 2; rows unchanged
    expected = np.array([[0, 5 * r, 5 * r + 2, 5 * r + 4, 0] for r in range(5)], "float32")
    np.testing.assert_array_equal(out.numpy()[0, :, :, 0], expected)


# --- RandomContrast -------------------------------------------------------------------------------------------------------------


def test_contrast_keeps_each_image_channel_mean_and_scales_deviations_by_one_factor():
    x = pictures((50, 6, 5, 3))
    out = layers.RandomContrast(0.2)(x, training=True).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out.mean(axis=(1, 2), keepdims=True), mean, rtol=1e-4)
    deviation = x - mean
    far = np.abs(deviation) > 1.0  # ratios of tiny deviations are mostly rounding
    factor = np.where(far, (out - mean) / np.where(far, deviation, 1.0), np.nan).reshape(50, -1)
    factors = np.nanmedian(factor, axis=1)
    np.testing.assert_allclose(factor[far.reshape(50, -1)], np.broadcast_to(factors[:, None], factor.shape)[
        far.reshape(50, -1)], rtol=1e-3)  # one factor per image
    assert factors.min() >= 0.8 - 1e-4 and factors.max() <= 1.2 + 1e-4
    assert factors.min() < 0.95 and factors.max() > 1.05  # both lower and raise contrast


def test_contrast_pair_factor_range_and_clip_to_value_range():
    x = pictures((200, 4, 4, 1))
    out = layers.RandomContrast((0.0, 0.5))(x, training=True).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    deviation = (x - mean).reshape(200, -1)
    pick = np.argmax(np.abs(deviation), axis=1)[:, None]  # the pixel furthest from its image's mean
    factors = (np.take_along_axis((out - mean).reshape(200, -1), pick, 1) / np.take_along_axis(deviation, pick, 1))
    factors = factors.ravel()
    assert factors.min() >= 1 - 1e-4 and factors.max() <= 1.5 + 1e-4
    spread = np.zeros((1, 2, 2, 1), "float32") + [[[[0.0], [1.0]], [[0.0], [1.0]]]]
    out = layers.RandomContrast((1.0, 1.0), value_range=(0, 1))(spread, training=True).numpy()
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_contrast_gradient():
    x = pictures((3, 3, 4, 2)).astype("float64")
    gradcheck(lambda t: layers.RandomContrast(0.3, seed=9)(t, training=True), [x])


# --- Keras 3 parity, given the same random draws ---------------------------------------------------------------------------------


def test_geometric_layers_match_keras_given_the_same_draws():
    k = keras_module()
    kops = k.ops
    x = pictures((4, 7, 6, 3))
    seed = 5

    ours = layers.RandomRotation((-0.3, 0.4), fill_mode="wrap", seed=seed)(x, training=True).numpy()
    turns = np.random.default_rng(seed).uniform(-0.3, 0.4, size=4)
    theirs_layer = k.layers.RandomRotation((-0.3, 0.4), fill_mode="wrap")
    zeros, ones = kops.zeros(4), kops.ones(4)
    matrix = theirs_layer._compute_affine_matrix(
        center_x=0.5, center_y=0.5, angle=kops.convert_to_tensor((turns * 360).astype("float32")),
        translate_x=zeros, translate_y=zeros, scale=ones, shear_x=zeros, shear_y=zeros, height=7, width=6)
    theirs = theirs_layer.transform_images(kops.convert_to_tensor(x), {"rotation_matrix": matrix}, training=True)
    np.testing.assert_allclose(ours, kops.convert_to_numpy(theirs), rtol=1e-5, atol=1e-3)

    ours = layers.RandomTranslation((-0.2, 0.3), (-0.4, 0.1), fill_mode="constant", fill_value=3.0,
                                    seed=seed)(x, training=True).numpy()
    generator = np.random.default_rng(seed)
    dy = generator.uniform(-0.2, 0.3, size=4) * 7
    dx = generator.uniform(-0.4, 0.1, size=4) * 6
    theirs_layer = k.layers.RandomTranslation((-0.2, 0.3), (-0.4, 0.1), fill_mode="constant", fill_value=3.0)
    theirs = theirs_layer.transform_images(kops.convert_to_tensor(x), {
        "translations": kops.convert_to_tensor(np.stack([dx, dy], axis=1).astype("float32")),
        "input_shape": x.shape}, training=True)
    np.testing.assert_allclose(ours, kops.convert_to_numpy(theirs), rtol=1e-5, atol=1e-3)

    for interpolation, fill_mode in [("nearest", "nearest"), ("bilinear", "reflect")]:
        ours = layers.RandomZoom((-0.2, 0.3), (-0.4, 0.5), fill_mode=fill_mode, interpolation=interpolation,
                                 seed=seed)(x, training=True).numpy()
        generator = np.random.default_rng(seed)
        zoom_y = 1 + generator.uniform(-0.2, 0.3, size=(4, 1))
        zoom_x = 1 + generator.uniform(-0.4, 0.5, size=(4, 1))
        theirs_layer = k.layers.RandomZoom((-0.2, 0.3), (-0.4, 0.5), fill_mode=fill_mode,
                                           interpolation=interpolation)
        theirs = theirs_layer.transform_images(kops.convert_to_tensor(x), {
            "height_zoom": kops.convert_to_tensor(zoom_y.astype("float32")),
            "width_zoom": kops.convert_to_tensor(zoom_x.astype("float32"))}, training=True)
        np.testing.assert_allclose(ours, kops.convert_to_numpy(theirs), rtol=1e-5, atol=1e-3)


def test_contrast_and_flip_match_keras_given_the_same_draws():
    k = keras_module()
    kops = k.ops
    x = pictures((4, 7, 6, 3))
    x[0] *= 1.6  # some values beyond 255, so the clip to value_range matters
    ours = layers.RandomContrast((0.3, 0.5), seed=5)(x, training=True).numpy()
    factors = np.random.default_rng(5).uniform(0.7, 1.5, size=(4, 1, 1, 1)).astype("float32")
    theirs = k.layers.RandomContrast((0.3, 0.5)).transform_images(
        kops.convert_to_tensor(x), {"contrast_factor": kops.convert_to_tensor(factors)}, training=True)
    np.testing.assert_allclose(ours, kops.convert_to_numpy(theirs), rtol=1e-5, atol=1e-3)

    ours = layers.RandomFlip("horizontal", seed=6)(x, training=True).numpy()
    flips = np.random.default_rng(6).random((4, 1, 1, 1)) < 0.5
    theirs = k.layers.RandomFlip("horizontal").transform_images(
        kops.convert_to_tensor(x), {"flips": kops.convert_to_tensor(flips)}, training=True)
    np.testing.assert_array_equal(ours, kops.convert_to_numpy(theirs))


# --- resampling layers are data transforms -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cls,kwargs", [(layers.RandomRotation, {"factor": 0.1}),
                                        (layers.RandomTranslation, {"height_factor": 0.1, "width_factor": 0.1}),
                                        (layers.RandomZoom, {"height_factor": 0.1})])
def test_resampling_layers_output_data_without_a_gradient_path(cls, kwargs):
    x = Tensor(pictures((2, 5, 5, 1)), requires_grad=True)
    assert not cls(**kwargs)(x, training=True).requires_grad
    assert cls(**kwargs)(x).requires_grad  # at inference the input passes through untouched


# --- argument errors -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make,match", [
    (lambda: layers.RandomFlip("diagonal", name="aug"), r"RandomFlip 'aug'.*mode"),
    (lambda: layers.RandomFlip(seed="x", name="aug"), r"RandomFlip 'aug'.*seed"),
    (lambda: layers.RandomFlip(data_format="channels_first", name="aug"), r"RandomFlip 'aug'.*data_format"),
    (lambda: layers.RandomRotation(1.5, name="aug"), r"RandomRotation 'aug'.*factor"),
    (lambda: layers.RandomRotation((0.1, 0.2, 0.3), name="aug"), r"RandomRotation 'aug'.*factor"),
    (lambda: layers.RandomRotation("0.1", name="aug"), r"RandomRotation 'aug'.*factor"),
    (lambda: layers.RandomRotation(0.1, fill_mode="mirror", name="aug"), r"RandomRotation 'aug'.*fill_mode"),
    (lambda: layers.RandomRotation(0.1, interpolation="bicubic", name="aug"),
     r"RandomRotation 'aug'.*interpolation"),
    (lambda: layers.RandomRotation(0.1, fill_value="black", name="aug"), r"RandomRotation 'aug'.*fill_value"),
    (lambda: layers.RandomTranslation(1.2, 0.1, name="aug"), r"RandomTranslation 'aug'.*height_factor"),
    (lambda: layers.RandomTranslation(0.1, (-2, 0.1), name="aug"), r"RandomTranslation 'aug'.*width_factor"),
    (lambda: layers.RandomZoom(-1.0, name="aug"), r"RandomZoom 'aug'.*height_factor"),
    (lambda: layers.RandomZoom(0.1, (0.2, 1.5), name="aug"), r"RandomZoom 'aug'.*width_factor"),
    (lambda: layers.RandomContrast(1.5, name="aug"), r"RandomContrast 'aug'.*factor"),
    (lambda: layers.RandomContrast(-0.2, name="aug"), r"RandomContrast 'aug'.*factor"),
    (lambda: layers.RandomContrast(0.2, value_range=(1, 0), name="aug"), r"RandomContrast 'aug'.*value_range"),
])
def test_bad_arguments_name_the_layer_and_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()
