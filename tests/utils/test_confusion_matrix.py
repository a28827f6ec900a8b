"""glassnet.utils.confusion_matrix against scikit-learn (rows: truth, columns: prediction)."""

import numpy as np
import pytest

import glassnet as gn

sk = pytest.importorskip("sklearn.metrics")


def test_matches_sklearn(rng):
    labels, predictions = rng.integers(0, 5, 300), rng.integers(0, 5, 300)
    matrix = gn.utils.confusion_matrix(labels, predictions)
    np.testing.assert_array_equal(matrix, sk.confusion_matrix(labels, predictions))
    assert matrix.dtype == np.int64 and matrix.shape == (5, 5)
    assert matrix.sum() == 300 and np.trace(matrix) == (labels == predictions).sum()


def test_num_classes_pads_classes_never_seen():
    matrix = gn.utils.confusion_matrix([1, 2, 4], [2, 2, 4])
    np.testing.assert_array_equal(matrix, [[0, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0],
                                           [0, 0, 0, 0, 1]])
    padded = gn.utils.confusion_matrix([0, 1], [1, 1], num_classes=4)
    assert padded.shape == (4, 4) and padded[0, 1] == 1 and padded[1, 1] == 1


def test_weights(rng):
    labels, predictions = rng.integers(0, 3, 100), rng.integers(0, 3, 100)
    whole = rng.integers(0, 4, 100)
    counted = gn.utils.confusion_matrix(labels, predictions, weights=whole)
    assert counted.dtype == np.int64
    np.testing.assert_array_equal(counted, sk.confusion_matrix(labels, predictions, sample_weight=whole))
    fractional = rng.uniform(size=100)
    matrix = gn.utils.confusion_matrix(labels, predictions, num_classes=3, weights=fractional)
    assert matrix.dtype == np.float64
    np.testing.assert_allclose(matrix, sk.confusion_matrix(labels, predictions, sample_weight=fractional))


def test_accepted_inputs(rng):
    labels = rng.integers(0, 4, 50)
    scores = rng.uniform(size=(50, 4))
    predictions = scores.argmax(axis=1)
    expected = sk.confusion_matrix(labels, predictions, labels=range(4))
    np.testing.assert_array_equal(gn.utils.confusion_matrix(labels.tolist(), predictions.tolist(), 4), expected)
    np.testing.assert_array_equal(gn.utils.confusion_matrix(labels[:, None].astype("float32"), predictions, 4),
                                  expected)
    np.testing.assert_array_equal(gn.utils.confusion_matrix([True, False], [True, True]), [[0, 1], [0, 1]])
    assert gn.utils.confusion_matrix([], [], num_classes=2).tolist() == [[0, 0], [0, 0]]


def test_the_model_predictions_idiom():
    (x, y), _ = gn.datasets.digits.load_data()
    x = x[:200].reshape(200, -1).astype("float32") / 255.0
    model = gn.Sequential([gn.Input(shape=(64,)), gn.layers.Dense(10, activation="softmax")])
    predicted = model.predict(x, verbose=0).argmax(axis=1)
    matrix = gn.utils.confusion_matrix(y[:200], predicted, num_classes=10)
    np.testing.assert_array_equal(matrix, sk.confusion_matrix(y[:200], predicted, labels=range(10)))


@pytest.mark.parametrize("labels,predictions,kwargs,message", [
    ([0, 1, 2], [0, 1], {}, "same length"),
    ([0, 1.5], [0, 1], {}, "whole class ids"),
    ([0, -1], [0, 1], {}, ">= 0"),
    ([0, 3], [0, 1], {"num_classes": 3}, "labels must be < num_classes=3"),
    ([0, 1], [0, 5], {"num_classes": 3}, "predictions must be < num_classes=3"),
    ([0, 1], [[0.1, 0.9], [0.8, 0.2]], {}, "argmax"),
    ([0, 1], [0, 1], {"num_classes": 0}, "positive integer"),
    ([0, 1], [0, 1], {"weights": [1, 2, 3]}, "one value per sample"),
    (["a", "b"], [0, 1], {}, "integer class ids"),
])
def test_bad_input_gets_a_clear_error(labels, predictions, kwargs, message):
    with pytest.raises(ValueError, match=message):
        gn.utils.confusion_matrix(labels, predictions, **kwargs)
