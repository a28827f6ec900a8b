"""Batches that come from Python: generators, iterables of batches, and PyDatasets.

Each item is one batch: ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.
A PyDataset is indexed batch by batch (in shuffled order when ``shuffle``),
and its ``on_epoch_end`` is called after each epoch. A generator is read as
it comes; with ``steps_per_epoch`` each epoch takes that many batches from
it, otherwise an epoch lasts until it runs out. Arrays are checked batch by
batch (lengths agree, no NaN), since the whole data is never in hand.
"""

import numpy as np

from glassnet.trainers.data_adapter import check_finite, count_samples, flatten_arrays, map_arrays, to_array


def is_batch_source(x):
    """True for inputs that yield batches (generators, PyDatasets, other iterables), not arrays."""
    from glassnet.utils.py_dataset import PyDataset

    if isinstance(x, PyDataset):
        return True
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict)) or hasattr(x, "__array__") \
            or hasattr(x, "to_numpy"):
        return False
    return hasattr(x, "__iter__") or hasattr(x, "__next__")


def _unpack(batch):
    if isinstance(batch, tuple):
        if len(batch) == 1:
            return batch[0], None, None
        if len(batch) in (2, 3):
            return (batch + (None,))[:3]
        raise ValueError(f"A batch must be x, (x,), (x, y) or (x, y, sample_weight); got a tuple of {len(batch)}")
    return batch, None, None


def _checked(batch):
    """A batch as float32-ready arrays, checked for matching lengths and NaN."""
    x, y, sample_weight = _unpack(batch)
    x = map_arrays(lambda a: to_array(a, "x"), x)
    y = map_arrays(lambda a: to_array(a, "y"), y)
    if sample_weight is not None:
        sample_weight = to_array(sample_weight, "sample_weight").astype("float32")
    count_samples(x, y, sample_weight)
    for array in flatten_arrays(x):
        check_finite(array, "x")
    for array in flatten_arrays(y):
        check_finite(array, "y")
    x = map_arrays(lambda a: a.astype("float32") if a.dtype.kind == "f" and a.dtype != np.float32 else a, x)
    return x, y, sample_weight


class IterableBatches:
    """Batches from a generator, an iterable of batches, or a PyDataset."""

    def __init__(self, source, steps=None, shuffle=False):
        from glassnet.utils.py_dataset import PyDataset

        self.source, self.shuffle = source, shuffle
        self.is_dataset = isinstance(source, PyDataset)
        if self.is_dataset:
            self.steps = len(source) if steps is None else steps
        else:
            self.steps = steps if steps is not None else _length_or_none(source)
        self._iterator = None
        self.exhausted = False
        self._peeked = None

    def first_batch(self):
        """The first batch (kept, and yielded again by the first epoch): for checks before training."""
        if self.is_dataset:
            return _checked(self.source[0])
        if self._peeked is None:
            self._iterator = iter(self.source)
            try:
                self._peeked = _checked(next(self._iterator))
            except StopIteration:
                raise ValueError("The data generator produced no batches") from None
        return self._peeked

    def epoch_batches(self, generator=None):
        if self.is_dataset:
            yield from self._dataset_epoch(generator)
            return
        if self._iterator is None or (self.steps is None and not self._peeked):
            self._iterator = iter(self.source)
        count = 0
        if self._peeked is not None:
            batch, self._peeked = self._peeked, None
            yield batch
            count += 1
        while self.steps is None or count < self.steps:
            try:
                batch = next(self._iterator)
            except StopIteration:
                self.exhausted = True
                return
            yield _checked(batch)
            count += 1

    def _dataset_epoch(self, generator):
        order = np.arange(len(self.source))
        if self.shuffle and generator is not None:
            order = generator.permutation(order)
        for index in order[: self.steps]:
            yield _checked(self.source[int(index)])
        self.source.on_epoch_end()


def _length_or_none(source):
    try:
        return len(source)
    except TypeError:
        return None
