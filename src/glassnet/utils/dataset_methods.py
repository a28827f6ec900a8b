"""The ``tf.data`` methods that Keras tutorials call on the datasets Keras' utilities return.

``text_dataset_from_directory`` and ``timeseries_dataset_from_array`` return
``tf.data.Dataset`` objects in Keras; the guides then write, for example::

    train_ds = train_ds.map(lambda x, y: (vectorize_layer(x), y))
    train_ds = train_ds.cache().prefetch(buffer_size=10)
    for texts, labels in train_ds.take(1): ...

glassnet's datasets are PyDatasets of NumPy batches; these methods give them
the same vocabulary. ``map`` applies a function to every batch (to its
elements as separate arguments, as ``tf.data`` does), ``take(n)`` keeps the
first n batches, ``as_numpy_iterator`` iterates the batches. ``cache`` and
``prefetch`` return the dataset itself: its batches are built from memory when
asked for, so there is nothing to cache or fetch ahead. ``unbatch`` serves the
samples one at a time, ``batch(n)`` groups elements n at a time, and
``shuffle`` serves the elements in a new seeded order each epoch.

Iterating (``for x, y in dataset``) gives arrays that also answer ``.numpy()``,
the call tutorials make on each ``tf.Tensor`` of a batch.
"""

import numpy as np

from glassnet.random import global_generator
from glassnet.utils.py_dataset import PyDataset


class EagerArray(np.ndarray):
    """A NumPy array that also has ``tf.Tensor``'s ``numpy()`` (it returns the plain array)."""

    def numpy(self):
        return np.asarray(self)


def _answering_numpy(item):
    """``item`` with every array in it viewed as an EagerArray."""
    if isinstance(item, np.ndarray):
        return item.view(EagerArray)
    if isinstance(item, tuple):
        return tuple(_answering_numpy(part) for part in item)
    if isinstance(item, list):
        return [_answering_numpy(part) for part in item]
    if isinstance(item, dict):
        return {key: _answering_numpy(value) for key, value in item.items()}
    return item


def _is_count(value, least):
    return not isinstance(value, bool) and isinstance(value, (int, np.integer)) and value >= least


class DatasetMethods:
    """Mixin for batch datasets (``__len__``, ``__getitem__``, ``on_epoch_end``)."""

    def map(self, function, num_parallel_calls=None, deterministic=None, name=None):
        """A dataset whose batches are ``function(*batch)`` (``function(batch)`` for a batch that is not a tuple)."""
        if not callable(function):
            raise ValueError(f"map expects a function, got {function!r}")
        return MappedBatches(self, function)

    def take(self, count, name=None):
        """The first ``count`` batches (all of them when ``count`` is -1)."""
        if isinstance(count, bool) or not isinstance(count, int) or count < -1:
            raise ValueError(f"take expects a number of batches >= 0 (or -1 for all), got {count!r}")
        return TakenBatches(self, len(self) if count == -1 else min(count, len(self)))

    def cardinality(self):
        """The number of batches (tf.data's name for it)."""
        return len(self)

    def cache(self, filename="", name=None):
        """The dataset itself: its batches are built from memory already."""
        return self

    def prefetch(self, buffer_size=None, name=None):
        """The dataset itself: batches are built when asked for."""
        return self

    def unbatch(self, name=None):
        """The samples one at a time: each batch split along its first axis."""
        return UnbatchedElements(self)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None, name=None):
        """Elements grouped ``batch_size`` at a time (stacked on a new first axis)."""
        if not _is_count(batch_size, 1):
            raise ValueError(f"batch expects a positive number of elements, got {batch_size!r}")
        return BatchedElements(self, int(batch_size), bool(drop_remainder))

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """The elements in a random order, a new one each epoch (one order when not ``reshuffle_each_iteration``).

        The order is a permutation of all the elements, which a ``buffer_size`` at least the dataset's size
        gives in ``tf.data``; glassnet's datasets are in memory, so the buffer costs nothing.
        """
        if not _is_count(buffer_size, 1):
            raise ValueError(f"shuffle expects a buffer_size >= 1, got {buffer_size!r}")
        return ShuffledElements(self, seed, reshuffle_each_iteration)

    def __iter__(self):
        for index in range(len(self)):
            yield _answering_numpy(self[index])

    def as_numpy_iterator(self):
        """Iterate over the batches as plain NumPy arrays."""
        return (self[index] for index in range(len(self)))


