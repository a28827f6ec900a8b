"""to_categorical and normalize, as keras.utils has them."""

import numpy as np
import pytest

from glassnet.utils import normalize, to_categorical


def test_to_categorical_one_hot():
    encoded = to_categorical([0, 2, 1, 2])
    np.testing.assert_array_equal(encoded, np.eye(3)[[0, 2, 1, 2]])
    assert encoded.dtype == np.float32


def test_to_categorical_infers_max_plus_one():
    assert to_categorical(np.array([3, 0], dtype=np.uint8)).shape == (2, 4)
    assert to_categorical([5]).shape == (1, 6)  # classes never seen still get a column


def test_to_categorical_with_num_classes():
    encoded = to_categorical(np.array([1, 0]), num_classes=10)
    assert encoded.shape == (2, 10)
    assert encoded[0, 1] == 1 and encoded[1, 0] == 1 and encoded.sum() == 2


def test_to_categorical_drops_a_trailing_axis_of_one():
    labels = np.array([[2], [0], [1]])
    np.testing.assert_array_equal(to_categorical(labels), np.eye(3)[[2, 0, 1]])
    assert to_categorical(labels, 5).shape == (3, 5)


def test_to_categorical_keeps_other_axes():
    labels = np.array([[0, 1, 2], [2, 2, 0]])
    encoded = to_categorical(labels)
    assert encoded.shape == (2, 3, 3)
    np.testing.assert_array_equal(encoded.argmax(-1), labels)


def test_to_categorical_accepts_whole_number_floats():
    np.testing.assert_array_equal(to_categorical(np.array([1.0, 0.0])), [[0, 1], [1, 0]])


@pytest.mark.parametrize("labels,num_classes,match", [
    ([0, -1], None, "non-negative.*-1"),
    ([0.5, 1.0], None, "integer class ids"),
    (["a", "b"], None, "integer class ids.*dtype"),
    ([0, 3], 3, "class id 3.*num_classes=3"),
])
def test_to_categorical_errors(labels, num_classes, match):
    with pytest.raises(ValueError, match=match):
        to_categorical(np.array(labels), num_classes)


def test_to_categorical_matches_keras():
    import os

    os.environ["KERAS_BACKEND"] = "torch"
    keras = pytest.importorskip("keras")
    for labels, n in (([1, 0, 3], None), (np.array([[2], [1]]), None), (np.array([4, 2]), 7)):
        np.testing.assert_array_equal(to_categorical(labels, n), keras.utils.to_categorical(labels, n))


def test_normalize_rows_to_unit_l2_norm():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]], dtype="float32")
    out = normalize(x)
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0], [1.0, 0.0]], rtol=1e-6)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(x[0], [3.0, 4.0])  # input untouched


def test_normalize_axis_and_order():
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    np.testing.assert_allclose(normalize(x, axis=0, order=1), x / x.sum(axis=0, keepdims=True))
    np.testing.assert_allclose(normalize(x, order=1), x / x.sum(axis=1, keepdims=True))


def test_normalize_integers_gives_floats():
    out = normalize(np.array([[0, 5]]))
    assert out.dtype.kind == "f"
    np.testing.assert_allclose(out, [[0.0, 1.0]])
