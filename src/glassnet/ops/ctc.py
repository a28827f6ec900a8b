"""Connectionist temporal classification: ``ctc_loss`` and ``ctc_decode``.

A label sequence l (length L) is padded with blanks to l' = (b, l1, b, l2, ..., lL, b)
(length 2L + 1). With y_t = softmax(logits_t), the forward variables

    alpha_t(s) = (alpha_{t-1}(s) + alpha_{t-1}(s-1) [+ alpha_{t-1}(s-2)]) y_t(l'_s)

(the s-2 term when l'_s is not blank and differs from l'_{s-2}) sum the probability of every
alignment of l'_1..s to frames 1..t; the backward variables beta run the same way from the end.
p(l | x) = alpha_T(2L+1) + alpha_T(2L), the loss is -log p, and its gradient wrt the logits is

    dloss / dlogits_t(k) = y_t(k) - (1 / p) sum_{s: l'_s = k} alpha_t(s) beta_t(s) / y_t(k)

Everything runs in log space (sums are logaddexp), one frame at a time, vectorised over the batch.
"""

import numpy as np

from glassnet.autodiff.function import Function
from glassnet.autodiff.tensor import Tensor
from glassnet.ops._convert import as_input, data_of


def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _extended_labels(target, target_length, blank):
    """(B, 2S+1) labels with blanks between and around, and where the s-2 skip is allowed."""
    batch, max_labels = target.shape
    extended = np.full((batch, 2 * max_labels + 1), blank, dtype=np.int64)
    extended[:, 1::2] = target
    positions = np.arange(2 * max_labels + 1)
    extended[positions[None, :] >= 2 * target_length[:, None] + 1] = blank
    skip = np.zeros(extended.shape, dtype=bool)
    skip[:, 2:] = (extended[:, 2:] != blank) & (extended[:, 2:] != extended[:, :-2])
    return extended, skip


def _shift(values, by):
    """values[..., s - by] at s (-inf where s < by)."""
    out = np.full_like(values, -np.inf)
    out[:, by:] = values[:, :-by]
    return out


def _unshift(values, by):
    """values[..., s + by] at s (-inf past the end)."""
    out = np.full_like(values, -np.inf)
    out[:, :-by] = values[:, by:]
    return out


def _forward_variables(emit, skip, lengths):
    """log alpha, (B, T, 2S+1); frames past a sequence's length keep its last column."""
    batch, steps, states = emit.shape
    alpha = np.full((batch, steps, states), -np.inf)
    alpha[:, 0, :2] = emit[:, 0, :2]
    for t in range(1, steps):
        prev = alpha[:, t - 1]
        total = np.logaddexp(prev, _shift(prev, 1))
        total = np.where(skip, np.logaddexp(total, _shift(prev, 2)), total)
        alpha[:, t] = np.where((t < lengths)[:, None], total + emit[:, t], prev)
    return alpha


def _backward_variables(emit, skip, lengths, label_lengths):
    """log beta, (B, T, 2S+1); -inf past each sequence's length."""
    batch, steps, states = emit.shape
    beta = np.full((batch, steps, states), -np.inf)
    last = np.full((batch, states), -np.inf)
    rows = np.arange(batch)
    last[rows, 2 * label_lengths] = 0.0
    last[rows[label_lengths > 0], 2 * label_lengths[label_lengths > 0] - 1] = 0.0
    skip_ahead = np.zeros_like(skip)  # may s go on to s + 2
    skip_ahead[:, :-2] = skip[:, 2:]
    following = np.full((batch, states), -np.inf)
    for t in range(steps - 1, -1, -1):
        total = np.logaddexp(following, _unshift(following, 1))
        total = np.where(skip_ahead, np.logaddexp(total, _unshift(following, 2)), total)
        total = np.where((t == lengths - 1)[:, None], last, total)
        beta[:, t] = np.where((t < lengths)[:, None], total + emit[:, t], -np.inf)
        following = beta[:, t]
    return beta


