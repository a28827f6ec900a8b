"""IMDB movie reviews, sentiment-labelled (1 = positive, 0 = negative): 25,000 + 25,000, as word indices.

``load_data()`` returns ``(x_train, y_train), (x_test, y_test)`` exactly as
``keras.datasets.imdb.load_data()`` does: ``x`` is a 1-D object array of
Python lists of ints, ``y`` an int64 array. Starting from the raw word ranks
``r`` (1 = the most frequent word in the training reviews), in this order:

1. shuffle: one ``np.random.RandomState(seed)`` permutes the training rows,
   then (the same generator, continuing) the test rows;
2. each review becomes ``[start_char] + [r + index_from for r in review]``
   (no start character when ``start_char`` is None);
3. with ``maxlen``, reviews of ``maxlen`` or more indices (start character
   included) are dropped, labels with them;
4. every index ``w`` outside ``skip_top <= w < num_words`` (``num_words``
   defaulting to the largest index present) becomes ``oov_char``, or is
   dropped when ``oov_char`` is None. The start character is an index like
   the others here: ``skip_top > start_char`` replaces it too, as in Keras.

glassnet never unpickles: Keras' ``imdb.npz`` stores object arrays, which
only load with pickle, so glassnet reads its pickle-free twin
``imdb_tokens.npz`` (the same rows and values): ``{split}_tokens`` (int32,
all reviews one after another), ``{split}_offsets`` (int64, review ``i`` is
``tokens[offsets[i]:offsets[i + 1]]``) and ``y_{split}``, for ``split`` in
``x_train``/``x_test``.

Andrew L. Maas et al., *Learning Word Vectors for Sentiment Analysis*, ACL 2011.
"""

import numpy as np

from glassnet.datasets.download import DatasetNotFoundError, find_file, get_file, search_dirs

TOKENS_FILE = "imdb_tokens.npz"
TOKENS_SHA256 = "d025eebb014fdf05f91ef9ff1837bb95cb5a9aed67d8e1898f6dd58037bd591f"
WORD_INDEX_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json"
WORD_INDEX_SHA256 = "027313fe9a320280f3bf0fac5baf58c4a683cf39a7ed9c3d3d3912bde4284cf6"
SPLITS = ("train", "test")


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3, **kwargs):
    """Return ``(x_train, y_train), (x_test, y_test)`` as Keras does; see the module docstring.

    ``path`` names the file in the dataset folders; the default ``"imdb.npz"``
    (Keras' name) reads the pickle-free ``imdb_tokens.npz``.
    """
    if kwargs:
        raise TypeError(f"imdb.load_data got unexpected keyword arguments: {sorted(kwargs)}")
    _check_arguments(num_words, skip_top, maxlen, start_char, oov_char, index_from)
    splits = read_tokens(_tokens_path(path))
    rng = np.random.RandomState(seed)
    splits = [_shuffled(tokens, offsets, labels, rng) for tokens, offsets, labels in splits]
    splits = [_add_start_and_offset(tokens, lengths, labels, start_char, index_from)
              for tokens, lengths, labels in splits]
    if maxlen:
        splits = [_drop_long(tokens, lengths, labels, maxlen) for tokens, lengths, labels in splits]
        if any(len(labels) == 0 for _, _, labels in splits):
            raise ValueError(f"imdb.load_data: no review is shorter than maxlen={maxlen}; increase maxlen")
    if not num_words:
        num_words = max(int(tokens.max()) for tokens, _, _ in splits)
    splits = [(*_replace_rare(tokens, lengths, skip_top, num_words, oov_char), labels)
              for tokens, lengths, labels in splits]
    (x_train, y_train), (x_test, y_test) = [(_as_lists(tokens, lengths), labels) for tokens, lengths, labels in splits]
    return (x_train, y_train), (x_test, y_test)


def get_word_index(path="imdb_word_index.json"):
    """The dict word -> rank (1 = most frequent) behind the indices (add ``index_from`` to match ``load_data``)."""
    import json

    with open(get_file(path, WORD_INDEX_ORIGIN, WORD_INDEX_SHA256, alternatives=("imdb/" + path,))) as handle:
        return json.load(handle)


# --- reading ---------------------------------------------------------------------------------------------------------
def _tokens_path(path):
    """The pickle-free file for ``path``: given directly, or looked for in the dataset folders."""
    import os

    name = TOKENS_FILE if path == "imdb.npz" else path
    if os.path.isfile(name) and os.path.isabs(name):
        return name
    found = find_file((name, "imdb/" + name))
    if found:
        return found
    places = "\n  ".join(search_dirs())
    raise DatasetNotFoundError(
        f"IMDB: '{name}' was not found. glassnet never unpickles, so it cannot read Keras' imdb.npz (object "
        f"arrays); it reads the pickle-free twin '{TOKENS_FILE}' (SHA-256 {TOKENS_SHA256}), laid out as this "
        f"module's docstring describes. Put it in one of:\n  {places}\nor set GLASSNET_DATASETS to its folder."
    )


