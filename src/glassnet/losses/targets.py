"""What targets a loss takes, checked before training uses a batch (``Loss.check_targets``).

Element-wise losses take targets of the outputs' shape; categorical ones
one-hot rows as wide as the outputs; sparse ones integer class ids in
range. The helpers serve the metrics too. Shapes in messages show the
batch axis as n and sizes that vary between batches as None.
"""

import numpy as np


def shape_text(shape):
    """A shape as messages show it: the batch axis as n, sizes that vary between batches as None."""
    dims = ["n"] + ["None" if d is None else str(d) for d in tuple(shape)[1:]]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def shapes_match(a, b):
    """Equal shapes, where None (a size that varies between batches) matches any size."""
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def aligned_shapes(true_shape, pred_shape):
    """Keras' ``squeeze_or_expand_to_same_rank`` on shapes: (n,) against (n, 1), either way round, line up."""
    true_shape, pred_shape = tuple(true_shape), tuple(pred_shape)
    if len(true_shape) == len(pred_shape) + 1 and true_shape[-1] == 1:
        return true_shape[:-1], pred_shape
    if len(pred_shape) == len(true_shape) + 1 and pred_shape[-1] == 1:
        return true_shape, pred_shape[:-1]
    return true_shape, pred_shape


def check_same_shape(owner, y_true, y_pred_shape, what="compares targets with outputs element by element"):
    """Targets shaped like the outputs ((n,) and (n, 1) count as one), or an error naming both shapes."""
    target, output = aligned_shapes(y_true.shape, y_pred_shape)
    if shapes_match(target[1:], output[1:]):
        return
    raise ValueError(f"{owner} {what}, so it expects targets of shape {shape_text(y_pred_shape)} like the "
                     f"model's outputs; got targets of shape {tuple(y_true.shape)}. Check the last layer's units "
                     "or reshape y")


def check_class_ids(owner, y_true, classes, ignore_class=None):
    """Integer class ids (whole numbers) in [0, classes), ``ignore_class`` aside, or a clear error."""
    if y_true.dtype.kind == "f":
        fractional = np.floor(y_true) != y_true
        if fractional.any():
            sample = y_true.reshape(-1)[np.argmax(fractional.reshape(-1))].item()
            raise ValueError(f"{owner} expects integer class ids, got non-integer targets such as {sample!r} "
                             f"(dtype {y_true.dtype}). For one-hot targets use loss='categorical_crossentropy'")
    if classes is None or not y_true.size:
        return
    labels = y_true if ignore_class is None else y_true[y_true != ignore_class]
    if not labels.size:
        return
    low, high = labels.min(), labels.max()
    if low < 0 or high >= classes:
        raise ValueError(f"{owner} expects class ids in [0, {classes}) for a model with {classes} outputs, "
                         f"got labels from {low.item()} to {high.item()}")


def check_one_hot_targets(owner, y_true, y_pred_shape):
    """One-hot rows (or class probabilities) as wide as the outputs."""
    classes = y_pred_shape[-1]
    if y_true.ndim < len(y_pred_shape) or (y_true.shape[-1] == 1 and classes not in (None, 1)):
        raise ValueError(
            f"{owner} expects one-hot targets of shape {shape_text(y_pred_shape)}, got targets of "
            f"shape {y_true.shape} that look like integer class ids. Use "
            f"loss='sparse_categorical_crossentropy', or one-hot encode them with to_categorical(y, {classes})"
        )
    if not shapes_match(tuple(y_true.shape[1:]), tuple(y_pred_shape[1:])):
        raise ValueError(
            f"{owner} expects one-hot targets of shape {shape_text(y_pred_shape)} to match the "
            f"model's {classes} outputs, got targets of shape {y_true.shape}"
        )


def check_sparse_targets(owner, y_true, y_pred_shape, ignore_class=None):
    """Integer class ids in [0, classes), one per output row: shape (n,) or (n, 1) for outputs (n, classes)."""
    classes = y_pred_shape[-1]
    if y_true.ndim == len(y_pred_shape) and y_true.shape[-1] == classes and classes not in (None, 1):
        raise ValueError(
            f"{owner} expects integer class ids of shape {shape_text(y_pred_shape[:-1])}, got targets of shape "
            f"{y_true.shape}, which look one-hot encoded. Use loss='categorical_crossentropy', or pass "
            "y.argmax(axis=-1)"
        )
    ids_shape = tuple(y_pred_shape[1:-1])
    if not (shapes_match(y_true.shape[1:], ids_shape) or shapes_match(y_true.shape[1:], ids_shape + (1,))):
        raise ValueError(
            f"{owner} expects one integer class id per output row: targets of shape "
            f"{shape_text(y_pred_shape[:-1])} or {shape_text(y_pred_shape[:-1] + (1,))} for outputs of shape "
            f"{shape_text(y_pred_shape)}; got targets of shape {y_true.shape}"
        )
    check_class_ids(owner, y_true, classes, ignore_class)