class CTCLoss(Function):
    """loss = -log p(target | logits), per sequence;  dlogits_t = softmax_t - occupancy_t / p"""

    def __init__(self, target, target_length, output_length, blank):
        self.target, self.target_length, self.output_length = target, target_length, output_length
        self.blank = blank

    def forward(self, logits):
        log_probs = _log_softmax(logits.astype(np.float64))
        extended, skip = _extended_labels(self.target, self.target_length, self.blank)
        emit = np.take_along_axis(log_probs, np.broadcast_to(extended[:, None, :], log_probs.shape[:2] +
                                                             extended.shape[1:]), axis=2)
        lengths, label_lengths = self.output_length, self.target_length
        alpha = _forward_variables(emit, skip, lengths)
        rows = np.arange(len(lengths))
        final = alpha[rows, -1]
        log_p = np.logaddexp(final[rows, 2 * label_lengths],
                             np.where(label_lengths > 0, final[rows, np.maximum(2 * label_lengths - 1, 0)], -np.inf))
        self.saved = (log_probs, extended, emit, alpha, skip, log_p)
        return (-log_p).astype(logits.dtype)

    def backward(self, gy):
        log_probs, extended, emit, alpha, skip, log_p = self.saved
        beta = _backward_variables(emit, skip, self.output_length, self.target_length)
        finite = np.isfinite(log_p)
        log_gamma = alpha + beta - emit - np.where(finite, log_p, 0.0)[:, None, None]
        occupancy = np.zeros(log_probs.shape)
        batch, steps, states = alpha.shape
        b, t, _ = np.meshgrid(np.arange(batch), np.arange(steps), np.arange(states), indexing="ij")
        np.add.at(occupancy, (b, t, np.broadcast_to(extended[:, None, :], alpha.shape)), np.exp(log_gamma))
        valid = (np.arange(steps)[None, :] < self.output_length[:, None]) & finite[:, None]
        grad = (np.exp(log_probs) - occupancy) * valid[:, :, None]
        return (grad * gy[:, None, None]).astype(gy.dtype)


