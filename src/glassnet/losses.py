"""Loss functions, as ``keras.losses``: classes, functions, and names.

A loss class computes one value per sample with ``call(y_true, y_pred)``
and reduces them with "sum_over_batch_size" (Keras' default): the sum of
the (weighted) per-sample values divided by their number.

Cross-entropy after a softmax or sigmoid is computed from the logits that
op received, when the graph still holds them: the result is exact even for
confident predictions, and the gradient is ``(p - y) / n``.

Each loss states what targets it takes in ``check_targets(y_true,
y_pred_shape)``, which the trainer calls on every batch before training
uses it (element-wise losses: the outputs' shape; sparse cross-entropy:
integer ids in range; categorical cross-entropy: one-hot rows). The
helpers below it (``shape_text``, ``aligned_shapes``, ``check_class_ids``)
serve the metrics too.
"""

import numpy as np

from glassnet import config, ops
from glassnet.autodiff.tensor import Tensor
from glassnet.ops.nn import Sigmoid, Softmax
from glassnet.utils.registry import lookup

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "none", None)


def _producer(y_pred, op_class):
    """The softmax/sigmoid node that produced ``y_pred``, if the graph still holds it."""
    creator = y_pred.creator if isinstance(y_pred, Tensor) else None
    if isinstance(creator, op_class) and creator.inputs is not None:
        if op_class is Softmax and creator.axis not in (-1, y_pred.ndim - 1):
            return None
        return creator
    return None


def _as_float(y, like):
    """Targets as a float array of the prediction's dtype."""
    data = y.data if isinstance(y, Tensor) else np.asarray(y)
    dtype = like.dtype if hasattr(like, "dtype") else config.floatx()
    return data.astype(dtype, copy=False)


def apply_mask(sample_weight, mask, reduction):
    """Keras 3's rule: a mask carried by the predictions becomes part of the sample weights.

    With a mean reduction the unmasked entries weigh total / valid and the
    masked ones 0, so the mean is taken over the unmasked entries only; with
    "sum" (metrics) the mask weighs 1 or 0.
    """
    mask = np.asarray(getattr(mask, "data", mask), dtype=bool)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = np.count_nonzero(mask)
        weight = np.where(mask, mask.size / valid if valid else 0.0, 0.0)
    else:
        weight = mask.astype(np.float64)
    weight = weight.astype(config.floatx())
    if sample_weight is None:
        return weight
    sample_weight = np.asarray(sample_weight, dtype=weight.dtype)
    while sample_weight.ndim < weight.ndim:
        sample_weight = sample_weight[..., None]
    return sample_weight * weight


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Weight and reduce per-sample losses as Keras does."""
    if sample_weight is not None:
        weight = np.asarray(sample_weight, dtype=values.dtype)
        while weight.ndim < values.ndim:
            weight = weight[..., None]
        while weight.ndim > values.ndim and weight.shape[-1] == 1:
            weight = weight[..., 0]
        values = ops.multiply(values, weight)
    if reduction in ("none", None):
        return values
    if reduction == "sum":
        return ops.sum(values)
    return ops.mean(values)  # sum over batch size: the sum divided by the number of values


# --- target checks ------------------------------------------------------------------


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


class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None)`` -> scalar Tensor."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
        self.name = name or _snake(type(self).__name__)
        self.reduction = reduction
        self.dtype = dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        if not isinstance(y_pred, Tensor):
            y_pred = Tensor(np.asarray(y_pred, dtype=config.floatx()))
        values = self.call(y_true, y_pred)
        if y_pred._keras_mask is not None:  # masked timesteps count for nothing (Keras 3)
            sample_weight = apply_mask(sample_weight, y_pred._keras_mask, self.reduction)
        return reduce_values(values, sample_weight, self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def check_targets(self, y_true, y_pred_shape):
        """Raise a ValueError, before any training step, when this loss cannot take targets ``y_true``.

        ``y_true`` is a NumPy array of one batch (or of all samples); ``y_pred_shape``
        the shape of the model's output, None where a size varies between batches.
        The base class accepts anything; a loss whose targets follow rules
        (shapes, label ranges) overrides it.
        """

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _snake(name):
    from glassnet.utils.naming import to_snake_case

    return to_snake_case(name)


class LossFunctionWrapper(Loss):
    """Turns a function ``fn(y_true, y_pred) -> per-sample values`` into a Loss."""

    def __init__(self, fn, name=None, reduction="sum_over_batch_size", **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction)
        self.fn, self.fn_kwargs = fn, kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = _same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def get_config(self):
        return {**super().get_config(), **self.fn_kwargs}


def _same_rank(y_true, y_pred):
    """Keras' ``squeeze_or_expand_to_same_rank``: targets of shape (n,) against predictions of
    shape (n, 1) (and the reverse) are lined up, instead of broadcasting to (n, n)."""
    true = y_true.data if isinstance(y_true, Tensor) else np.asarray(y_true)
    true_rank, pred_rank = true.ndim, y_pred.ndim
    if true_rank == pred_rank + 1 and true.shape[-1] == 1:
        if pred_rank == 1:
            return true, ops.expand_dims(y_pred, -1)
        return true[..., 0], y_pred
    if pred_rank == true_rank + 1 and y_pred.shape[-1] == 1:
        if true_rank == 1:
            return true[..., None], y_pred
        return true, ops.squeeze(y_pred, -1)
    return y_true, y_pred


# --- per-sample functions ------------------------------------------------------


def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred)^2) over the last axis."""
    return ops.mean(ops.square(ops.subtract(y_pred, _as_float(y_true, y_pred))), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|) over the last axis."""
    return ops.mean(ops.abs(ops.subtract(y_pred, _as_float(y_true, y_pred))), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta); mean over the last axis."""
    error = ops.subtract(y_pred, _as_float(y_true, y_pred))
    absolute = ops.abs(error)
    quadratic = ops.minimum(absolute, float(delta))
    linear = ops.subtract(absolute, quadratic)
    values = ops.add(ops.multiply(ops.square(quadratic), 0.5), ops.multiply(linear, float(delta)))
    return ops.mean(values, axis=-1)


