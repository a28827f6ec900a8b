"""CIFAR-10 and CIFAR-100: 32x32 colour images, read from the "python version" archives Keras downloads.

Each archive member is a pickled dict (``data``: uint8 rows of 3072 values,
red plane then green then blue; labels as a list). Pickle can run code, so
the members are read by an unpickler that accepts nothing but the few NumPy
names an array needs: a tampered archive raises instead of running anything.
The archive is read in place (no extraction); downloads are SHA-256 checked.
"""

import io
import os
import pickle

import numpy as np

from glassnet import config
from glassnet.datasets.download import get_file

BASE = "https://www.cs.toronto.edu/~kriz/"
_ARRAY_NAMES = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
}


class _ArraysOnly(pickle.Unpickler):
    """An unpickler that builds dicts, lists, bytes, numbers and NumPy arrays, and refuses every other name."""

    def find_class(self, module, name):
        if (module, name) in _ARRAY_NAMES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"CIFAR archive member refers to {module}.{name}; only NumPy arrays are allowed")


def read_member(archive, member_name, label_key):
    """``(images (N, 3, 32, 32) uint8, labels (N,) uint8)`` from one pickled member of an open tar archive."""
    try:
        handle = archive.extractfile(member_name)
    except KeyError:
        raise ValueError(f"{archive.name}: no member {member_name!r}; is this the CIFAR python-version archive?") \
            from None
    try:
        batch = _ArraysOnly(io.BytesIO(handle.read()), encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError) as error:
        raise ValueError(f"{archive.name}: member {member_name!r} is not a CIFAR batch ({error})") from None
    batch = {key.decode("utf8") if isinstance(key, bytes) else key: value for key, value in batch.items()}
    images = np.asarray(batch.get("data"), dtype=np.uint8)
    labels = np.asarray(batch.get(label_key), dtype=np.uint8)
    if images.ndim != 2 or images.shape[1] != 3072 or labels.shape != (len(images),):
        raise ValueError(f"{archive.name}: member {member_name!r} holds data {images.shape} and labels "
                         f"{labels.shape}; expected (N, 3072) and (N,)")
    return images.reshape(-1, 3, 32, 32), labels


def load_archive(file_name, sha256, members, label_key):
    """Images and labels of ``members`` (a dict part -> member names), in Keras' layout and dtype."""
    import tarfile

    path = get_file(file_name, BASE + file_name, sha256, alternatives=(os.path.join("raw", file_name),))
    parts = {}
    with tarfile.open(path, "r:gz") as archive:
        for part, names in members.items():
            read = [read_member(archive, name, label_key) for name in names]
            images = np.concatenate([images for images, _ in read])
            labels = np.concatenate([labels for _, labels in read]).reshape(-1, 1)
            if config.image_data_format() == "channels_last":
                images = images.transpose(0, 2, 3, 1)
            parts[part] = (np.ascontiguousarray(images), labels)
    return parts["train"], parts["test"]
