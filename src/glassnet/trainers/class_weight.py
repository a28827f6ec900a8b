"""``class_weight``: weight each training sample by its class, as Keras does.

``{0: 1.0, 1: 5.0}`` gives samples of class 1 five times the weight in the
loss. Classes are read from integer labels, from the argmax of one-hot
targets, or from 0/1 targets for a single sigmoid output; classes missing
from the dict weigh 1. The class weight multiplies any ``sample_weight``.
"""

import numpy as np


def class_weights_for(y, class_weight):
    """One float32 weight per sample of ``y``."""
    if isinstance(y, (list, tuple, dict)):
        raise ValueError("class_weight is only supported for models with a single output; "
                         "for several outputs pass sample_weight instead")
    labels = np.asarray(y)
    if labels.ndim > 1:
        labels = labels[..., 0] if labels.shape[-1] == 1 else labels.argmax(axis=-1)
    labels = np.round(labels).astype(np.int64).reshape(len(labels), -1)[:, 0]
    keys = [int(k) for k in class_weight]
    if any(k < 0 for k in keys):
        raise ValueError(f"class_weight keys must be class indices >= 0, got {sorted(keys)}")
    table = np.ones(max(keys + [int(labels.max(initial=0))]) + 1, dtype=np.float32)
    for key, weight in class_weight.items():
        table[int(key)] = float(weight)
    return table[np.clip(labels, 0, None)]


class ClassWeighted:
    """Wraps a batch source so each batch's sample weights include the class weights."""

    def __init__(self, batches, class_weight):
        if not isinstance(class_weight, dict):
            raise ValueError(f"class_weight must be a dict {{class index: weight}}, got {type(class_weight).__name__}")
        self.batches, self.class_weight = batches, class_weight

    def __getattr__(self, name):
        return getattr(self.batches, name)

    def epoch_batches(self, generator=None):
        for x, y, sample_weight in self.batches.epoch_batches(generator):
            if y is None:
                raise ValueError("class_weight needs targets, but the batches have no y")
            weights = class_weights_for(y, self.class_weight)
            yield x, y, weights if sample_weight is None else weights * sample_weight
