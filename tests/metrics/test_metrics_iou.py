"""IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU against scikit-learn's jaccard_score and Keras 3."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from glassnet import metrics  # noqa: E402

sk = pytest.importorskip("sklearn.metrics")


@pytest.fixture
def segmentation(rng):
    """A batch of 8 tiny 'images' of 6x6 pixels with 4 classes, and softmax-like scores."""
    truth = rng.integers(0, 4, size=(8, 6, 6))
    scores = rng.uniform(size=(8, 6, 6, 4)).astype("float32")
    np.put_along_axis(scores, truth[..., None], 0.6, axis=-1)
    scores[:4] = rng.uniform(size=(4, 6, 6, 4))  # half the images are noise
    return truth, scores


def test_mean_iou_matches_jaccard_macro(segmentation):
    truth, scores = segmentation
    predicted = scores.argmax(axis=-1)
    metric = metrics.MeanIoU(num_classes=4)
    metric.update_state(truth[:3], predicted[:3])
    metric.update_state(truth[3:], predicted[3:])
    expected = sk.jaccard_score(truth.ravel(), predicted.ravel(), average="macro")
    assert metric.result() == pytest.approx(expected, abs=1e-6)  # Keras adds 1e-7 to denominators
    # class scores, with sparse_y_pred=False
    from_scores = metrics.MeanIoU(num_classes=4, sparse_y_pred=False)
    from_scores.update_state(truth, scores)
    assert from_scores.result() == pytest.approx(expected, abs=1e-6)


def test_mean_iou_with_integer_sample_weights(segmentation, rng):
    truth, scores = segmentation
    predicted = scores.argmax(axis=-1)
    weights = rng.integers(0, 4, size=truth.shape)
    metric = metrics.MeanIoU(num_classes=4)
    metric.update_state(truth, predicted, sample_weight=weights)
    expected = sk.jaccard_score(truth.ravel(), predicted.ravel(), average="macro", sample_weight=weights.ravel())
    assert metric.result() == pytest.approx(expected, abs=1e-6)


def test_fractional_weights_follow_the_dtype(rng):
    truth, predicted = rng.integers(0, 3, 50), rng.integers(0, 3, 50)
    weights = rng.uniform(0.1, 2.0, 50)
    expected = sk.jaccard_score(truth, predicted, average="macro", sample_weight=weights)
    as_float = metrics.MeanIoU(3, dtype="float32")
    as_float.update_state(truth, predicted, sample_weight=weights)
    assert as_float.result() == pytest.approx(expected, abs=1e-6)
    as_int = metrics.MeanIoU(3)  # Keras' default dtype is an integer one: weights are truncated, with a warning
    with pytest.warns(UserWarning, match="truncated"):
        as_int.update_state(truth, predicted, sample_weight=weights)
    np.testing.assert_array_equal(as_int.total_cm, sk.confusion_matrix(truth, predicted,
                                                                       sample_weight=np.trunc(weights)))


def test_iou_of_some_classes_and_classes_never_seen(rng):
    truth, predicted = rng.integers(0, 3, 80), rng.integers(0, 3, 80)
    per_class = sk.jaccard_score(truth, predicted, average=None, labels=[0, 1, 2])
    metric = metrics.IoU(num_classes=5, target_class_ids=[0, 2])
    metric.update_state(truth, predicted)
    assert metric.result() == pytest.approx((per_class[0] + per_class[2]) / 2, abs=1e-6)
    # classes 3 and 4 never appear: they are left out of the mean
    mean = metrics.MeanIoU(num_classes=5)
    mean.update_state(truth, predicted)
    assert mean.result() == pytest.approx(per_class.mean(), abs=1e-6)


def test_ignore_class_and_out_of_range_ids():
    metric = metrics.MeanIoU(num_classes=3, ignore_class=0)
    metric.update_state([0, 0, 1, 2, 2, 7], [1, 2, 1, 2, 1, 2])  # label 0 ignored, label 7 out of range
    np.testing.assert_array_equal(metric.total_cm, [[0, 0, 0], [0, 1, 0], [0, 1, 1]])
    assert metric.result() == pytest.approx((1 / 2 + 1 / 2) / 2, abs=1e-6)


def test_binary_iou(rng):
    y = (rng.uniform(size=200) > 0.5).astype("float32")
    p = rng.uniform(size=200).astype("float32")
    predicted = (p >= 0.4).astype(int)
    both = metrics.BinaryIoU(threshold=0.4)
    both.update_state(y, p)
    assert both.result() == pytest.approx(sk.jaccard_score(y, predicted, average="macro"), abs=1e-6)
    positive = metrics.BinaryIoU(target_class_ids=[1], threshold=0.4)
    positive.update_state(y, p)
    assert positive.result() == pytest.approx(sk.jaccard_score(y, predicted), abs=1e-6)


def test_one_hot_variants(segmentation):
    truth, scores = segmentation
    onehot = np.eye(4, dtype="float32")[truth]
    predicted = scores.argmax(axis=-1)
    mean = metrics.OneHotMeanIoU(num_classes=4)
    mean.update_state(onehot, scores)
    assert mean.result() == pytest.approx(sk.jaccard_score(truth.ravel(), predicted.ravel(), average="macro"),
                                          abs=1e-6)
    some = metrics.OneHotIoU(num_classes=4, target_class_ids=[1, 3])
    some.update_state(onehot, scores)
    per_class = sk.jaccard_score(truth.ravel(), predicted.ravel(), average=None)
    assert some.result() == pytest.approx((per_class[1] + per_class[3]) / 2, abs=1e-6)


def test_reset_config_names_and_errors(rng):
    metric = metrics.MeanIoU(num_classes=3, name="miou")
    metric.update_state([0, 1, 2], [0, 1, 1])
    metric.reset_state()
    assert metric.result() == 0.0 and not metric.total_cm.any()
    assert metric.get_config() == {"num_classes": 3, "name": "miou", "dtype": "int32", "ignore_class": None,
                                   "sparse_y_true": True, "sparse_y_pred": True, "axis": -1}
    assert metrics.MeanIoU.from_config(metric.get_config()).get_config() == metric.get_config()
    assert [m.name for m in (metrics.IoU(2, [0]), metrics.MeanIoU(2), metrics.BinaryIoU(), metrics.OneHotIoU(2, [1]),
                             metrics.OneHotMeanIoU(2))] == [
        "io_u", "mean_io_u", "binary_io_u", "one_hot_io_u", "one_hot_mean_io_u"]
    with pytest.raises(ValueError, match="out of range"):
        metrics.IoU(num_classes=3, target_class_ids=[3])
    with pytest.raises(ValueError, match="num_classes"):
        metrics.MeanIoU(num_classes=0)
    with pytest.raises(ValueError, match="sparse_y_pred=False"):
        metrics.MeanIoU(num_classes=3).update_state([0, 1], rng.uniform(size=(2, 3)))
    with pytest.raises(ValueError, match="needs arguments"):
        metrics.get("mean_io_u")


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_match_keras(segmentation, rng):
    keras = pytest.importorskip("keras")
    truth, scores = segmentation
    onehot = np.eye(4, dtype="float32")[truth]
    weights = rng.integers(0, 3, size=truth.shape).astype("float32")
    y = (rng.uniform(size=100) > 0.5).astype("float32")
    p = rng.uniform(size=100).astype("float32")
    pairs = [
        (lambda m: m.MeanIoU(4), truth, scores.argmax(-1)),
        (lambda m: m.MeanIoU(4, sparse_y_pred=False, ignore_class=1), truth, scores),
        (lambda m: m.MeanIoU(4, dtype="float32"), truth, scores.argmax(-1)),
        (lambda m: m.IoU(4, [0, 3], sparse_y_pred=False), truth, scores),
        (lambda m: m.OneHotMeanIoU(4), onehot, scores),
        (lambda m: m.OneHotIoU(4, [2]), onehot, scores),
        (lambda m: m.BinaryIoU(threshold=0.3), y, p),
        (lambda m: m.BinaryIoU([1], threshold=0.7), y, p),
    ]
    for make, y_true, y_pred in pairs:
        ours, theirs = make(metrics), make(keras.metrics)
        w = weights if y_true.shape[:3] == weights.shape else None
        ours.update_state(y_true, y_pred, sample_weight=w)
        theirs.update_state(y_true, y_pred, sample_weight=w)
        assert ours.result() == pytest.approx(float(theirs.result()), abs=1e-6)
        assert ours.get_config() == {**theirs.get_config(), "name": ours.name}
