"""ops.image crop_images, pad_images, rgb_to_grayscale, rgb_to_hsv, hsv_to_rgb, gaussian_blur, sobel_edges, ssim,
map_coordinates, extract_patches_3d: values, dtypes and shapes against Keras 3 (torch backend) and SciPy,
float64 gradient checks."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported

from glassnet import ops
from glassnet.autodiff import Tensor, gradcheck

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

RNG = np.random.default_rng(7)
IMAGES = RNG.uniform(0, 1, (2, 9, 11, 3)).astype("float32")
OTHER = np.clip(IMAGES + RNG.normal(0, 0.1, IMAGES.shape), 0, 1).astype("float32")
FIRST = IMAGES.transpose(0, 3, 1, 2).copy()
VOLUMES = RNG.random((2, 5, 6, 7, 2)).astype("float32")
GRID = RNG.random((5, 6)).astype("float32")
COORDS = RNG.uniform(-2, 7, (2, 4, 3)).astype("float32")

KERAS_CASES = [
    ("pad_images", lambda o: o.image.pad_images(IMAGES, 1, 2, target_height=12, target_width=14)),
    ("pad_images_bottom_right", lambda o: o.image.pad_images(IMAGES[0], bottom_padding=2, right_padding=1,
                                                             top_padding=0, left_padding=3)),
    ("pad_images_channels_first", lambda o: o.image.pad_images(FIRST, 1, 1, 2, 2, data_format="channels_first")),
    ("crop_images", lambda o: o.image.crop_images(IMAGES, 1, 2, target_height=5, target_width=6)),
    ("crop_images_bottom_right", lambda o: o.image.crop_images(IMAGES[0], 1, 2, 3, 4)),
    ("crop_images_channels_first", lambda o: o.image.crop_images(FIRST, 1, 2, target_height=4, target_width=5,
                                                                 data_format="channels_first")),
    ("rgb_to_grayscale", lambda o: o.image.rgb_to_grayscale(IMAGES)),
    ("rgb_to_grayscale_channels_first", lambda o: o.image.rgb_to_grayscale(FIRST, data_format="channels_first")),
    ("rgb_to_grayscale_uint8", lambda o: o.image.rgb_to_grayscale((IMAGES * 255).astype("uint8"))),
    ("rgb_to_hsv", lambda o: o.image.rgb_to_hsv(IMAGES)),
    ("rgb_to_hsv_grey_pixels", lambda o: o.image.rgb_to_hsv(np.repeat(IMAGES[..., :1], 3, axis=-1))),
    ("hsv_to_rgb", lambda o: o.image.hsv_to_rgb(IMAGES)),
    ("hsv_to_rgb_channels_first", lambda o: o.image.hsv_to_rgb(FIRST, data_format="channels_first")),
    # data_format given: Keras' torch backend reads data_format=None as channels_first here
    ("gaussian_blur", lambda o: o.image.gaussian_blur(IMAGES, data_format="channels_last")),
    ("gaussian_blur_5", lambda o: o.image.gaussian_blur(IMAGES[0], (5, 5), (1.5, 1.5), data_format="channels_last")),
    ("gaussian_blur_channels_first", lambda o: o.image.gaussian_blur(FIRST, data_format="channels_first")),
    ("sobel_edges", lambda o: o.image.sobel_edges(IMAGES)),
    ("sobel_edges_channels_first", lambda o: o.image.sobel_edges(FIRST, data_format="channels_first")),
    ("ssim", lambda o: o.image.ssim(IMAGES, OTHER, filter_size=5)),
    ("ssim_unbatched", lambda o: o.image.ssim(IMAGES[0] * 255, OTHER[0] * 255, max_val=255.0, filter_size=3,
                                              filter_sigma=1.0)),
    ("extract_patches_3d", lambda o: o.image.extract_patches_3d(VOLUMES, 2)),
    ("extract_patches_3d_same", lambda o: o.image.extract_patches_3d(VOLUMES, (2, 3, 2), strides=(1, 2, 3),
                                                                     padding="same")),
    ("extract_patches_3d_unbatched", lambda o: o.image.extract_patches_3d(VOLUMES[0], 3, strides=1)),
    ("extract_patches_3d_dilated", lambda o: o.image.extract_patches_3d(VOLUMES, 2, strides=1, dilation_rate=2)),
] + [
    (f"map_coordinates_{mode}_{order}", lambda o, mode=mode, order=order: o.image.map_coordinates(
        GRID, COORDS, order, fill_mode=mode, fill_value=0.5))
    for mode in ("constant", "nearest", "wrap", "mirror", "reflect") for order in (0, 1)
]


@pytest.mark.parametrize("name, call", KERAS_CASES, ids=[c[0] for c in KERAS_CASES])
def test_matches_keras(name, call):
    keras = pytest.importorskip("keras")
    theirs = keras.ops.convert_to_numpy(call(keras.ops))
    ours = ops.convert_to_numpy(call(ops))
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, (
        f"{name}: {ours.shape} {ours.dtype} vs Keras {theirs.shape} {theirs.dtype}")
    np.testing.assert_allclose(ours.astype("float64"), theirs.astype("float64"), rtol=1e-5, atol=2e-5)


def test_gaussian_blur_rectangular_kernel_matches_scipy():
    """Keras' NumPy backend: columns use (kernel_size[0], sigma[0]), rows (kernel_size[1], sigma[1])."""
    signal = pytest.importorskip("scipy.signal")

    def gauss(size, sigma):
        t = np.arange(size) - (size - 1) / 2
        k = np.exp(-0.5 * (t / sigma) ** 2)
        return k / k.sum()

    kernel = np.outer(gauss(5, 2.0), gauss(3, 0.8))
    image = IMAGES[0, :, :, 1].astype("float64")
    expected = signal.convolve2d(np.pad(image, ((2, 2), (1, 1))), kernel, mode="valid")
    ours = ops.convert_to_numpy(ops.image.gaussian_blur(IMAGES[0].astype("float64"), (3, 5), (0.8, 2.0)))
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours[:, :, 1], expected, atol=1e-12)


