"""The confusion matrix of class labels: ``confusion_matrix(labels, predictions)``."""

import numpy as np


def _class_ids(name, values):
    """A flat integer array from class ids given as ints, whole floats, a list or a Tensor."""
    if hasattr(values, "numpy") and not isinstance(values, np.ndarray):
        values = values.numpy()
    values = np.asarray(values)
    if values.ndim == 2 and values.shape[-1] == 1:
        values = values[:, 0]
    if values.ndim > 1:
        raise ValueError(
            f"confusion_matrix: {name} must be a 1-D array of class ids, got shape {values.shape}. "
            f"For one-hot or probability rows pass {name}.argmax(axis=-1)")
    if values.dtype.kind == "b":
        values = values.astype("int64")
    if values.dtype.kind == "f":
        if not np.all(np.isfinite(values)) or np.any(np.floor(values) != values):
            bad = values[~np.isfinite(values) | (np.floor(values) != values)][0]
            raise ValueError(f"confusion_matrix: {name} must be whole class ids, got {bad!r}. "
                             "For probabilities, threshold or take argmax first")
        values = values.astype("int64")
    if values.dtype.kind not in "iu":
        raise ValueError(f"confusion_matrix: {name} must be integer class ids, got dtype {values.dtype}")
    if values.size and values.min() < 0:
        raise ValueError(f"confusion_matrix: {name} must be class ids >= 0, got {values.min().item()}")
    return values.astype("int64", copy=False)


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=None):
    """Count how often each true class was predicted as each class.

    ``matrix[i, j]`` is the number of samples whose label is ``i`` and whose
    prediction is ``j`` (rows: truth, columns: prediction), the layout of
    ``tf.math.confusion_matrix`` and ``sklearn.metrics.confusion_matrix``.
    The diagonal holds the correct predictions.

    Args:
        labels: 1-D class ids (ints, or floats with whole values), e.g. ``y_test``.
        predictions: 1-D class ids of the same length, e.g. ``model.predict(x).argmax(axis=1)``.
        num_classes: the matrix size; by default ``max(labels, predictions) + 1``.
        weights: optional per-sample weights, added instead of 1.
        dtype: the result's dtype: by default ``int64``, or ``float64`` when
            ``weights`` has fractional values.

    Returns:
        A NumPy array of shape ``(num_classes, num_classes)``.

    Example:
        >>> confusion_matrix([1, 2, 4], [2, 2, 4])
        array([[0, 0, 0, 0, 0],
               [0, 0, 1, 0, 0],
               [0, 0, 1, 0, 0],
               [0, 0, 0, 0, 0],
               [0, 0, 0, 0, 1]])
    """
    labels = _class_ids("labels", labels)
    predictions = _class_ids("predictions", predictions)
    if labels.shape != predictions.shape:
        raise ValueError(f"confusion_matrix: labels and predictions must have the same length, got "
                         f"{labels.shape[0]} labels and {predictions.shape[0]} predictions")
    largest = int(max(labels.max(initial=-1), predictions.max(initial=-1)))
    if num_classes is None:
        num_classes = largest + 1
    else:
        if isinstance(num_classes, bool) or int(num_classes) != num_classes or num_classes < 1:
            raise ValueError(f"confusion_matrix: num_classes must be a positive integer, got {num_classes!r}")
        num_classes = int(num_classes)
        if largest >= num_classes:
            which = "labels" if labels.size and labels.max() >= num_classes else "predictions"
            raise ValueError(f"confusion_matrix: {which} must be < num_classes={num_classes}, got a class id "
                             f"of {largest}")
    if weights is None:
        counts = np.bincount(labels * num_classes + predictions, minlength=num_classes * num_classes)
        return counts.reshape(num_classes, num_classes).astype(dtype or "int64", copy=False)
    if hasattr(weights, "numpy") and not isinstance(weights, np.ndarray):
        weights = weights.numpy()
    weights = np.asarray(weights, dtype="float64")
    if weights.ndim == 0:
        weights = np.full(labels.shape, float(weights))
    weights = weights.reshape(-1)
    if weights.shape != labels.shape:
        raise ValueError(f"confusion_matrix: weights must have one value per sample ({labels.shape[0]}), "
                         f"got {weights.shape[0]}")
    counts = np.bincount(labels * num_classes + predictions, weights=weights, minlength=num_classes * num_classes)
    if dtype is None:
        dtype = "int64" if np.all(np.floor(weights) == weights) else "float64"
    if np.dtype(dtype).kind in "iu":
        counts = np.rint(counts)
    return counts.reshape(num_classes, num_classes).astype(dtype)
