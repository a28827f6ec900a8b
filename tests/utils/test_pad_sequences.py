"""pad_sequences: Keras' docstring examples, parity with keras.utils.pad_sequences, bad input."""

import itertools
import os

import numpy as np
import pytest

from glassnet.utils import pad_sequences

SEQUENCES = [[1], [2, 3], [4, 5, 6]]


def test_docstring_examples():
    assert pad_sequences(SEQUENCES).tolist() == [[0, 0, 1], [0, 2, 3], [4, 5, 6]]
    assert pad_sequences(SEQUENCES, value=-1).tolist() == [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]]
    assert pad_sequences(SEQUENCES, padding="post").tolist() == [[1, 0, 0], [2, 3, 0], [4, 5, 6]]
    assert pad_sequences(SEQUENCES, maxlen=2).tolist() == [[0, 1], [2, 3], [5, 6]]
    assert pad_sequences(SEQUENCES).dtype == np.int32


@pytest.fixture(scope="module")
def keras_pad():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    return keras.utils.pad_sequences


RAGGED = [[5, 1, 7, 2], [], [3], [9, 8, 7, 6, 5, 4, 3], [2, 2]]
STEPS = [np.arange(2 * n, dtype=float).reshape(n, 2) + n for n in (3, 1, 5)] + [np.zeros((0, 2))]


@pytest.mark.parametrize("sequences, maxlen, padding, truncating, dtype, value", list(itertools.product(
    [RAGGED, STEPS], [None, 2, 6, 9], ["pre", "post"], ["pre", "post"], ["int32", "float32"], [0.0, -1.5])))
def test_same_as_keras(keras_pad, sequences, maxlen, padding, truncating, dtype, value):
    ours = pad_sequences(sequences, maxlen, dtype, padding, truncating, value)
    theirs = keras_pad(sequences, maxlen=maxlen, dtype=dtype, padding=padding, truncating=truncating, value=value)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape and np.array_equal(ours, theirs)


def test_maxlen_zero_gives_empty_rows():
    """Keras' ``s[-0:]`` keeps the whole sequence and then fails to fit it; here the rows are empty."""
    assert pad_sequences(RAGGED, maxlen=0).shape == (5, 0)
    assert pad_sequences(STEPS, maxlen=0, truncating="post").shape == (4, 0, 2)


def test_strings_with_object_dtype(keras_pad):
    words = [["a", "bb"], ["c"]]
    ours = pad_sequences(words, dtype=object, value="<pad>", padding="post")
    assert ours.tolist() == [["a", "bb"], ["c", "<pad>"]]
    assert ours.tolist() == keras_pad(words, dtype=object, value="<pad>", padding="post").tolist()


def test_empty_list():
    assert pad_sequences([]).shape == (0, 0)
    assert pad_sequences([], maxlen=4).shape == (0, 4)


@pytest.mark.parametrize("arguments, message", [
    ({"sequences": 5}, "expects a list of sequences, got int"),
    ({"sequences": [[1], 2]}, "item 1 is 2"),
    ({"padding": "middle"}, "padding must be 'pre' or 'post', got 'middle'"),
    ({"truncating": "both"}, "truncating must be 'pre' or 'post'"),
    ({"maxlen": -1}, "maxlen must be None or an integer >= 0"),
    ({"maxlen": 2.5}, "maxlen must be"),
    ({"value": "x"}, "pass dtype=object"),
    ({"sequences": [[[1, 2]], [[1, 2, 3]]]}, "the steps of sequence 1 have shape"),
])
def test_bad_arguments(arguments, message):
    arguments.setdefault("sequences", SEQUENCES)
    with pytest.raises(ValueError, match=message):
        pad_sequences(**arguments)
