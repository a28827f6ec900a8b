"""``class_weight``: weight each training sample by its class, as Keras does.

``{0: 1.0, 1: 5.0}`` gives samples of class 1 five times the weight in the
loss. Classes are read from integer labels, from the argmax of one-hot
targets, or from 0/1 targets for a single sigmoid output; classes missing
from the dict weigh 1. The class weight multiplies any ``sample_weight``.
"""

import math

import numpy as np


def check_class_weight(class_weight):
    """Raise unless ``class_weight`` is a dict {class index >= 0: finite real weight}; return it as
    ``{int: float}``."""
    if not isinstance(class_weight, dict):
        raise ValueError(f"class_weight must be a dict {{class index: weight}}, got {type(class_weight).__name__}")
    checked = {}
    for key, weight in class_weight.items():
        if isinstance(key, bool) or not isinstance(key, (int, np.integer)) or key < 0:
            raise ValueError(f"class_weight keys must be class indices (integers >= 0), got {key!r}")
        if isinstance(weight, (bool, np.bool_)) or not isinstance(weight, (int, float, np.integer, np.floating)):
            dtype = getattr(weight, "dtype", type(weight).__name__)
            raise ValueError(f"class_weight must map class indices to real numbers, got {weight!r} (dtype {dtype}) "
                             f"for class {int(key)}")
        with np.errstate(over="ignore"):  # 1e39 becomes inf in float32: that is what is checked
            representable = bool(np.isfinite(np.float32(weight)))
        if not math.isfinite(weight) or not representable:
            raise ValueError(f"class_weight for class {int(key)} is {float(weight)}; weights must be finite in "
                             "float32 (up to 3.4e38): a NaN or infinite weight makes every loss NaN")
        checked[int(key)] = float(weight)
    return checked


def class_weights_for(y, class_weight):
    """One float32 weight per sample of ``y``."""
    if isinstance(y, (list, tuple, dict)):
        raise ValueError("class_weight is only supported for models with a single output; "
                         "for several outputs pass sample_weight instead")
    labels = np.asarray(y)
    if labels.ndim > 1:
        labels = labels[..., 0] if labels.shape[-1] == 1 else labels.argmax(axis=-1)
    labels = np.round(labels).astype(np.int64).reshape(len(labels), -1)[:, 0]
    keys = list(class_weight)
    table = np.ones(max(keys + [int(labels.max(initial=0))]) + 1, dtype=np.float32)
    for key, weight in class_weight.items():
        table[key] = weight
    return table[np.clip(labels, 0, None)]


class ClassWeighted:
    """Wraps a batch source so each batch's sample weights include the class weights.

    ``first_y`` (the targets of the first batch, or all of them) is checked
    here, so that a wrong class_weight raises before training starts.
    """

    def __init__(self, batches, class_weight, first_y):
        self.class_weight = check_class_weight(class_weight)
        if first_y is None:
            raise ValueError("class_weight needs targets: pass y (or batches of (x, y))")
        class_weights_for(first_y, self.class_weight)
        self.batches = batches

    def __getattr__(self, name):
        return getattr(self.batches, name)

    def epoch_batches(self, generator=None):
        for x, y, sample_weight in self.batches.epoch_batches(generator):
            if y is None:
                raise ValueError("class_weight needs targets, but the batches have no y")
            weights = class_weights_for(y, self.class_weight)
            yield x, y, weights if sample_weight is None else weights * sample_weight
