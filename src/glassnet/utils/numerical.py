"""Label and array helpers: ``to_categorical`` and ``normalize``."""

import numpy as np


def to_categorical(x, num_classes=None):
    """One-hot encode integer class ids: ``[0, 2] -> [[1, 0, 0], [0, 0, 1]]`` (float32).

    ``num_classes`` defaults to ``max(x) + 1``. A trailing axis of size 1 is dropped first.
    """
    labels = np.asarray(x)
    if labels.dtype.kind == "f":
        if not np.all(np.floor(labels) == labels):
            raise ValueError("to_categorical expects integer class ids, got non-integer values")
    elif labels.dtype.kind not in "iub":
        raise ValueError(f"to_categorical expects integer class ids, got dtype {labels.dtype}")
    labels = labels.astype("int64")
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.size and labels.min() < 0:
        raise ValueError(f"to_categorical expects non-negative class ids, got {labels.min()}")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif labels.size and labels.max() >= num_classes:
        raise ValueError(f"to_categorical: class id {labels.max()} does not fit num_classes={num_classes}")
    encoded = np.zeros(labels.shape + (num_classes,), dtype="float32")
    np.put_along_axis(encoded, labels[..., None], 1.0, axis=-1)
    return encoded


def normalize(x, axis=-1, order=2):
    """Scale ``x`` so each slice along ``axis`` has unit ``order``-norm (zero slices stay zero)."""
    array = np.asarray(x, dtype="float32") if np.asarray(x).dtype.kind != "f" else np.asarray(x)
    norms = np.linalg.norm(array, ord=order, axis=axis, keepdims=True)
    norms[norms == 0] = 1
    return array / norms
