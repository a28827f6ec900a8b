"""From arrays in memory to batches: validation split, shuffling, slicing.

The arrays were read and checked as a whole before (``data.read_arrays``).
Batches are taken by index into buffers allocated once and reused, so an
epoch allocates (almost) nothing and never copies the whole dataset; float
arrays are cast to ``floatx`` batch by batch (``data.floatx_dtype``).
"""

import math

import numpy as np

from glassnet.trainers.data import count_samples, floatx_dtype, map_arrays


def train_validation_split(arrays, validation_split):
    """Split off the last ``validation_split`` share of samples, before any shuffling (as Keras)."""
    x, y, sample_weight = arrays
    total = count_samples(x, y, sample_weight)
    split_at = int(math.floor(total * (1.0 - validation_split)))
    if split_at == 0 or split_at == total:
        raise ValueError(
            f"validation_split={validation_split} leaves {split_at} training and {total - split_at} validation "
            f"samples out of {total}; choose a split that leaves both non-empty"
        )
    head = map_arrays(lambda a: a[:split_at], arrays)
    tail = map_arrays(lambda a: a[split_at:], arrays)
    return head, tail


class ArrayBatches:
    """Batches of (x, y, sample_weight) from in-memory arrays.

    ``epoch_batches(generator)`` yields one epoch, shuffled with the given
    generator when ``shuffle`` is set; the last, smaller batch is kept.
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False):
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.num_samples = count_samples(x, y, sample_weight)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.steps = math.ceil(self.num_samples / batch_size)
        self._buffers = {}

    def _take(self, array, index, key):
        """``array[index]`` (floats as float32) written into a reused buffer."""
        dtype = floatx_dtype(array)
        cast = dtype != array.dtype
        if isinstance(index, slice):
            part = array[index]
            return part.astype(dtype) if cast else part
        buffer = self._buffers.get(key)
        if buffer is None or buffer.shape[1:] != array.shape[1:] or buffer.dtype != dtype:
            buffer = self._buffers[key] = np.empty((self.batch_size,) + array.shape[1:], dtype=dtype)
        out = buffer[: len(index)]
        if cast:
            out[...] = array[index]
        else:
            np.take(array, index, axis=0, out=out)
        return out

    def _slice(self, structure, index, prefix):
        if structure is None:
            return None
        if isinstance(structure, (list, tuple)):
            return type(structure)(self._slice(s, index, f"{prefix}{i}.") for i, s in enumerate(structure))
        if isinstance(structure, dict):
            return {k: self._slice(v, index, f"{prefix}{k}.") for k, v in structure.items()}
        return self._take(structure, index, prefix)

    def epoch_batches(self, generator=None):
        """Yield ``(x, y, sample_weight)`` batches covering every sample once."""
        order = generator.permutation(self.num_samples) if self.shuffle and generator is not None else None
        size = self.batch_size
        for start in range(0, self.num_samples, size):
            index = slice(start, start + size) if order is None else order[start:start + size]
            yield (self._slice(self.x, index, "x"), self._slice(self.y, index, "y"),
                   self._slice(self.sample_weight, index, "w"))
