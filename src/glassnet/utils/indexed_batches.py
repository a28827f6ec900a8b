"""IndexedBatches: a PyDataset that serves samples in a stored order, ``batch_size`` at a time.

The base of the datasets built by ``timeseries_dataset_from_array`` and
``text_dataset_from_directory``. A subclass says how to make the batch of
some sample indices (``make_batch``); this class slices the order into
batches, iterates, and, when ``shuffle``, reshuffles the order after each
epoch with its own seeded ``RandomState`` (so a seed repeats every epoch's
order). With ``batch_size=None`` each item is one sample, without a batch axis.
"""

import math

import numpy as np

from glassnet.random import global_generator
from glassnet.utils.dataset_methods import DatasetMethods
from glassnet.utils.py_dataset import PyDataset


class IndexedBatches(DatasetMethods, PyDataset):
    """Samples ``order[0], order[1], ...`` in batches of ``batch_size`` (the last may be smaller)."""

    def __init__(self, order, batch_size, shuffle=False, seed=None):
        super().__init__()
        self.order = np.asarray(order)
        self.batch_size, self.reshuffles = batch_size, shuffle
        self._rng = np.random.RandomState(seed) if shuffle else None

    def make_batch(self, indices):
        """The batch of the samples ``indices`` (a 1-D integer array): ``x`` or ``(x, y)``."""
        raise NotImplementedError(f"{type(self).__name__} must define make_batch(indices)")

    def __len__(self):
        if self.batch_size is None:
            return len(self.order)
        return math.ceil(len(self.order) / self.batch_size)

    def __getitem__(self, index):
        if not isinstance(index, (int, np.integer)) or not 0 <= index < len(self):
            raise IndexError(f"{type(self).__name__} has {len(self)} batches (0..{len(self) - 1}), got index {index!r}")
        if self.batch_size is None:
            batch = self.make_batch(self.order[index: index + 1])
            return tuple(part[0] for part in batch) if isinstance(batch, tuple) else batch[0]
        return self.make_batch(self.order[index * self.batch_size: (index + 1) * self.batch_size])

    def on_epoch_end(self):
        """Reshuffle the samples for the next epoch (when ``shuffle``)."""
        if self.reshuffles:
            self._rng.shuffle(self.order)


def check_batch_size(batch_size, function):
    """Raise unless ``batch_size`` is None or a positive integer."""
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
                                   or batch_size < 1):
        raise ValueError(f"{function}: batch_size must be a positive integer or None, got {batch_size!r}")


def draw_seed(seed):
    """``seed``, or when None one drawn from glassnet's global generator (so ``set_random_seed`` fixes it)."""
    if seed is None:
        return int(global_generator().integers(1_000_000))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer or None, got {seed!r}")
    return int(seed)