def _smooth_labels(target, label_smoothing, classes):
    if label_smoothing:
        return target * (1.0 - label_smoothing) + label_smoothing / classes
    return target


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum(y_true * log(y_pred)) over the class axis; y_true one-hot (or probabilities)."""
    target = _smooth_labels(_as_float(y_true, y_pred), label_smoothing, y_pred.shape[axis])
    softmax = None if from_logits else _producer(y_pred, Softmax)
    if (from_logits or softmax is not None) and axis in (-1, y_pred.ndim - 1):
        logits = y_pred if from_logits else softmax.inputs[0]
        return ops.softmax_cross_entropy(logits, target, softmax=softmax)
    if from_logits:
        return ops.negative(ops.sum(ops.multiply(ops.log_softmax(y_pred, axis), target), axis=axis))
    eps = config.epsilon()
    probs = ops.divide(y_pred, ops.sum(y_pred, axis=axis, keepdims=True))
    probs = ops.clip(probs, eps, 1.0 - eps)
    return ops.negative(ops.sum(ops.multiply(ops.log(probs), target), axis=axis))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """-log(y_pred[label]); y_true holds integer class ids."""
    labels = y_true.data if isinstance(y_true, Tensor) else np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    labels = labels.astype(np.int64, copy=False)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)
    softmax = None if from_logits else _producer(y_pred, Softmax)
    if from_logits or softmax is not None:
        logits = y_pred if from_logits else softmax.inputs[0]
        values = ops.sparse_softmax_cross_entropy(logits, labels, softmax=softmax)
    else:
        eps = config.epsilon()
        probs = ops.clip(y_pred, eps, 1.0 - eps)
        picked = ops.squeeze(ops.take_along_axis(probs, labels[..., None], axis=-1), axis=-1)
        values = ops.negative(ops.log(picked))
    if valid is not None:
        values = ops.multiply(values, valid.astype(values.dtype))
    return values


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-(y log p + (1 - y) log(1 - p)), mean over the last axis."""
    target = _as_float(y_true, y_pred)
    if target.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        target = target[..., None]
    if label_smoothing:
        target = target * (1.0 - label_smoothing) + 0.5 * label_smoothing
    sigmoid = None if from_logits else _producer(y_pred, Sigmoid)
    logits = y_pred if from_logits else (sigmoid.inputs[0] if sigmoid is not None else None)
    if logits is not None:
        return ops.mean(ops.sigmoid_cross_entropy(logits, target), axis=axis)
    eps = config.epsilon()
    p = ops.clip(y_pred, eps, 1.0 - eps)
    positive = ops.multiply(ops.log(p), target)
    negative = ops.multiply(ops.log(ops.subtract(1.0, p)), 1.0 - target)
    return ops.negative(ops.mean(ops.add(positive, negative), axis=axis))


