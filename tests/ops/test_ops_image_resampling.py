"""glassnet.ops.image (affine_transform, transform matrices, linear_resize_matrix) and ops.repeat:
fill modes on known images, parity with keras.ops.image.affine_transform, finite-difference gradcheck."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported

from glassnet import ops  # noqa: E402
from glassnet.autodiff import Tensor, gradcheck  # noqa: E402
from glassnet.ops import image  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

ROW = np.array([1.0, 2.0, 3.0, 4.0], "float32").reshape(1, 1, 4, 1)  # a b c d


def shift_right(dx):
    return image.translation_matrix(np.array([dx]), np.array([0.0]))


@pytest.mark.parametrize("fill_mode,right_by_2,left_by_2", [
    ("reflect", [2, 1, 1, 2], [3, 4, 4, 3]),    # (d c b a | a b c d | d c b a)
    ("wrap", [3, 4, 1, 2], [3, 4, 1, 2]),       # (a b c d | a b c d | a b c d)
    ("nearest", [1, 1, 1, 2], [3, 4, 4, 4]),    # (a a a a | a b c d | d d d d)
    ("constant", [9, 9, 1, 2], [3, 4, 9, 9]),   # (k k k k | a b c d | k k k k), k = 9
])
@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_fill_modes_on_a_known_row(fill_mode, right_by_2, left_by_2, interpolation):
    out = image.affine_transform(ROW, shift_right(2.0), interpolation, fill_mode, fill_value=9.0)
    np.testing.assert_array_equal(out.ravel(), right_by_2)
    out = image.affine_transform(ROW, shift_right(-2.0), interpolation, fill_mode, fill_value=9.0)
    np.testing.assert_array_equal(out.ravel(), left_by_2)


def test_reflect_further_than_the_image_keeps_mirroring():
    out = image.affine_transform(ROW, shift_right(6.0), "nearest", "reflect")
    # input columns -6 -5 -4 -3 of (a b c d | d c b a | a b c d ...) read backwards from -1: c d d c
    np.testing.assert_array_equal(out.ravel(), [3, 4, 4, 3])
    out = image.affine_transform(ROW, shift_right(5.0), "nearest", "wrap")
    np.testing.assert_array_equal(out.ravel(), [4, 1, 2, 3])


def test_bilinear_half_pixel_shift_blends_neighbours_and_the_fill_value():
    out = image.affine_transform(ROW, shift_right(0.5), "bilinear", "constant", fill_value=0.0)
    # output x samples input x - 0.5: column -0.5 blends the fill value 0 with a
    np.testing.assert_allclose(out.ravel(), [0.5, 1.5, 2.5, 3.5])
    out = image.affine_transform(ROW, shift_right(0.5), "bilinear", "nearest")
    np.testing.assert_allclose(out.ravel(), [1.0, 1.5, 2.5, 3.5])


def test_identity_transform_and_dtype():
    x = np.random.default_rng(0).standard_normal((2, 5, 4, 3)).astype("float32")
    identity = np.array([1, 0, 0, 0, 1, 0, 0, 0], "float32")
    for interpolation in image.INTERPOLATIONS:
        out = image.affine_transform(x, identity, interpolation, "constant")
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out, x)


def test_each_image_gets_its_own_transform():
    x = np.repeat(ROW, 3, axis=0)
    transforms = image.translation_matrix(np.array([0.0, 1.0, -1.0]), np.zeros(3))
    out = image.affine_transform(x, transforms, "nearest", "constant").reshape(3, 4)
    np.testing.assert_array_equal(out, [[1, 2, 3, 4], [0, 1, 2, 3], [2, 3, 4, 0]])


def test_rotation_by_a_quarter_turn_is_rot90():
    x = np.arange(2 * 5 * 5 * 2, dtype="float32").reshape(2, 5, 5, 2)
    for turns, k in [(0.25, 1), (-0.25, -1), (0.5, 2)]:
        transforms = image.rotation_matrix(np.full(2, turns * 2 * np.pi), 5, 5)
        out = image.affine_transform(x, transforms, "nearest", "constant")
        np.testing.assert_array_equal(out, np.rot90(x, k=k, axes=(1, 2)))


def test_zoom_matrix_by_one_is_identity_and_zoom_out_by_two_samples_every_other_pixel():
    x = np.arange(9, dtype="float32").reshape(1, 1, 9, 1)
    np.testing.assert_array_equal(image.affine_transform(x, image.zoom_matrix([1.0], [1.0], 1, 9), "nearest"), x)
    out = image.affine_transform(x, image.zoom_matrix([2.0], [1.0], 1, 9), "nearest", "constant").ravel()
    # x_in = 2 x - 4 about the centre column 4
    np.testing.assert_array_equal(out, [0, 0, 0, 2, 4, 6, 8, 0, 0])


def test_bad_arguments():
    with pytest.raises(ValueError, match="fill_mode"):
        image.affine_transform(ROW, shift_right(1.0), "nearest", "mirrorball")
    with pytest.raises(ValueError, match="interpolation"):
        image.affine_transform(ROW, shift_right(1.0), "cubic")
    with pytest.raises(ValueError, match="batch, height, width, channels"):
        image.affine_transform(ROW[0], shift_right(1.0))


@pytest.mark.parametrize("fill_mode", image.FILL_MODES)
@pytest.mark.parametrize("interpolation", image.INTERPOLATIONS)
def test_affine_transform_matches_keras(fill_mode, interpolation):
    if os.environ.get("KERAS_BACKEND") != "torch":
        pytest.skip("compares with Keras on its torch backend")
    k = pytest.importorskip("keras")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 7, 6, 2)).astype("float32")
    transforms = np.concatenate([
        image.rotation_matrix(np.array([0.7, -1.2, 2.9]), 7, 6),
        image.translation_matrix(np.array([1.3, -2.7, 8.1]), np.array([0.4, -3.2, -9.5])),
        image.zoom_matrix(np.array([1.5, 0.6, 1.9]), np.array([0.7, 1.3, 2.2]), 7, 6),
        np.array([[0.9, 0.3, -1.0, -0.2, 1.1, 0.5, 0, 0]] * 3, "float32"),  # with shear
    ])
    for i in range(0, len(transforms), 3):
        ours = image.affine_transform(x, transforms[i:i + 3], interpolation, fill_mode, fill_value=0.5)
        theirs = k.ops.convert_to_numpy(k.ops.image.affine_transform(
            x, transforms[i:i + 3].copy(), interpolation=interpolation, fill_mode=fill_mode, fill_value=0.5))
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_linear_resize_matrix():
    m = image.linear_resize_matrix(2, 4)
    np.testing.assert_allclose(m, [[1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]])
    for n_in, n_out in [(3, 6), (5, 15), (4, 4), (1, 3)]:
        m = image.linear_resize_matrix(n_in, n_out)
        assert m.dtype == np.float32 and m.shape == (n_out, n_in)
        np.testing.assert_allclose(m.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(image.linear_resize_matrix(4, 4), np.eye(4))


# --- ops.repeat -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,repeats,axis", [((3, 4), 2, 0), ((2, 3, 4), 3, 1), ((2, 3, 2), 2, -1),
                                                ((4,), 1, 0), ((2, 2), 0, 1)])
def test_repeat_values_and_gradcheck(shape, repeats, axis):
    x = np.random.default_rng(2).standard_normal(shape)
    np.testing.assert_array_equal(ops.repeat(x, repeats, axis=axis).numpy(), np.repeat(x, repeats, axis=axis))
    gradcheck(lambda t: ops.repeat(t, repeats, axis=axis), [x])


def test_repeat_float32_and_errors():
    x = Tensor(np.ones((2, 3), "float32"), requires_grad=True)
    out = ops.repeat(x, 2, axis=1)
    assert out.dtype == np.float32 and out.data.flags.writeable
    ops.sum(out).backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 2.0))
    with pytest.raises(ValueError, match="repeats"):
        ops.repeat(x, -1, axis=0)
    with pytest.raises(ValueError, match="repeats"):
        ops.repeat(x, 1.5, axis=0)
