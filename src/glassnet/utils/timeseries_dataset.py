"""timeseries_dataset_from_array: sliding windows over a series, in batches (``keras.utils``).

With ``s = start_index`` (default 0), ``e = end_index`` (default ``len(data)``),
window length ``L``, sampling rate ``r`` and stride ``k``:

- number of windows ``n = e - s - (L - 1) r``, capped at ``len(targets)``;
- window starts ``p = 0, k, 2k, ... < n`` (relative to ``s``), permuted by
  ``np.random.RandomState(seed).shuffle`` when ``shuffle``;
- window ``p`` is ``data[s + p], data[s + p + r], ..., data[s + p + (L - 1) r]``
  and its target ``targets[s + p]``.

The result is a ``PyDataset``: ``fit``/``evaluate``/``predict`` take it as it
is, and iterating it gives NumPy batches ``(x, y)`` (``x`` alone when
``targets`` is None), ``x`` of shape ``(batch, L) + data.shape[1:]``, in the
dtype of ``data``. Batches are gathered when asked for, so the windows are
never all in memory at once. Keras (with TensorFlow) also reshuffles within a
buffer of ``8 * batch_size`` windows on every pass; here, with ``shuffle``,
the whole order is reshuffled after each epoch of ``fit``, from the same seed.
"""

import numpy as np

from glassnet.utils.indexed_batches import IndexedBatches, check_batch_size, draw_seed

NAME = "timeseries_dataset_from_array"


class TimeseriesDataset(IndexedBatches):
    """Windows of ``data`` starting at ``start_index + order[i]``, with their targets."""

    def __init__(self, data, targets, starts, sequence_length, sampling_rate, start_index, batch_size, shuffle,
                 seed):
        super().__init__(starts, batch_size, shuffle, seed)
        self.data, self.targets, self.start_index = data, targets, start_index
        self.offsets = np.arange(sequence_length) * sampling_rate

    def make_batch(self, starts):
        first_steps = self.start_index + starts
        windows = self.data[first_steps[:, None] + self.offsets]
        if self.targets is None:
            return windows
        return windows, self.targets[first_steps]


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1, batch_size=128,
                                  shuffle=False, seed=None, start_index=None, end_index=None):
    """A dataset of sliding windows over ``data`` (axis 0 is time); see the module docstring.

    >>> ds = timeseries_dataset_from_array(np.arange(10), None, sequence_length=3, sequence_stride=4)
    >>> next(iter(ds)).tolist()
    [[0, 1, 2], [4, 5, 6]]
    """
    data = _as_series(data, "data")
    targets = None if targets is None else _as_series(targets, "targets")
    _check_arguments(len(data), sequence_length, sequence_stride, sampling_rate, batch_size, start_index, end_index)
    start = start_index or 0
    end = len(data) if end_index is None else end_index
    count = _window_count(start, end, sequence_length, sampling_rate, targets)
    starts = np.arange(0, count, sequence_stride)
    if shuffle:
        seed = draw_seed(seed)
        np.random.RandomState(seed).shuffle(starts)
    return TimeseriesDataset(data, targets, starts, sequence_length, sampling_rate, start, batch_size, shuffle, seed)


def _as_series(values, name):
    """A NumPy array with a time axis (pandas objects and lists accepted)."""
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    array = np.asarray(values)
    if array.ndim == 0:
        raise ValueError(f"{NAME}: {name} must be an array whose first axis is time, got a scalar {array!r}")
    if array.dtype == object:
        raise ValueError(f"{NAME}: {name} must hold numbers, got an array of Python objects (shape {array.shape})")
    return array


def _positive_int(value, name, limit=None):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{NAME}: {name} must be a positive integer, got {value!r}")
    if limit is not None and value >= limit:
        raise ValueError(f"{NAME}: {name} must be lower than the length of the data ({limit}), got {value}")


def _check_arguments(length, sequence_length, sequence_stride, sampling_rate, batch_size, start_index, end_index):
    """Keras' checks, with the messages saying what was expected."""
    _positive_int(sequence_length, "sequence_length")
    _positive_int(sequence_stride, "sequence_stride", length)
    _positive_int(sampling_rate, "sampling_rate", length)
    check_batch_size(batch_size, NAME)
    for name, value in (("start_index", start_index), ("end_index", end_index)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer))):
            raise ValueError(f"{NAME}: {name} must be an integer or None, got {value!r}")
    if start_index is not None and not 0 <= start_index < length:
        raise ValueError(f"{NAME}: start_index must be in [0, {length}) (data has {length} steps), got {start_index}")
    if end_index is not None:
        if not 0 < end_index < length:
            raise ValueError(f"{NAME}: end_index must be in (0, {length}) (data has {length} steps; leave it None "
                             f"to use them all), got {end_index}")
        if start_index and end_index <= start_index:
            raise ValueError(f"{NAME}: end_index ({end_index}) must be higher than start_index ({start_index})")


def _window_count(start, end, sequence_length, sampling_rate, targets):
    """``end - start - (L - 1) r`` windows, capped at ``len(targets)``; an error if none fits or a target is missing."""
    span = (sequence_length - 1) * sampling_rate + 1
    count = end - start - span + 1
    if count <= 0:
        raise ValueError(
            f"{NAME}: a window of sequence_length={sequence_length} steps sampled every {sampling_rate} spans {span} "
            f"steps, but the data from start_index={start} to end_index={end} has only {end - start}; "
            "shorten the window or give more data"
        )
    if targets is None:
        return count
    count = min(count, len(targets))
    if start + count > len(targets):
        raise ValueError(
            f"{NAME}: targets has {len(targets)} entries, but with start_index={start} the windows need "
            f"targets[{start}] to targets[{start + count - 1}]; targets[i] must be the target of the window that "
            "starts at data[i] (pass targets as long as data)"
        )
    return count