class _Derived(DatasetMethods, PyDataset):
    """A dataset made from ``source``; a new epoch passes on to it (a shuffled source reshuffles)."""

    def __init__(self, source):
        super().__init__()
        self.source = source

    def __len__(self):
        return len(self.source)

    def on_epoch_end(self):
        self.source.on_epoch_end()


class MappedBatches(_Derived):
    def __init__(self, source, function):
        super().__init__(source)
        self.function = function

    def __getitem__(self, index):
        batch = self.source[index]
        return self.function(*batch) if isinstance(batch, tuple) else self.function(batch)


class TakenBatches(_Derived):
    def __init__(self, source, count):
        super().__init__(source)
        self.count = count

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        if not 0 <= index < self.count:
            raise IndexError(f"this dataset has {self.count} batches, got index {index}")
        return self.source[index]


def _split_rows(batch):
    """The samples of one batch: ``batch`` (an array or a tuple of arrays) cut along its first axis."""
    if isinstance(batch, tuple):
        return list(zip(*(_split_rows(part) for part in batch)))
    if isinstance(batch, dict):
        keys = list(batch)
        return [dict(zip(keys, row)) for row in zip(*(_split_rows(batch[key]) for key in keys))]
    return list(np.asarray(batch))


def _stack(elements):
    """One batch from a list of elements of the same structure."""
    first = elements[0]
    if isinstance(first, tuple):
        return tuple(_stack([element[i] for element in elements]) for i in range(len(first)))
    if isinstance(first, dict):
        return {key: _stack([element[key] for element in elements]) for key in first}
    return np.stack([np.asarray(element) for element in elements])


class UnbatchedElements(_Derived):
    """Each sample of the source's batches as its own element."""

    def __init__(self, source):
        super().__init__(source)
        self._where = None  # element index -> (batch index, row), found on first use

    def _locate(self):
        if self._where is None:
            self._where = [(batch, row) for batch in range(len(self.source))
                           for row in range(len(_split_rows(self.source[batch])))]
        return self._where

    def __len__(self):
        return len(self._locate())

    def __getitem__(self, index):
        where = self._locate()
        if not 0 <= index < len(where):
            raise IndexError(f"this dataset has {len(where)} elements, got index {index}")
        batch, row = where[index]
        return _split_rows(self.source[batch])[row]

    def on_epoch_end(self):
        super().on_epoch_end()
        self._where = None  # a reshuffled source may cut its batches differently


class BatchedElements(_Derived):
    """The source's elements stacked ``batch_size`` at a time."""

    def __init__(self, source, batch_size, drop_remainder):
        super().__init__(source)
        self.batch_size, self.drop_remainder = batch_size, drop_remainder

    def __len__(self):
        whole, rest = divmod(len(self.source), self.batch_size)
        return whole + (1 if rest and not self.drop_remainder else 0)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"this dataset has {len(self)} batches, got index {index}")
        start = index * self.batch_size
        return _stack([self.source[i] for i in range(start, min(start + self.batch_size, len(self.source)))])


class ShuffledElements(_Derived):
    """The source's elements in a seeded random order, redrawn after each epoch when asked to."""

    def __init__(self, source, seed, reshuffle_each_iteration):
        super().__init__(source)
        seed = int(global_generator().integers(1_000_000)) if seed is None else seed
        self._rng = np.random.RandomState(seed)
        self.reshuffle_each_iteration = reshuffle_each_iteration
        self._order = self._rng.permutation(len(source))

    def __getitem__(self, index):
        if not 0 <= index < len(self._order):
            raise IndexError(f"this dataset has {len(self._order)} elements, got index {index}")
        return self.source[int(self._order[index])]

    def on_epoch_end(self):
        super().on_epoch_end()
        if self.reshuffle_each_iteration:
            self._order = self._rng.permutation(len(self.source))