def _int_array(values, name, shape=None):
    array = np.asarray(data_of(as_input(values)))
    if array.dtype.kind not in "iu" and not (array.dtype.kind == "f" and np.all(array == np.round(array))):
        raise ValueError(f"ctc: {name} must hold integers, got dtype {array.dtype}")
    if shape is not None and array.shape != shape:
        raise ValueError(f"ctc: {name} must have shape {shape}, got {array.shape}")
    return array.astype(np.int64)


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Per-sequence CTC loss of ``output`` logits (batch, time, classes) for integer ``target``
    labels (batch, max_label_length); ``mask_index`` is the blank class."""
    output = as_input(output)
    shape = np.shape(data_of(output))
    if len(shape) != 3:
        raise ValueError(f"ctc_loss: output must be logits of shape (batch, time, classes), got shape {shape}")
    target = _int_array(target, "target")
    if target.ndim != 2 or target.shape[0] != shape[0]:
        raise ValueError(f"ctc_loss: target must have shape (batch={shape[0]}, max_label_length), "
                         f"got {target.shape}")
    target_length = _int_array(target_length, "target_length", (shape[0],))
    output_length = _int_array(output_length, "output_length", (shape[0],))
    if np.any(output_length > shape[1]) or np.any(output_length < 1):
        raise ValueError(f"ctc_loss: output_length must be in [1, {shape[1]}], got {output_length.tolist()}")
    if data_of(output).dtype.kind != "f":
        output = np.asarray(data_of(output), dtype=np.float32)
    return CTCLoss.apply(output, target=target, target_length=target_length, output_length=output_length,
                         blank=int(mask_index))


# --- decoding -----------------------------------------------------------------


def _greedy(inputs, lengths, merge_repeated, blank):
    """Best class per frame, repeats merged, blanks dropped; score = -sum of the frame maxima."""
    batch, steps, _ = inputs.shape
    best = inputs.argmax(axis=-1)
    past_end = np.arange(steps)[None, :] >= lengths[:, None]
    best = np.where(past_end, blank, best)
    scores = -np.where(past_end, 0.0, inputs.max(axis=-1)).sum(axis=1, keepdims=True)
    keep = best != blank
    if merge_repeated:
        keep[:, 1:] &= best[:, 1:] != best[:, :-1]
    paths = np.full((batch, steps), -1, dtype=np.int32)
    for row in range(batch):
        labels = best[row][keep[row]]
        paths[row, :len(labels)] = labels
    return paths[None], scores.astype(inputs.dtype)


def _prefix_beam_search(log_probs, length, beam_width, top_paths, blank):
    """CTC prefix beam search for one sequence: {prefix: (log p ending in a label, log p ending in blank)}."""
    beams = {(): (-np.inf, 0.0)}
    for t in range(length):
        frame, grown = log_probs[t], {}

        def add(prefix, label_score, blank_score, grown=grown):
            old_label, old_blank = grown.get(prefix, (-np.inf, -np.inf))
            grown[prefix] = (np.logaddexp(old_label, label_score), np.logaddexp(old_blank, blank_score))

        for prefix, (on_label, on_blank) in beams.items():
            total = np.logaddexp(on_label, on_blank)
            add(prefix, -np.inf, total + frame[blank])  # a blank: the prefix is unchanged
            for k in range(len(frame)):
                if k == blank:
                    continue
                if prefix and prefix[-1] == k:
                    add(prefix, on_label + frame[k], -np.inf)  # the same label again: merged
                    add(prefix + (k,), on_blank + frame[k], -np.inf)  # after a blank: a new label
                else:
                    add(prefix + (k,), total + frame[k], -np.inf)
        ranked = sorted(grown.items(), key=lambda item: -np.logaddexp(*item[1]))
        beams = dict(ranked[:beam_width])
    ranked = sorted(((np.logaddexp(*s), p) for p, s in beams.items()), key=lambda item: -item[0])
    return ranked[:top_paths]


def _beam_search(inputs, lengths, beam_width, top_paths, blank):
    batch, steps, _ = inputs.shape
    log_probs = _log_softmax(inputs.astype(np.float64))
    paths = np.full((top_paths, batch, steps), -1, dtype=np.int32)
    scores = np.full((batch, top_paths), -np.inf)
    for row in range(batch):
        for rank, (score, prefix) in enumerate(_prefix_beam_search(log_probs[row], lengths[row], beam_width,
                                                                   top_paths, blank)):
            paths[rank, row, :len(prefix)] = prefix
            scores[row, rank] = score
    return paths, scores.astype(inputs.dtype)


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1, merge_repeated=True,
               mask_index=0):
    """Decode (batch, time, classes) scores: ``(paths, scores)``, paths of shape (top_paths, batch, time)
    padded with -1 (greedy: one path, scored by minus the summed frame maxima; beam_search: the
    ``top_paths`` most probable label sequences of a prefix beam search, scored by log probability)."""
    inputs = np.asarray(data_of(as_input(inputs)))
    if inputs.ndim != 3:
        raise ValueError(f"ctc_decode: inputs must have shape (batch, time, classes), got {inputs.shape}")
    if inputs.dtype.kind != "f" or inputs.dtype.itemsize < 4:
        inputs = inputs.astype(np.float32)
    lengths = _int_array(sequence_lengths, "sequence_lengths", inputs.shape[:1])
    blank = inputs.shape[-1] - 1 if mask_index is None else int(mask_index)
    if strategy == "greedy":
        paths, scores = _greedy(inputs, lengths, merge_repeated, blank)
    elif strategy == "beam_search":
        paths, scores = _beam_search(inputs, lengths, int(beam_width), int(top_paths), blank)
    else:
        raise ValueError(f"ctc_decode: strategy must be 'greedy' or 'beam_search', got {strategy!r}")
    return Tensor(paths), Tensor(scores)
