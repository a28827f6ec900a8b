"""``keras.utils.split_dataset``: cut a dataset's samples into a left and a right part (train / test).

The dataset is an array, a tuple or list of arrays of the same length, a
dict of them, or one of glassnet's datasets (its samples, batched or not).
Each part is a dataset of single samples, as Keras' ``tf.data`` splits are:
``left.batch(32)`` batches it, ``len(left)`` counts its samples. With
``shuffle`` the samples are put in the order Python's ``random.shuffle``
gives after ``random.seed(seed)``, which is the order Keras uses.
"""

import numbers
import random

import numpy as np

from glassnet.utils.dataset_methods import DatasetMethods, _split_rows
from glassnet.utils.py_dataset import PyDataset

__all__ = ["split_dataset"]


class SampleDataset(DatasetMethods, PyDataset):
    """A list of samples (arrays, tuples or dicts of arrays) served one at a time."""

    def __init__(self, samples):
        super().__init__()
        self.samples = samples

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        if not 0 <= index < len(self.samples):
            raise IndexError(f"this dataset has {len(self.samples)} samples, got index {index}")
        return self.samples[index]


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None, preferred_backend=None):
    """(left, right): the first ``left_size`` samples and the last ``right_size`` samples.

    A size is a count (int) or a fraction of the samples (float in (0, 1), rounded); one of them may be
    None for "the rest". Both parts must be non-empty and together hold at most all the samples.
    """
    if left_size is None and right_size is None:
        raise ValueError("split_dataset: at least one of `left_size` or `right_size` must be specified, "
                         "received left_size=None and right_size=None")
    samples = _samples(dataset)
    if shuffle:
        random.Random(random.randint(0, int(1e6)) if seed is None else seed).shuffle(samples)
    left, right = _sizes(left_size, right_size, len(samples))
    return SampleDataset(samples[:left]), SampleDataset(samples[len(samples) - right:])


def _samples(dataset):
    if isinstance(dataset, np.ndarray):
        return list(dataset)
    if isinstance(dataset, (tuple, list, dict)):
        parts = list(dataset.values()) if isinstance(dataset, dict) else list(dataset)
        lengths = {len(np.asarray(part)) for part in parts}
        if len(lengths) != 1:
            raise ValueError(f"split_dataset: the arrays of `dataset` must have the same length, received lengths "
                             f"{[len(np.asarray(part)) for part in parts]}")
        structure = dict(dataset) if isinstance(dataset, dict) else tuple(dataset)
        if isinstance(structure, dict):
            structure = {key: np.asarray(value) for key, value in structure.items()}
        else:
            structure = tuple(np.asarray(part) for part in structure)
        return _split_rows(structure)
    if isinstance(dataset, PyDataset):
        return [sample for index in range(len(dataset)) for sample in _split_rows(dataset[index])]
    raise TypeError(f"split_dataset: `dataset` must be an array, a list/tuple/dict of arrays of the same length, "
                    f"or a glassnet dataset, received {type(dataset).__name__}")


def _size(size, name, total):
    """A size as a count: fractions are rounded, counts checked to lie in (0, total)."""
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, numbers.Real):
        raise TypeError(f"split_dataset: `{name}` must be an int, a float or None, received {size!r}")
    if isinstance(size, numbers.Integral):
        if not 0 < size < total:
            raise ValueError(f"split_dataset: `{name}` must be a positive integer smaller than {total}, "
                             f"or a float within [0, 1], received {name}={size}")
        return int(size)
    if not 0 < size < 1:
        raise ValueError(f"split_dataset: `{name}` must be a positive integer smaller than {total}, "
                         f"or a float within [0, 1], received {name}={size}")
    return round(size * total)


def _sizes(left_size, right_size, total):
    if isinstance(left_size, float) and isinstance(right_size, float) and left_size + right_size > 1:
        raise ValueError("split_dataset: the sum of `left_size` and `right_size` must be at most 1, "
                         f"received {left_size} + {right_size}")
    left, right = _size(left_size, "left_size", total), _size(right_size, "right_size", total)
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"split_dataset: left_size + right_size = {left + right} is more than the "
                         f"{total} samples of the dataset")
    if left == 0 or right == 0:
        raise ValueError(f"split_dataset: with {total} samples, left_size={left} and right_size={right} leave "
                         f"the {'left' if left == 0 else 'right'} part empty; adjust the sizes")
    return left, right