def test_hsv_round_trip_and_identical_images_have_ssim_one():
    back = ops.convert_to_numpy(ops.image.hsv_to_rgb(ops.image.rgb_to_hsv(IMAGES)))
    np.testing.assert_allclose(back, IMAGES, atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(ops.image.ssim(IMAGES, IMAGES, filter_size=7)), [1.0, 1.0], atol=1e-5)


def test_map_coordinates_matches_scipy_inside_the_array():
    ndimage = pytest.importorskip("scipy.ndimage")
    volume = RNG.random((3, 4, 5))
    coords = RNG.uniform(0, 2, (3, 6))
    ours = ops.convert_to_numpy(ops.image.map_coordinates(volume, coords, 1))
    np.testing.assert_allclose(ours, ndimage.map_coordinates(volume, coords, order=1), atol=1e-12)


def normal(*shape):
    return RNG.standard_normal(shape)


GRADIENT_CASES = [
    ("pad_images", lambda x: ops.image.pad_images(x, 1, 0, 2, 1), [normal(1, 3, 3, 2)]),
    ("crop_images", lambda x: ops.image.crop_images(x, 1, 1, target_height=2, target_width=2), [normal(4, 4, 1)]),
    ("rgb_to_grayscale", lambda x: ops.image.rgb_to_grayscale(x), [normal(1, 2, 2, 3)]),
    ("rgb_to_hsv", lambda x: ops.image.rgb_to_hsv(x), [RNG.permutation(12).reshape(1, 2, 2, 3) / 13 + 0.02]),
    ("hsv_to_rgb", lambda x: ops.image.hsv_to_rgb(x), [np.array([[[0.05, 0.5, 0.7], [0.4, 0.3, 0.9]],
                                                                 [[0.6, 0.8, 0.2], [0.9, 0.1, 0.5]]])]),
    ("gaussian_blur", lambda x: ops.image.gaussian_blur(x, (3, 3), (1.0, 1.0)), [normal(1, 4, 4, 2)]),
    ("sobel_edges", lambda x: ops.image.sobel_edges(x), [normal(1, 3, 4, 2)]),
    ("ssim", lambda a, b: ops.image.ssim(a, b, filter_size=3), [RNG.random((1, 4, 4, 2)), RNG.random((1, 4, 4, 2))]),
    ("map_coordinates_linear", lambda x: ops.image.map_coordinates(x, COORDS, 1, fill_mode="reflect"),
     [normal(5, 6)]),
    ("map_coordinates_constant", lambda x: ops.image.map_coordinates(x, COORDS, 1), [normal(5, 6)]),
    ("map_coordinates_nearest", lambda x: ops.image.map_coordinates(x, COORDS, 0, fill_mode="wrap"),
     [normal(5, 6)]),
    ("extract_patches_3d", lambda x: ops.image.extract_patches_3d(x, 2, strides=1, padding="same"),
     [normal(1, 3, 2, 3, 1)]),
]


@pytest.mark.parametrize("name, fn, inputs", GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_gradcheck(name, fn, inputs):
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("name, fn, inputs", GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_float32_in_float32_out(name, fn, inputs):
    tensors = [Tensor(np.asarray(a, "float32"), requires_grad=True) for a in inputs]
    out = fn(*tensors)
    assert out.dtype == np.float32, name
    ops.sum(out).backward()
    for t in tensors:
        assert t.grad is not None and t.grad.dtype == np.float32, name


def test_bad_input_errors_say_what_was_expected():
    with pytest.raises(ValueError, match="exactly two of top_padding"):
        ops.image.pad_images(IMAGES, 1)
    with pytest.raises(ValueError, match="target is smaller"):
        ops.image.pad_images(IMAGES, 1, 1, target_height=3, target_width=30)
    with pytest.raises(ValueError, match="cannot crop"):
        ops.image.crop_images(IMAGES, 5, 0, target_height=8, target_width=3)
    with pytest.raises(ValueError, match="rank 3"):
        ops.image.rgb_to_grayscale(IMAGES[0, 0])
    with pytest.raises(ValueError, match="3 \\(RGB\\) or 1"):
        ops.image.rgb_to_grayscale(IMAGES[..., :2])
    with pytest.raises(ValueError, match="float images"):
        ops.image.rgb_to_hsv((IMAGES * 255).astype("uint8"))
    with pytest.raises(ValueError, match="same shape"):
        ops.image.ssim(IMAGES, IMAGES[:1])
    with pytest.raises(ValueError, match="order must be 0 or 1"):
        ops.image.map_coordinates(GRID, COORDS, 3)
    with pytest.raises(ValueError, match="coordinates must have shape"):
        ops.image.map_coordinates(GRID, COORDS[:1], 1)
