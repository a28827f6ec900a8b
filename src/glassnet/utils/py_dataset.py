"""PyDataset: a dataset that makes its batches on demand (``keras.utils.PyDataset``).

Subclass it, give ``__len__`` (the number of batches) and ``__getitem__(index)``
returning one batch ``(x, y)`` or ``(x, y, sample_weight)``, and pass it to
``fit``/``evaluate``/``predict`` in place of arrays. ``on_epoch_end`` runs
after every epoch. Batches are made in the training process, one at a time:
nothing is forked, so runs stay deterministic.
"""


class PyDataset:
    """Base class for datasets that build each batch when asked for it."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers, self.use_multiprocessing, self.max_queue_size = workers, use_multiprocessing, max_queue_size

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of batches)")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index) returning one batch")

    @property
    def num_batches(self):
        return len(self)

    def on_epoch_end(self):
        """Called after each epoch; override to reshuffle."""


Sequence = PyDataset
