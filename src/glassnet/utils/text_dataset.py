"""text_dataset_from_directory: batches of (texts, labels) read from a folder of .txt files (``keras.utils``).

With ``labels="inferred"`` each subfolder of ``directory`` is a class
(alphabetical order unless ``class_names`` gives it) and every ``.txt`` file
under it, at any depth, is a sample of that class::

    aclImdb/train/neg/0_3.txt, ...    ->  label 0 ("neg")
    aclImdb/train/pos/0_9.txt, ...    ->  label 1 ("pos")

Files are listed per class, each class's files in sorted order; with
``shuffle`` that list is permuted by ``np.random.RandomState(seed)`` (Keras'
order exactly). ``validation_split`` then takes the last
``int(validation_split * n)`` files for ``subset="validation"`` and the rest
for ``"training"``; ``"both"`` returns the two datasets as a list.

Labels: ``"int"`` int32 of shape (batch,), ``"categorical"`` float32 one-hot
(batch, classes), ``"binary"`` float32 (batch, 1) (two classes only), None
for texts alone. Texts are NumPy arrays of ``str``, each file decoded as UTF-8
(undecodable bytes become U+FFFD) and cut to its first ``max_length`` bytes.
Files are read when their batch is asked for. Keras (with TensorFlow) yields
bytes and reshuffles within a buffer of ``8 * batch_size`` files on every
pass; here the training order is reshuffled after each epoch of ``fit``.
The dataset's ``class_names`` attribute lists the classes.
"""

import os

import numpy as np

from glassnet.utils.indexed_batches import IndexedBatches, check_batch_size, draw_seed

NAME = "text_dataset_from_directory"
LABEL_MODES = ("int", "categorical", "binary", None)
SUBSETS = ("training", "validation", "both", None)


class TextDataset(IndexedBatches):
    """Text files and their labels, read a batch at a time."""

    def __init__(self, file_paths, labels, label_mode, num_classes, class_names, max_length, batch_size, shuffle,
                 seed):
        super().__init__(np.arange(len(file_paths)), batch_size, shuffle, seed)
        self.file_paths, self.labels = list(file_paths), labels
        self.label_mode, self.num_classes, self.max_length = label_mode, num_classes, max_length
        self.class_names = class_names

    def make_batch(self, indices):
        texts = np.array([read_text(self.file_paths[i], self.max_length) for i in indices], dtype=str)
        if self.label_mode is None:
            return texts
        return texts, encode_labels(self.labels[indices], self.label_mode, self.num_classes)


def read_text(path, max_length=None):
    """A file's text: its first ``max_length`` bytes (all if None) decoded as UTF-8.

    A multi-byte character cut by ``max_length`` is left out whole.
    """
    with open(path, "rb") as handle:
        data = handle.read() if max_length is None else handle.read(max_length)
    if max_length is not None and len(data) == max_length:
        data = data[: _complete_utf8_length(data)]
    return data.decode("utf-8", errors="replace")


def _complete_utf8_length(data):
    """Length of ``data`` without a trailing, incomplete UTF-8 character."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 != 0x80:  # a lead byte (or ASCII): does its character fit?
            needed = 1 if byte < 0x80 else 2 if byte >> 5 == 0b110 else 3 if byte >> 4 == 0b1110 else 4
            return len(data) if needed <= back else len(data) - back
    return len(data)


def encode_labels(labels, label_mode, num_classes):
    """Integer class indices as Keras' label modes give them."""
    if label_mode == "binary":
        return labels.astype(np.float32)[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[labels]
    return labels.astype(np.int32)


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """A dataset of (texts, labels) batches from ``directory``; see the module docstring."""
    labels, label_mode = _check_arguments(directory, labels, label_mode, class_names, batch_size, max_length,
                                          validation_split, subset, shuffle, seed)
    seed = draw_seed(seed)
    file_paths, labels, class_names = index_directory(directory, labels, class_names, shuffle, seed, follow_links)
    if label_mode in ("categorical", "binary") and len(labels) and labels.max() >= len(class_names):
        raise ValueError(f"{NAME}: with label_mode={label_mode!r} the labels must be 0..{len(class_names) - 1} "
                         f"(one per class), got labels up to {labels.max()}")
    return directory_datasets(
        directory, file_paths, labels, class_names, label_mode, subset, shuffle, validation_split, verbose, NAME,
        ".txt files", lambda paths, part_labels, num_classes, names, shuffled: TextDataset(
            paths, part_labels, label_mode, num_classes, names, max_length, batch_size, shuffled, seed))


def _check_arguments(directory, labels, label_mode, class_names, batch_size, max_length, validation_split, subset,
                     shuffle, seed):
    """Keras' checks; returns ``labels`` and ``label_mode`` (both None when either is)."""
    if not os.path.isdir(directory):
        raise ValueError(f"{NAME}: directory {str(directory)!r} does not exist or is not a folder")
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple, np.ndarray)):
            raise ValueError(f"{NAME}: labels must be 'inferred', None, or a list of integer labels (one per "
                             f".txt file, in sorted path order), got {labels!r}")
        if class_names:
            raise ValueError(f"{NAME}: class_names can only be given with labels='inferred', got labels={labels!r}")
    if label_mode not in LABEL_MODES:
        raise ValueError(f"{NAME}: label_mode must be one of 'int', 'categorical', 'binary' or None, "
                         f"got {label_mode!r}")
    check_batch_size(batch_size, NAME)
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer))
                                   or max_length < 0):
        raise ValueError(f"{NAME}: max_length must be None or an integer >= 0, got {max_length!r}")
    check_validation_split(validation_split, subset, shuffle, seed)
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode


