"""Counting true/false positives/negatives at thresholds, shared by Precision, Recall, AUC and the counts.

One function, ``update_confusion_matrix``, does what Keras 3's
``metrics_utils.update_confusion_matrix_variables`` does, on NumPy arrays:

- a label counts as positive when it is non-zero;
- a prediction counts as positive at threshold ``t`` when ``prediction > t``
  (compared in float32, as Keras does);
- ``top_k`` keeps only the k largest predictions of each row (the others can
  never be positive), ``class_id`` keeps one column;
- sample weights multiply each count; ``label_weights`` weight the columns.

For many evenly spaced thresholds (AUC's 200) predictions are put in
buckets, ``ceil(p * (T - 1)) - 1``, and counted with one ``bincount`` and a
reversed cumulative sum: O(n + T) instead of O(n T), as in Keras.
"""

import math

import numpy as np

from glassnet.losses import aligned_shapes, shape_text, shapes_match
from glassnet.metrics.metric import as_array

NEG_INF = -1e10  # Keras' stand-in for "never positive" (top_k filtering, top_k's default threshold)
EPSILON = 1e-7

KINDS = ("tp", "fp", "tn", "fn")


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras' rule: when ranks differ by one and the longer one ends in 1, line them up."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    elif x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def parse_thresholds(thresholds, default, name):
    """A list of floats from a number or a sequence; given thresholds must lie in [0, 1]."""
    if thresholds is None:
        return [default]
    values = np.atleast_1d(np.asarray(thresholds, dtype="float64")).ravel().tolist()
    if not values:
        raise ValueError(f"{name}: thresholds must not be empty")
    invalid = [t for t in values if not 0 <= t <= 1]
    if invalid:
        raise ValueError(f"{name}: threshold values must be in [0, 1]. Received: {invalid}")
    return values


def is_evenly_distributed_thresholds(thresholds):
    """True for at least 3 thresholds spread evenly over [0, 1] (the fast, bucketed count applies)."""
    count = len(thresholds)
    if count < 3:
        return False
    even = np.arange(count, dtype="float32") / (count - 1)
    return bool(np.allclose(np.asarray(thresholds, dtype="float64"), even, atol=EPSILON))


def filter_top_k(x, k):
    """Keep the ``k`` largest entries of each row (the lower index first among ties), others -> NEG_INF."""
    if k >= x.shape[-1]:
        return x
    order = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(x.shape, dtype=bool)
    np.put_along_axis(keep, order, True, axis=-1)
    return np.where(keep, x, np.float32(NEG_INF)).astype(x.dtype, copy=False)


def prepare(y_true, y_pred, sample_weight=None, top_k=None, class_id=None, name="metric"):
    """Labels (bool), predictions (float32) and weights (float64 or None), aligned as Keras aligns them."""
    y_pred = np.asarray(as_array(y_pred), dtype="float32")
    y_true = np.asarray(as_array(y_true), dtype="float32")
    if y_pred.ndim == 0:
        y_pred = y_pred.reshape(1)
    if y_true.ndim == 0:
        y_true = y_true.reshape(1)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if y_true.shape != y_pred.shape:
        if y_true.size != y_pred.size:
            raise ValueError(f"{name}: y_true and y_pred must have the same shape, got y_true {y_true.shape} "
                             f"and y_pred {y_pred.shape}")
        y_true = y_true.reshape(y_pred.shape)
    weights = None
    if sample_weight is not None:
        weights = np.asarray(as_array(sample_weight), dtype="float64")[..., None]
        _, weights = squeeze_or_expand_to_same_rank(y_true, weights, expand_rank_1=False)
        try:
            weights = np.broadcast_to(weights, y_pred.shape)
        except ValueError:
            raise ValueError(f"{name}: sample_weight of shape {np.shape(sample_weight)} does not fit predictions "
                             f"of shape {y_pred.shape}; give one weight per sample") from None
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(f"{name}: when class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {y_pred.shape}")
        if not -y_pred.shape[-1] <= class_id < y_pred.shape[-1]:
            raise ValueError(f"{name}: class_id={class_id} is out of range for {y_pred.shape[-1]} classes")
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
        if weights is not None:
            weights = weights[..., class_id, None]
    return y_true != 0, y_pred, weights


def check_confusion_targets(name, y_true, y_pred_shape, class_id=None, multi_label=False):
    """What ``prepare`` and ``update_confusion_matrix`` need, checked before training: labels shaped like the
    predictions (or holding as many values per sample), a ``class_id`` within the columns, rank 2 for multi_label."""
    true, pred = aligned_shapes(y_true.shape, y_pred_shape)
    sizes = [math.prod(s[1:]) if None not in s[1:] else None for s in (true, pred)]
    if not shapes_match(true[1:], pred[1:]) and (None in sizes or sizes[0] != sizes[1]):
        raise ValueError(f"{name} expects targets of the predictions' shape {shape_text(y_pred_shape)}, one 0/1 "
                         f"label per prediction; got targets of shape {y_true.shape}. For class ids, one-hot encode "
                         "them (keras.utils.to_categorical) or pick one class with class_id")
    if class_id is not None:
        columns = y_pred_shape[-1] if len(y_pred_shape) > 1 else None
        if len(y_pred_shape) < 2 or (columns is not None and not -columns <= class_id < columns):
            raise ValueError(f"{name}: class_id={class_id} needs predictions of shape (n, classes) with more than "
                             f"{class_id} columns, got predictions of shape {shape_text(y_pred_shape)}")
    if multi_label and len(y_pred_shape) != 2:
        raise ValueError(f"{name}: y_pred must have rank 2 when multi_label=True, got shape {shape_text(y_pred_shape)}")


