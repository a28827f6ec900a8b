"""The Loss base class, the wrapper around per-sample functions, and Keras 3's reduction and mask rules.

A loss class computes one value per sample with ``call(y_true, y_pred)``
and reduces them with "sum_over_batch_size" (Keras' default): the sum of
the (weighted) per-sample values divided by their number. "mean" is the
same; "sum" is the sum; "mean_with_sample_weight" divides the sum by the
sum of the sample weights; "none" (or None) keeps the values.

A mask rides along: one carried by the predictions (a layer that masks
timesteps) and one a loss puts on its own values (Circle keeps only the
positive ones) both become sample weights, so that a mean is taken over
the entries that count (Keras 3's ``apply_mask``).
"""

import numpy as np

from glassnet import config, ops
from glassnet.autodiff.tensor import Tensor
from glassnet.losses.targets import check_one_hot_targets, check_same_shape, check_sparse_targets
from glassnet.ops.nn import Softmax

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def producer(y_pred, op_class):
    """The softmax/sigmoid node that produced ``y_pred``, if the graph still holds it."""
    creator = y_pred.creator if isinstance(y_pred, Tensor) else None
    if isinstance(creator, op_class) and creator.inputs is not None:
        if op_class is Softmax and creator.axis not in (-1, y_pred.ndim - 1):
            return None
        return creator
    return None


def as_float(y, like):
    """Targets as a float array of the prediction's dtype (targets are constants: no gradient flows to them)."""
    data = y.data if isinstance(y, Tensor) else np.asarray(y)
    dtype = like.dtype if hasattr(like, "dtype") else config.floatx()
    return data.astype(dtype, copy=False)


def as_prediction(y_pred):
    """Predictions as a Tensor: arrays and lists become tensors of floatx."""
    return y_pred if isinstance(y_pred, Tensor) else Tensor(np.asarray(y_pred, dtype=config.floatx()))


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


def _aligned_weight(weight, values):
    """Sample weights with as many axes as the values: (n,) against (n, t) gets a trailing axis, (n, 1) loses one."""
    weight = np.asarray(getattr(weight, "data", weight), dtype=values.dtype)
    while weight.ndim < values.ndim:
        weight = weight[..., None]
    while weight.ndim > values.ndim and weight.shape[-1] == 1:
        weight = weight[..., 0]
    return weight


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Weight and reduce per-sample losses as Keras does."""
    weight = None
    if sample_weight is not None:
        weight = _aligned_weight(sample_weight, values)
        values = ops.multiply(values, weight)
    if reduction in ("none", None):
        return values
    if reduction == "sum":
        return ops.sum(values)
    if reduction == "mean_with_sample_weight" and weight is not None:
        total = float(np.broadcast_to(weight, values.shape).sum())
        return ops.multiply(ops.sum(values), 1.0 / total if total else 0.0)  # Keras' divide_no_nan
    return ops.mean(values)  # sum over batch size: the sum divided by the number of values


def _combined_mask(in_mask, out_mask):
    if in_mask is None or out_mask is None:
        return out_mask if in_mask is None else in_mask
    return np.logical_and(np.asarray(getattr(in_mask, "data", in_mask), bool),
                          np.asarray(getattr(out_mask, "data", out_mask), bool))


class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None)`` -> scalar Tensor."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
        self.name = name or _snake(type(self).__name__)
        self.reduction = reduction
        self.dtype = dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = as_prediction(y_pred)
        values = self.call(y_true, y_pred)
        mask = _combined_mask(y_pred._keras_mask, getattr(values, "_keras_mask", None))
        if mask is not None:  # masked entries count for nothing (Keras 3)
            sample_weight = apply_mask(sample_weight, mask, self.reduction)
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
        y_true, y_pred = same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def get_config(self):
        return {**super().get_config(), **self.fn_kwargs}


def same_rank(y_true, y_pred):
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


class ElementwiseLoss(LossFunctionWrapper):
    """A loss that compares each target with the output at the same place: targets take the outputs' shape."""

    def check_targets(self, y_true, y_pred_shape):
        check_same_shape(f"Loss '{self.name}'", y_true, y_pred_shape)


class OneHotLoss(LossFunctionWrapper):
    """A loss over one-hot targets (or class probabilities) as wide as the outputs."""

    def check_targets(self, y_true, y_pred_shape):
        check_one_hot_targets(f"Loss '{self.name}'", y_true, y_pred_shape)


class SparseLoss(LossFunctionWrapper):
    """A loss over integer class ids, one per output row."""

    ignore_class = None

    def check_targets(self, y_true, y_pred_shape):
        check_sparse_targets(f"Loss '{self.name}'", y_true, y_pred_shape, self.ignore_class)
