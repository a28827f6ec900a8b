"""Batches that come from Python: generators, iterables of batches, and PyDatasets.

Each item is one batch: ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.
A PyDataset is indexed batch by batch (in shuffled order when ``shuffle``),
and its ``on_epoch_end`` is called after each epoch. A generator is read as
it comes; with ``steps_per_epoch`` each epoch takes that many batches from
it, otherwise an epoch lasts until it runs out. A re-iterable source (a
torch ``DataLoader``, any iterable that is not an iterator) starts a new pass when an epoch
finds it at its end.

The whole data is never in hand, so every batch is read and checked as it
comes (``data.read_batch``: dtypes, lengths, NaN, the float cast), and its
targets are checked by ``check_targets`` (set by the trainer once the
model's outputs are known: label ranges and shapes, against each loss and
metric).
"""

import numpy as np

from glassnet.trainers.data import read_batch


def is_batch_source(x):
    """True for inputs that yield batches (generators, PyDatasets, other iterables), not arrays."""
    from glassnet.utils.py_dataset import PyDataset

    if isinstance(x, PyDataset):
        return True
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict)) or hasattr(x, "__array__") \
            or hasattr(x, "to_numpy"):
        return False
    return hasattr(x, "__iter__") or hasattr(x, "__next__")


class IterableBatches:
    """Batches from a generator, an iterable of batches, or a PyDataset."""

    def __init__(self, source, steps=None, shuffle=False, strings=False):
        from glassnet.utils.py_dataset import PyDataset

        self.source, self.shuffle, self.strings = source, shuffle, strings  # strings: x may hold text
        self.is_dataset = isinstance(source, PyDataset)
        if self.is_dataset:
            self.steps = len(source) if steps is None else steps
        else:
            self.steps = steps if steps is not None else _length_or_none(source)
        self._iterator = None
        self.exhausted = False
        self._peeked = None
        self.check_targets = None  # y -> None or raise, for every batch after the first

    def _checked(self, batch):
        x, y, sample_weight = read_batch(batch, self.strings)
        if self.check_targets is not None:
            if y is None:
                raise ValueError("A batch of the data source has no targets, but the first batch had them and the "
                                 "loss needs them: every batch must be (x, y) or (x, y, sample_weight)")
            self.check_targets(y)
        return x, y, sample_weight

    def first_batch(self):
        """The first batch (kept, and yielded again by the first epoch): for checks before training."""
        if self.is_dataset:
            return read_batch(self.source[0], self.strings)
        if self._peeked is None:
            self._iterator = iter(self.source)
            try:
                self._peeked = read_batch(next(self._iterator), self.strings)
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
                if count == 0 and not hasattr(self.source, "__next__"):
                    # a re-iterable source (a torch DataLoader, any iterable that is not an iterator) whose last pass ended exactly
                    # at the previous epoch's end: start a new pass, as Keras does
                    self._iterator = iter(self.source)
                    try:
                        batch = next(self._iterator)
                    except StopIteration:
                        self.exhausted = True
                        return
                else:
                    self.exhausted = True
                    return
            yield self._checked(batch)
            count += 1

    def _dataset_epoch(self, generator):
        order = np.arange(len(self.source))
        if self.shuffle and generator is not None:
            order = generator.permutation(order)
        for index in order[: self.steps]:
            yield self._checked(self.source[int(index)])
        self.source.on_epoch_end()


def _length_or_none(source):
    try:
        return len(source)
    except TypeError:
        return None