def check_validation_split(validation_split, subset, shuffle, seed, function=NAME):
    """``validation_split`` and ``subset`` go together; shuffled splits need a seed so that they do not overlap."""
    NAME = function  # the messages name the caller
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"{NAME}: validation_split must be between 0 and 1, got {validation_split}")
    if bool(validation_split) != bool(subset):
        raise ValueError(f"{NAME}: subset and validation_split go together (one is set, the other not): got "
                         f"subset={subset!r}, validation_split={validation_split!r}")
    if subset not in SUBSETS:
        raise ValueError(f"{NAME}: subset must be 'training', 'validation', 'both' or None, got {subset!r}")
    if validation_split and shuffle and seed is None:
        raise ValueError(f"{NAME}: with validation_split and shuffle=True, give a seed, so that the training and "
                         "validation subsets are drawn from the same order and do not overlap")


def index_directory(directory, labels, class_names, shuffle, seed, follow_links, extensions=(".txt",), function=NAME):
    """``(file_paths, labels, class_names)`` in Keras' order (per class, sorted; then permuted when shuffle).

    Only files whose names end with one of ``extensions`` (any case) count.
    """
    NAME = function  # the messages name the caller
    if labels == "inferred":
        folders = sorted(name for name in os.listdir(directory)
                         if os.path.isdir(os.path.join(directory, name)) and not name.startswith("."))
        if class_names is not None:
            if not set(class_names) <= set(folders):
                raise ValueError(f"{NAME}: class_names must be subfolders of {directory}: expected some of "
                                 f"{folders}, got {list(class_names)}")
            folders = list(class_names)
        class_names = folders
    else:
        if class_names is not None:
            raise ValueError(f"{NAME}: class_names can only be given with labels='inferred'")
        folders = [""]
    file_paths, found_labels = [], []
    for index, folder in enumerate(folders):
        paths = list(_text_files(os.path.join(directory, folder), follow_links, extensions))
        file_paths += paths
        found_labels += [index] * len(paths)
    labels, class_names = _labels_for(labels, found_labels, class_names, len(file_paths), directory, function)
    if shuffle:
        order = np.arange(len(file_paths))
        np.random.RandomState(seed).shuffle(order)
        file_paths = [file_paths[i] for i in order]
        labels = None if labels is None else labels[order]
    return file_paths, labels, class_names


def _labels_for(labels, found_labels, class_names, count, directory, function=NAME):
    NAME = function  # the messages name the caller
    if labels == "inferred":
        return np.array(found_labels, dtype=np.int64), class_names
    if labels is None:
        return None, None
    if len(labels) != count:
        kind = "image" if NAME.startswith("image") else ".txt"
        raise ValueError(f"{NAME}: labels has {len(labels)} entries but {directory} holds {count} {kind} files; "
                         "give one label per file, in sorted path order")
    labels = np.asarray(labels)
    class_names = [str(label) for label in sorted(set(labels.tolist()))]
    if labels.dtype.kind not in "iu" or (len(labels) and labels.min() < 0):
        raise ValueError(f"{NAME}: labels must be integers >= 0, got {labels.dtype} values {class_names}")
    return labels.astype(np.int64), class_names


def _text_files(folder, follow_links, extensions=(".txt",)):
    """The files named ``*<extension>`` under ``folder``, folder by folder in sorted order, names sorted within each."""
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda entry: entry[0]):
        for name in sorted(files):
            if name.lower().endswith(extensions):
                yield os.path.join(root, name)


def split(file_paths, labels, validation_split, subset, verbose=False):
    """The training (all but the last ``int(validation_split * n)``) or validation (those last) files."""
    if not validation_split:
        return file_paths, labels
    held_out = int(validation_split * len(file_paths))
    cut = len(file_paths) - held_out
    part = slice(None, cut) if subset == "training" else slice(cut, None)
    if verbose:
        print(f"Using {cut if subset == 'training' else held_out} files for {subset}.")
    return file_paths[part], None if labels is None else labels[part]


def directory_datasets(directory, file_paths, labels, class_names, label_mode, subset, shuffle, validation_split,
                       verbose, function, files_named, make):
    """What every ``*_dataset_from_directory`` does once its files are indexed, and the dataset(s) of ``subset``.

    Checks that "binary" has two classes, prints Keras' "Found ..." line, and builds each part with
    ``make(paths, labels, num_classes, class_names, shuffled)`` (class names None when there are no labels);
    ``subset="both"`` gives ``[training, validation]``, the validation part unshuffled.
    """
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f"{function}: label_mode='binary' needs exactly 2 classes, got {len(class_names)}: "
                         f"{class_names}; use label_mode='int' or 'categorical'")
    if verbose:
        described = f"{len(file_paths)} files" if labels is None else \
            f"{len(file_paths)} files belonging to {len(class_names)} classes"
        print(f"Found {described}.")
    num_classes = len(class_names) if class_names else 0

    def dataset(part, shuffled):
        paths, part_labels = split(file_paths, labels, validation_split, part, verbose)
        if not paths:
            raise ValueError(f"{function}: no {part + ' ' if part else ''}{files_named} in {directory}")
        return make(paths, part_labels, num_classes, class_names if labels is not None else None, shuffled)

    if subset == "both":
        return [dataset("training", shuffle), dataset("validation", False)]
    return dataset(subset, shuffle)
