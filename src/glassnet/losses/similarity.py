"""Circle loss (Sun et al., 2020) for metric learning: embeddings of one class close, of different classes apart.

For each anchor, with cosine distances d to the reference embeddings
(``1 - y_pred @ ref.T``, clipped at 0; the embeddings should be L2-normalised):

    positives:  a_p = max(margin + d, 0),      s_p = -gamma a_p (margin - d)
    negatives:  a_n = max(1 + margin - d, 0),  s_n =  gamma a_n (1 - margin - d)
    loss = softplus(logsumexp(s_p over positives) + logsumexp(s_n over negatives))

Only anchors with a positive loss count in the mean (Keras puts that mask on
the values); an anchor with no positive (or no negative) pair costs nothing.
"""

import numpy as np

from glassnet import ops
from glassnet.losses.loss import LossFunctionWrapper
from glassnet.losses.targets import shape_text

_EMPTY = -1e30  # stands for -inf in a masked logsumexp, so that gradients stay finite


def _labels(values):
    data = np.asarray(getattr(values, "data", values))
    return data.reshape(-1).astype(np.int64)


def _pair_masks(query_labels, key_labels, remove_diagonal):
    """(positive, negative): same label / different label, the diagonal (a sample with itself) not positive."""
    positive = query_labels[:, None] == key_labels[None, :]
    negative = ~positive
    if remove_diagonal:
        positive &= ~np.eye(len(query_labels), len(key_labels), dtype=bool)
    return positive, negative


def _masked_logsumexp(values, mask):
    """log sum over the masked-in entries of exp(values), per row; about -1e30 for a row with none."""
    return ops.logsumexp(ops.where(mask, values, _EMPTY), axis=1)


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True, gamma=80, margin=0.4):
    """Circle loss per anchor (see the module docstring); y_true: integer labels, y_pred: embeddings."""
    labels = _labels(y_true)
    references = y_pred if ref_embeddings is None else ref_embeddings
    key_labels = labels if ref_labels is None else _labels(ref_labels)
    distances = ops.relu(ops.subtract(1.0, ops.matmul(y_pred, ops.transpose(references))))
    positive, negative = _pair_masks(labels, key_labels, remove_diagonal)
    dtype = distances.dtype
    pos_weights = ops.relu(ops.multiply(ops.add(distances, margin), positive.astype(dtype)))
    neg_weights = ops.relu(ops.multiply(ops.subtract(1.0 + margin, distances), negative.astype(dtype)))
    pos_scores = ops.multiply(ops.multiply(pos_weights, ops.subtract(margin, distances)), -float(gamma))
    neg_scores = ops.multiply(ops.multiply(neg_weights, ops.subtract(1.0 - margin, distances)), float(gamma))
    values = ops.softplus(ops.add(_masked_logsumexp(pos_scores, positive), _masked_logsumexp(neg_scores, negative)))
    values._keras_mask = values.data > 0
    return values


class Circle(LossFunctionWrapper):
    """Circle loss over a batch of embeddings and their integer class labels (``gamma`` scale, ``margin``)."""

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True, reduction="sum_over_batch_size", name="circle",
                 dtype=None):
        super().__init__(circle, name=name, reduction=reduction, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)

    def check_targets(self, y_true, y_pred_shape):
        """One integer label per embedding: targets (n,) or (n, 1) for embeddings (n, dim)."""
        if len(y_pred_shape) != 2 or not (y_true.ndim == 1 or (y_true.ndim == 2 and y_true.shape[-1] == 1)):
            raise ValueError(f"Loss '{self.name}' expects embeddings of shape (n, dim) and one integer label per "
                             f"embedding, targets of shape (n,) or (n, 1); got outputs of shape "
                             f"{shape_text(y_pred_shape)} and targets of shape {y_true.shape}")
