"""Metric.check_targets: each metric states the targets it takes, checked before training uses a batch.

Every case pairs targets the metric cannot take with the message it gives,
and checks that the targets it can take pass, so the rule is neither too
loose nor too strict. Shapes hold None where a size varies between batches.
"""

import numpy as np
import pytest

from glassnet import metrics

IDS, ONE_HOT = np.array([0, 2, 1]), np.eye(3)[[0, 2, 1]]


@pytest.mark.parametrize("metric,good,bad,words", [
    (metrics.Accuracy(), np.zeros((3, 3)), IDS, ["(n, 3)", "(3,)"]),
    (metrics.BinaryAccuracy(), ONE_HOT, IDS, ["(n, 3)", "(3,)"]),
    (metrics.CategoricalAccuracy(), ONE_HOT, IDS, ["one-hot", "(n, 3)", "sparse_categorical_accuracy"]),
    (metrics.SparseCategoricalAccuracy(), IDS[:, None], ONE_HOT[:, :2], ["(n,) or (n, 1)", "(3, 2)"]),
    (metrics.TopKCategoricalAccuracy(k=2), ONE_HOT, IDS, ["one-hot", "sparse_top_k_categorical_accuracy"]),
    (metrics.SparseTopKCategoricalAccuracy(k=2), IDS, np.array([0, 3, 1]), ["[0, 3)", "0 to 3"]),
    (metrics.MeanSquaredError(), np.zeros((3, 3)), np.zeros((3, 2)), ["(n, 3)", "(3, 2)"]),
    (metrics.RootMeanSquaredError(), np.zeros((3, 3)), IDS, ["(n, 3)", "(3,)"]),
    (metrics.Precision(), ONE_HOT, IDS, ["(n, 3)", "(3,)", "class_id"]),
    (metrics.Recall(class_id=2), ONE_HOT, IDS[:, None], ["(n, 3)", "(3, 1)"]),
    (metrics.TruePositives(), ONE_HOT, np.zeros((3, 2)), ["(n, 3)", "(3, 2)"]),
    (metrics.AUC(), ONE_HOT, IDS, ["(n, 3)", "(3,)"]),
    (metrics.F1Score(), ONE_HOT, IDS, ["(n, classes)", "to_categorical"]),
    (metrics.MeanIoU(num_classes=3), IDS, ONE_HOT, ["class ids", "(3, 3)"]),
    (metrics.get("sparse_categorical_crossentropy"), IDS, np.array([0, 5, 1]), ["[0, 3)", "0 to 5"]),
    (metrics.get("binary_crossentropy"), ONE_HOT, IDS, ["(n, 3)", "(3,)"]),
])
def test_each_metric_refuses_targets_it_cannot_take(metric, good, bad, words):
    pred_shape = (None, 3)
    if isinstance(metric, metrics.MeanIoU):
        pred_shape = (None,)  # class ids, as sparse_y_pred=True expects
    metric.check_targets(good, pred_shape)  # passes
    with pytest.raises(ValueError) as info:
        metric.check_targets(bad, pred_shape)
    message = str(info.value)
    assert f"'{metric.name}'" in message
    for word in words:
        assert word in message


def test_a_generators_later_batches_are_checked_with_free_sizes():
    """Only the rank and the class axis are fixed for a later batch (sequence lengths may vary)."""
    metric = metrics.SparseCategoricalAccuracy()
    metric.check_targets(np.zeros((4, 7)), (None, None, 5))  # (n, T) ids for (n, T, 5) scores, any T
    with pytest.raises(ValueError, match=r"\(n, None\) or \(n, None, 1\)"):
        metric.check_targets(np.zeros(4), (None, None, 5))


def test_metrics_without_rules_accept_anything():
    metrics.Mean().check_targets(np.array(["anything"]), (None, 1))
    metrics.MeanMetricWrapper(lambda t, p: t).check_targets(np.zeros((2, 9)), (None, 3))


def test_class_id_beyond_the_columns():
    metrics.Precision(class_id=2).check_targets(ONE_HOT, (None, 3))
    with pytest.raises(ValueError, match=r"'precision'.*class_id=3.*\(n, 3\)"):
        metrics.Precision(class_id=3).check_targets(ONE_HOT, (None, 3))