def update_confusion_matrix(counts, y_true, y_pred, thresholds, thresholds_distributed_evenly=False, top_k=None,
                            class_id=None, sample_weight=None, multi_label=False, label_weights=None, name="metric"):
    """Add this batch's counts to the arrays in ``counts`` (keys among "tp", "fp", "tn", "fn").

    Arrays have shape ``(len(thresholds),)``, or ``(len(thresholds), num_labels)``
    with ``multi_label=True`` (one count per threshold and label column).
    Everything is checked before any count changes.
    """
    labels, preds, weights = prepare(y_true, y_pred, sample_weight, top_k, class_id, name)
    if label_weights is not None and not multi_label:
        label_weights = np.broadcast_to(np.asarray(label_weights, dtype="float64"), preds.shape)
        weights = label_weights if weights is None else weights * label_weights
    thresholds = np.asarray(thresholds, dtype="float64")
    if multi_label:
        if preds.ndim != 2:
            raise ValueError(f"{name}: y_pred must have rank 2 when multi_label=True, got shape {preds.shape}")
        columns = [(labels[:, j], preds[:, j], None if weights is None else weights[:, j])
                   for j in range(preds.shape[1])]
    else:
        columns = [(labels.reshape(-1), preds.reshape(-1), None if weights is None else weights.reshape(-1))]
    found = {kind: [] for kind in KINDS}
    for label, pred, weight in columns:
        positive = label.astype("float64") if weight is None else np.where(label, weight, 0.0)
        negative = (~label).astype("float64") if weight is None else np.where(label, 0.0, weight)
        if thresholds_distributed_evenly:
            tp, fp = _bucketed(pred, positive, negative, thresholds)
        else:
            tp, fp = _compared(pred, positive, negative, thresholds)
        found["tp"].append(tp)
        found["fp"].append(fp)
        found["fn"].append(positive.sum() - tp)
        found["tn"].append(negative.sum() - fp)
    for kind, array in counts.items():
        values = np.stack(found[kind], axis=-1) if multi_label else found[kind][0]
        array += values


def _bucketed(pred, positive, negative, thresholds):
    """Counts above each of T evenly spaced thresholds: bucket, bincount, reversed cumulative sum."""
    count = len(thresholds)
    with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    pred = np.nan_to_num(np.clip(pred, 0.0, 1.0), nan=0.0)
    buckets = np.ceil(pred * np.float32(count - 1)).astype("int64") - 1
    if with_epsilon:
        np.maximum(buckets, 0, out=buckets)
    keep = buckets >= 0  # a prediction of 0 is above no threshold >= 0
    if not keep.all():
        buckets, positive, negative = buckets[keep], positive[keep], negative[keep]
    tp = np.bincount(buckets, weights=positive, minlength=count)[::-1].cumsum()[::-1]
    fp = np.bincount(buckets, weights=negative, minlength=count)[::-1].cumsum()[::-1]
    return tp, fp


def _compared(pred, positive, negative, thresholds):
    """Counts of ``pred > threshold`` (float32 comparisons), by matrix product or, for many thresholds, by sorting."""
    thresholds32 = thresholds.astype("float32")
    pred = np.where(np.isnan(pred), -np.inf, pred)  # NaN is above no threshold
    if len(thresholds) <= 16:
        above = (pred[None, :] > thresholds32[:, None]).astype("float64")
        return above @ positive, above @ negative
    order = np.argsort(pred, kind="stable")
    ranked = pred[order]
    below = np.searchsorted(ranked, thresholds32, side="right")  # how many predictions are <= each threshold
    results = []
    for values in (positive, negative):
        running = np.concatenate([[0.0], np.cumsum(values[order])])
        results.append(running[-1] - running[below])
    return results[0], results[1]


def divide_no_nan(numerator, denominator):
    """numerator / denominator, and 0 where the denominator is 0."""
    numerator = np.asarray(numerator, dtype="float64")
    denominator = np.asarray(denominator, dtype="float64")
    out = np.zeros(np.broadcast_shapes(numerator.shape, denominator.shape))
    return np.divide(numerator, denominator, out=out, where=denominator != 0)


def as_result(values):
    """A Python float for one value, a list of floats for several (what fit's logs can hold)."""
    values = np.asarray(values, dtype="float64")
    return float(values) if values.ndim == 0 else values.tolist()


def check_number(name, argument, value, low=None, high=None, low_open=False):
    """Raise a clear ValueError unless ``value`` is a finite real number within the bounds."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value):
        raise ValueError(f"{name}: `{argument}` must be a finite number, got {argument}={value!r}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name}: `{argument}` must be {'>' if low_open else '>='} {low}, got {argument}={value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name}: `{argument}` must be <= {high}, got {argument}={value!r}")
    return value.item() if isinstance(value, np.generic) else value
