"""Connectionist temporal classification (CTC) loss, for sequences whose alignment with the labels is unknown.

y_true holds label sequences (batch, max_length), padded with 0, which is
also the blank class; y_pred holds logits (batch, time, classes). Every
output sequence is taken to span all time steps.
"""

import numpy as np

from glassnet import ops
from glassnet.losses.loss import LossFunctionWrapper
from glassnet.losses.targets import check_class_ids, shape_text


def ctc(y_true, y_pred):
    """-log p(labels | logits) per sequence, summed over every alignment (``ops.ctc_loss``, blank 0)."""
    labels = np.asarray(getattr(y_true, "data", y_true))
    if labels.ndim != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` in "
                         f"integer format. Received: y_true.shape={labels.shape}")
    if len(y_pred.shape) != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape `(batch_size, max_length, "
                         f"num_classes)`. Received: y_pred.shape={tuple(y_pred.shape)}")
    batch, steps = y_pred.shape[0], y_pred.shape[1]
    label_length = np.count_nonzero(labels != 0, axis=-1).astype(np.int32)
    return ops.ctc_loss(labels, y_pred, label_length, np.full((batch,), steps, dtype=np.int32), mask_index=0)


class CTC(LossFunctionWrapper):
    """CTC loss: label sequences (batch, max_length) padded with 0 against logits (batch, time, classes)."""

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction)

    def check_targets(self, y_true, y_pred_shape):
        """Label sequences of shape (n, max_length) with ids in [0, classes) for logits (n, time, classes)."""
        owner = f"Loss '{self.name}'"
        if y_true.ndim != 2 or len(y_pred_shape) != 3:
            raise ValueError(f"{owner} expects label sequences of shape (n, max_length), padded with 0, for logits of "
                             f"shape (n, time, classes); got targets of shape {y_true.shape} and outputs of shape "
                             f"{shape_text(y_pred_shape)}")
        check_class_ids(owner, y_true, y_pred_shape[-1])
