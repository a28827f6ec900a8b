"""From the arrays given to ``fit`` to batches: checks, validation split, shuffling.

Everything is checked once, before training starts: that x, y and
sample_weight have the same number of samples, that nothing is empty, that
floating inputs hold no NaN or infinity. Batches are taken by index into
buffers allocated once and reused, so an epoch allocates (almost) nothing
and never copies the whole dataset; float inputs are cast to float32 batch
by batch.
"""

import math

import numpy as np

from glassnet import config
from glassnet.autodiff.tensor import Tensor


def flatten_arrays(structure):
    """The arrays of x or y, which may be one array, a list/tuple or a dict of them."""
    if structure is None:
        return []
    if isinstance(structure, (list, tuple)):
        return [a for item in structure for a in flatten_arrays(item)]
    if isinstance(structure, dict):
        return [a for key in structure for a in flatten_arrays(structure[key])]
    return [structure]


def map_arrays(fn, structure):
    """Apply ``fn`` to every array of a (nested) structure."""
    if structure is None:
        return None
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_arrays(fn, item) for item in structure)
    if isinstance(structure, dict):
        return {key: map_arrays(fn, value) for key, value in structure.items()}
    return fn(structure)


def to_array(value, name):
    """A NumPy array from an array-like (pandas objects included), or a clear error."""
    if isinstance(value, Tensor):
        return value.numpy()
    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise ValueError(f"{name} could not be read as an array: {error}") from None
    if array.dtype == object:
        raise ValueError(
            f"{name} must hold numbers, got an array of Python objects (shape {array.shape}); "
            "are the samples of different lengths? Pad them to one length first"
        )
    return array


def check_finite(array, name):
    """Raise if a float array holds NaN or infinity, naming the first bad sample."""
    if array.dtype.kind not in "fc":
        return
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.sum(array, dtype=np.float64)):
            return
    bad = ~np.isfinite(array.reshape(len(array), -1)).all(axis=1) if array.ndim else ~np.isfinite(array)
    if not bad.any():
        return  # the sum overflowed but every value is finite
    first = int(np.argmax(bad))
    kind = "NaN" if np.isnan(array).any() else "infinite"
    raise ValueError(
        f"{name} contains {kind} values ({int(bad.sum())} samples, the first at index {first}). "
        "Training on them gives a NaN loss; remove or impute them first"
    )


def count_samples(x, y, sample_weight):
    """The common number of samples, or an error naming the lengths that differ."""
    lengths = {}
    for name, structure in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        for array in flatten_arrays(structure):
            if array.ndim == 0:
                raise ValueError(f"{name} must have a batch axis, got a scalar")
            lengths.setdefault(name, set()).add(len(array))
    sizes = {n for group in lengths.values() for n in group}
    if len(sizes) > 1:
        described = ", ".join(f"{name} has {sorted(group)[0] if len(group) == 1 else sorted(group)} samples"
                              for name, group in lengths.items())
        raise ValueError(f"x and y must have the same number of samples: {described}")
    if not sizes or sizes == {0}:
        raise ValueError("Received empty input: x has 0 samples. fit/evaluate/predict need at least one sample")
    return sizes.pop()


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
        floatx = config.floatx()
        cast = array.dtype.kind == "f" and array.dtype.name != floatx
        if isinstance(index, slice):
            part = array[index]
            return part.astype(floatx) if cast else part
        dtype = floatx if cast else array.dtype
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