def read_tokens(path):
    """``[(tokens, offsets, labels)]`` for train and test, read with ``allow_pickle=False`` and checked."""
    import zipfile

    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise ValueError(
                f"{path} holds pickled object arrays (Keras' imdb.npz layout); glassnet never unpickles. "
                f"Use the pickle-free '{TOKENS_FILE}' instead"
            ) from None
        raise ValueError(f"{path} is not a readable .npz file ({error})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(
            f"{path} is not a readable .npz file ({type(error).__name__}: {error}); it may be corrupt or incomplete"
        ) from None
    return [_checked_split(arrays, split, path) for split in SPLITS]


def _checked_split(arrays, split, path):
    keys = (f"x_{split}_tokens", f"x_{split}_offsets", f"y_{split}")
    missing = [key for key in keys if key not in arrays]
    if missing:
        raise ValueError(f"{path} has no array {missing[0]!r} (found {sorted(arrays)}); is it {TOKENS_FILE}?")
    tokens, offsets, labels = (arrays[key] for key in keys)
    if tokens.ndim != 1 or tokens.dtype.kind not in "iu" or offsets.ndim != 1 or offsets.dtype.kind not in "iu":
        raise ValueError(f"{path}: {keys[0]} and {keys[1]} must be 1-D integer arrays, got {tokens.dtype} "
                         f"{tokens.shape} and {offsets.dtype} {offsets.shape}")
    if len(offsets) != len(labels) + 1 or offsets[0] != 0 or offsets[-1] != len(tokens) \
            or np.any(np.diff(offsets) < 0):
        raise ValueError(f"{path}: {keys[1]} must rise from 0 to len({keys[0]}) = {len(tokens)} with one entry "
                         f"more than {keys[2]} ({len(labels)} labels); got {len(offsets)} offsets")
    return tokens, offsets, labels.astype(np.int64)


# --- the steps of load_data --------------------------------------------------------------------------------------
def _check_arguments(num_words, skip_top, maxlen, start_char, oov_char, index_from):
    def is_int(value):
        return isinstance(value, (int, np.integer)) and not isinstance(value, bool)

    if num_words is not None and (not is_int(num_words) or num_words < 1):
        raise ValueError(f"imdb.load_data: num_words must be None or an integer >= 1, got {num_words!r}")
    if maxlen is not None and (not is_int(maxlen) or maxlen < 0):
        raise ValueError(f"imdb.load_data: maxlen must be None or an integer >= 0 (0 and None keep every "
                         f"review), got {maxlen!r}")
    for name, value in (("skip_top", skip_top), ("index_from", index_from)):
        if not is_int(value) or value < 0:
            raise ValueError(f"imdb.load_data: {name} must be an integer >= 0, got {value!r}")
    for name, value in (("start_char", start_char), ("oov_char", oov_char)):
        if value is not None and not is_int(value):
            raise ValueError(f"imdb.load_data: {name} must be an integer or None, got {value!r}")


def _shuffled(tokens, offsets, labels, rng):
    """Rows permuted by ``rng.shuffle(arange(n))`` (Keras' order): flat tokens, lengths, labels."""
    order = np.arange(len(labels))
    rng.shuffle(order)
    starts, lengths = offsets[:-1][order], np.diff(offsets)[order]
    return tokens[_ranges(starts, lengths)], lengths, labels[order]


def _ranges(starts, lengths):
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])`` without a Python loop."""
    ends = np.cumsum(lengths)
    return np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - lengths - starts, lengths)


def _add_start_and_offset(tokens, lengths, labels, start_char, index_from):
    """``[start_char] + [r + index_from for r in review]`` for every review, kept flat."""
    tokens = tokens.astype(np.int64) + index_from
    if start_char is None:
        return tokens, lengths, labels
    starts_in_output = np.cumsum(lengths + 1) - (lengths + 1)
    out = np.empty(len(tokens) + len(lengths), dtype=np.int64)
    out[starts_in_output] = start_char
    is_word = np.ones(len(out), dtype=bool)
    is_word[starts_in_output] = False
    out[is_word] = tokens
    return out, lengths + 1, labels


def _drop_long(tokens, lengths, labels, maxlen):
    """Keep the reviews with fewer than ``maxlen`` indices."""
    keep = lengths < maxlen
    return tokens[np.repeat(keep, lengths)], lengths[keep], labels[keep]


def _replace_rare(tokens, lengths, skip_top, num_words, oov_char):
    """Indices outside ``[skip_top, num_words)`` become ``oov_char``, or are dropped when it is None."""
    outside = (tokens < skip_top) | (tokens >= num_words)
    if oov_char is not None:
        return np.where(outside, oov_char, tokens), lengths
    row = np.repeat(np.arange(len(lengths)), lengths)
    return tokens[~outside], np.bincount(row[~outside], minlength=len(lengths))


def _as_lists(tokens, lengths):
    """A 1-D object array holding each review as a Python list of ints."""
    rows = np.empty(len(lengths), dtype=object)
    for index, row in enumerate(np.split(tokens, np.cumsum(lengths)[:-1])):
        rows[index] = row.tolist()
    return rows
