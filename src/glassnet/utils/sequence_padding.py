"""pad_sequences: a list of variable-length sequences as one rectangular array (``keras.utils.pad_sequences``).

Each sequence ``s`` becomes one row of ``maxlen`` steps (the longest length when
``maxlen`` is None):

- longer than ``maxlen``: ``truncating="pre"`` keeps the last ``maxlen`` steps
  (``s[-maxlen:]``), ``"post"`` the first (``s[:maxlen]``);
- shorter: ``padding="pre"`` puts ``value`` before it, ``"post"`` after it.

Steps may themselves be arrays (``sample_shape``, taken from the first
non-empty sequence); the result has shape ``(len(sequences), maxlen) + sample_shape``.
"""

import numpy as np

SIDES = ("pre", "post")


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Pad (and truncate) ``sequences`` to one length; see the module docstring.

    >>> pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2)
    array([[0, 1],
           [2, 3],
           [5, 6]], dtype=int32)
    """
    _check_arguments(sequences, maxlen, dtype, padding, truncating, value)
    lengths, sample_shape = _lengths_and_sample_shape(sequences)
    if maxlen is None:
        maxlen = max(lengths, default=0)
    padded = np.full((len(lengths), maxlen) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return padded
    for index, sequence in enumerate(sequences):
        if not lengths[index]:
            continue
        kept = np.asarray(sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen], dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(
                f"pad_sequences: the steps of sequence {index} have shape {kept.shape[1:]}, but the first "
                f"non-empty sequence's steps have shape {sample_shape}; every step must have the same shape"
            )
        if padding == "post":
            padded[index, : len(kept)] = kept
        else:
            padded[index, maxlen - len(kept):] = kept
    return padded


def _check_arguments(sequences, maxlen, dtype, padding, truncating, value):
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences expects a list of sequences, got {type(sequences).__name__}")
    if padding not in SIDES:
        raise ValueError(f"pad_sequences: padding must be 'pre' or 'post', got {padding!r}")
    if truncating not in SIDES:
        raise ValueError(f"pad_sequences: truncating must be 'pre' or 'post', got {truncating!r}")
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0):
        raise ValueError(f"pad_sequences: maxlen must be None or an integer >= 0, got {maxlen!r}")
    is_text_dtype = dtype is object or np.issubdtype(np.dtype(dtype), np.str_) \
        or np.issubdtype(np.dtype(dtype), np.bytes_)
    if isinstance(value, str) and not is_text_dtype:
        raise ValueError(
            f"pad_sequences: the padding value {value!r} is a string but dtype is {dtype!r}; "
            "pass dtype=object to pad sequences of strings"
        )


def _lengths_and_sample_shape(sequences):
    """Each sequence's length, and the shape of one step (from the first non-empty sequence)."""
    lengths, sample_shape = [], None
    for index, sequence in enumerate(sequences):
        try:
            lengths.append(len(sequence))
        except TypeError:
            raise ValueError(
                f"pad_sequences expects a list of sequences, but item {index} is {sequence!r} "
                f"({type(sequence).__name__}, which has no length)"
            ) from None
        if sample_shape is None and lengths[-1]:
            sample_shape = np.asarray(sequence).shape[1:]
    return lengths, sample_shape or ()
