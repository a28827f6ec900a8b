"""ops.image perspective_transform, elastic_transform, scale_and_translate: values against Keras 3 (torch
backend), properties of the random elastic field, gradient checks."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported

from glassnet import ops
from glassnet.autodiff import Tensor, gradcheck

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

RNG = np.random.default_rng(3)
IMAGES = RNG.uniform(0, 1, (2, 7, 9, 3)).astype("float32")
FIRST = IMAGES.transpose(0, 3, 1, 2).copy()
START = np.array([[0, 0], [8, 0], [0, 6], [8, 6]], dtype="float32")
END = np.array([[1, 0.5], [7, 1], [0.5, 6], [8, 5]], dtype="float32")
ENDS = np.stack([END, START + 0.7]).astype("float32")

KERAS_CASES = [
    ("perspective", lambda o: o.image.perspective_transform(IMAGES, START, END)),
    ("perspective_nearest", lambda o: o.image.perspective_transform(IMAGES, START, END + 0.3,
                                                                    interpolation="nearest", fill_value=0.5)),
    ("perspective_batched_points", lambda o: o.image.perspective_transform(IMAGES, np.stack([START, START]), ENDS)),
    ("perspective_single_image", lambda o: o.image.perspective_transform(IMAGES[0], START, END, fill_value=2.0)),
    ("perspective_channels_first", lambda o: o.image.perspective_transform(FIRST, START, END,
                                                                           data_format="channels_first")),
    ("scale_translate_linear", lambda o: o.image.scale_and_translate(IMAGES, (2, 11, 5, 3), (1.6, 0.55), (0.5, -0.2),
                                                                     (1, 2), "linear")),
    ("scale_translate_cubic", lambda o: o.image.scale_and_translate(IMAGES, (2, 4, 13, 3), (0.6, 1.4), (0.0, 1.0),
                                                                    (1, 2), "bicubic", antialias=False)),
    ("scale_translate_lanczos3", lambda o: o.image.scale_and_translate(IMAGES, (2, 5, 6, 3), (0.7, 0.7), (0.0, 0.0),
                                                                       (1, 2), "lanczos3")),
    ("scale_translate_lanczos5", lambda o: o.image.scale_and_translate(IMAGES, (2, 7, 12, 3), (1.0, 1.3), (0.0, 0.5),
                                                                       (1, 2), "lanczos5")),
    ("scale_translate_uint8", lambda o: o.image.scale_and_translate((IMAGES * 255).astype("uint8"), (2, 10, 9, 3),
                                                                    (1.5,), (0.2,), (1,), "trilinear")),
]


@pytest.mark.parametrize("name,call", KERAS_CASES, ids=[c[0] for c in KERAS_CASES])
def test_against_keras(name, call):
    keras = pytest.importorskip("keras")
    expected = keras.ops.convert_to_numpy(call(keras.ops))
    ours = call(ops)
    result = ours.data if isinstance(ours, Tensor) else np.asarray(ours)
    assert result.shape == expected.shape
    assert result.dtype == expected.dtype
    np.testing.assert_allclose(result.astype("float64"), expected.astype("float64"), atol=2e-4 if
                               result.dtype.kind == "f" else 1)


def test_homography_maps_points():
    transform = ops.image.compute_homography_matrix(START[None], END[None])[0]
    x, y = END[:, 0], END[:, 1]
    k = transform[6] * x + transform[7] * y + 1
    np.testing.assert_allclose((transform[0] * x + transform[1] * y + transform[2]) / k, START[:, 0], atol=1e-9)
    np.testing.assert_allclose((transform[3] * x + transform[4] * y + transform[5]) / k, START[:, 1], atol=1e-9)


def test_identity_perspective_and_zero_alpha_elastic():
    np.testing.assert_allclose(ops.image.perspective_transform(IMAGES, START, START).data, IMAGES, atol=1e-5)
    np.testing.assert_allclose(ops.image.elastic_transform(IMAGES, alpha=0.0, seed=1).data, IMAGES, atol=1e-6)


def test_elastic_transform_is_seeded_and_moves_pixels():
    a = ops.image.elastic_transform(IMAGES, alpha=8.0, sigma=2.0, seed=5).data
    b = ops.image.elastic_transform(IMAGES, alpha=8.0, sigma=2.0, seed=5).data
    c = ops.image.elastic_transform(IMAGES, alpha=8.0, sigma=2.0, seed=6).data
    assert a.shape == IMAGES.shape and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c) and not np.allclose(a, IMAGES)
    assert a.min() >= 0 and a.max() <= 1  # reflect fill: values stay in the input's range
    first = ops.image.elastic_transform(FIRST, alpha=8.0, sigma=2.0, seed=5, data_format="channels_first").data
    np.testing.assert_allclose(first.transpose(0, 2, 3, 1), a, atol=1e-6)


def test_gradients():
    images = RNG.uniform(0, 1, (1, 4, 5, 2))
    gradcheck(lambda x: ops.image.perspective_transform(x, START / 2, END / 2), [images])
    gradcheck(lambda x: ops.image.scale_and_translate(x, (1, 6, 3, 2), (1.5, 0.6), (0.0, 0.3), (1, 2), "cubic"),
              [images])


def test_bad_input():
    with pytest.raises(ValueError, match=r"\(4, 2\)"):
        ops.image.perspective_transform(IMAGES, START[:3], END[:3])
    with pytest.raises(ValueError, match="same shape"):
        ops.image.perspective_transform(IMAGES, START, ENDS)
    with pytest.raises(ValueError, match="method"):
        ops.image.scale_and_translate(IMAGES, (2, 3, 3, 3), (1.0,), (0.0,), (1,), "area")
    with pytest.raises(ValueError, match="fill_mode"):
        ops.image.elastic_transform(IMAGES, fill_mode="edge")
