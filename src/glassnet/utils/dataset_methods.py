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
asked for, so there is nothing to cache or fetch ahead.
"""

from glassnet.utils.py_dataset import PyDataset


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

    def as_numpy_iterator(self):
        """Iterate over the batches (NumPy arrays already)."""
        return iter(self)


class _Derived(DatasetMethods, PyDataset):
    """A dataset made from ``source``; a new epoch passes on to it (a shuffled source reshuffles)."""

    def __init__(self, source):
        super().__init__()
        self.source = source

    def __len__(self):
        return len(self.source)

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]

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