# --- classes -----------------------------------------------------------------------


class ElementwiseLoss(LossFunctionWrapper):
    """A loss that compares each target with the output at the same place: targets take the outputs' shape."""

    def check_targets(self, y_true, y_pred_shape):
        check_same_shape(f"Loss '{self.name}'", y_true, y_pred_shape)


class MeanSquaredError(ElementwiseLoss):
    """mean((y_true - y_pred)^2)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction)


class MeanAbsoluteError(ElementwiseLoss):
    """mean(|y_true - y_pred|)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction)


class Huber(ElementwiseLoss):
    """Quadratic for small errors, linear beyond ``delta`` (1.0)."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, name=name, reduction=reduction, delta=delta)


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for one-hot targets; ``from_logits`` for unnormalised scores."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits

    def check_targets(self, y_true, y_pred_shape):
        """One-hot rows (or class probabilities) as wide as the outputs."""
        classes = y_pred_shape[-1]
        if y_true.ndim < len(y_pred_shape) or (y_true.shape[-1] == 1 and classes not in (None, 1)):
            raise ValueError(
                f"Loss '{self.name}' expects one-hot targets of shape {shape_text(y_pred_shape)}, got targets of "
                f"shape {y_true.shape} that look like integer class ids. Use "
                f"loss='sparse_categorical_crossentropy', or one-hot encode them with to_categorical(y, {classes})"
            )
        if not shapes_match(tuple(y_true.shape[1:]), tuple(y_pred_shape[1:])):
            raise ValueError(
                f"Loss '{self.name}' expects one-hot targets of shape {shape_text(y_pred_shape)} to match the "
                f"model's {classes} outputs, got targets of shape {y_true.shape}"
            )


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer class ids; ``ignore_class`` masks one id out."""

    def __init__(self, from_logits=False, ignore_class=None, axis=-1, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class

    def check_targets(self, y_true, y_pred_shape):
        """Integer class ids in [0, classes), one per output row: shape (n,) or (n, 1) for outputs (n, classes)."""
        owner, classes = f"Loss '{self.name}'", y_pred_shape[-1]
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
        check_class_ids(owner, y_true, classes, self.ignore_class)

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self.ignore_class is None or self.reduction not in ("sum_over_batch_size", "mean"):
            return super().__call__(y_true, y_pred, sample_weight)
        # Keras 3 masks the ignored entries: the mean is over the entries that count.
        if not isinstance(y_pred, Tensor):
            y_pred = Tensor(np.asarray(y_pred, dtype=config.floatx()))
        labels = y_true.data if isinstance(y_true, Tensor) else np.asarray(y_true)
        valid = int(np.count_nonzero(labels != self.ignore_class))
        total = reduce_values(self.call(y_true, y_pred), sample_weight, "sum")
        return ops.divide(total, float(max(valid, 1)))


class BinaryCrossentropy(ElementwiseLoss):
    """Cross-entropy for 0/1 targets; ``from_logits`` for unnormalised scores."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

ALL = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "huber": Huber, "huber_loss": Huber,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
}
ALL.update({cls.__name__.lower(): cls for cls in set(ALL.values())})
FUNCTIONS = {
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError, huber: Huber,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy, binary_crossentropy: BinaryCrossentropy,
}


def get(identifier):
    """Return a Loss for a name, a Loss, a loss class, or a function ``fn(y_true, y_pred)``."""
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        found = lookup("loss", identifier, ALL)
        if not isinstance(found, type):  # a registered custom loss function
            return get(found)
        loss = found()
        loss.name = identifier
        return loss
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if identifier in FUNCTIONS:
        return FUNCTIONS[identifier]()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(f"loss must be a name, a Loss or a function, got {identifier!r}")
