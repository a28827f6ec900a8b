"""datasets.imdb: Keras' load_data semantics read from the pickle-free file, checked against Keras' own code."""

import itertools
import json
import os

import numpy as np
import pytest

from glassnet.datasets import download, imdb

TOKENS = download.find_file(("imdb_tokens.npz", "imdb/imdb_tokens.npz"))
KERAS_NPZ = download.find_file(("imdb/imdb.npz",))
requires_imdb = pytest.mark.skipif(TOKENS is None, reason="imdb_tokens.npz is not on disk (set GLASSNET_DATASETS)")
requires_keras_npz = pytest.mark.skipif(KERAS_NPZ is None, reason="Keras-layout imdb/imdb.npz is not on disk")


def keras_imdb(monkeypatch, path):
    """Keras' own imdb module, made to read ``path`` (a checksum-verified local file) instead of downloading."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    from keras.src.datasets import imdb as keras_module

    monkeypatch.setattr(keras_module, "get_file", lambda **kwargs: path)
    return keras_module


def assert_same(ours, theirs):
    for (x, y), (x_keras, y_keras) in zip(ours, theirs):
        assert x.dtype == object and x.shape == (len(x_keras),)
        assert y.dtype == y_keras.dtype and np.array_equal(y, y_keras)
        assert all(type(row) is list for row in x)
        assert all(a == b for a, b in zip(x, x_keras))
        assert all(type(value) is int for value in x[0])


@pytest.fixture(scope="module")
def small_files(tmp_path_factory):
    """The first 300 train / 200 test reviews, written in both layouts (Keras' pickled one and ours)."""
    if KERAS_NPZ is None:
        pytest.skip("imdb/imdb.npz is not on disk")
    folder = tmp_path_factory.mktemp("imdb")
    with np.load(KERAS_NPZ, allow_pickle=True) as data:  # a test-only read of a checksum-verified local file
        arrays = {"x_train": data["x_train"][:300], "y_train": data["y_train"][:300],
                  "x_test": data["x_test"][:200], "y_test": data["y_test"][:200]}
    np.savez(folder / "keras.npz", **arrays)
    flat = {}
    for split in ("train", "test"):
        rows = arrays[f"x_{split}"]
        flat[f"x_{split}_tokens"] = np.concatenate([np.asarray(row, np.int32) for row in rows])
        flat[f"x_{split}_offsets"] = np.concatenate([[0], np.cumsum([len(row) for row in rows])]).astype(np.int64)
        flat[f"y_{split}"] = arrays[f"y_{split}"].astype(np.uint8)
    np.savez(folder / "tokens.npz", **flat)
    return str(folder / "keras.npz"), str(folder / "tokens.npz")


CONFIGS = [
    {},
    {"num_words": 500},
    {"num_words": 2000, "skip_top": 20, "maxlen": 150, "seed": 7},
    {"start_char": None, "oov_char": None, "index_from": 0, "num_words": 300},
    {"start_char": None, "index_from": 5, "skip_top": 3},
    {"skip_top": 4, "oov_char": None, "maxlen": 100},
    {"start_char": 9, "oov_char": 7, "index_from": 10, "num_words": 50, "seed": 0},
]


@pytest.mark.parametrize("config", CONFIGS)
def test_same_as_keras_on_a_subset(small_files, monkeypatch, config):
    keras_path, tokens_path = small_files
    theirs = keras_imdb(monkeypatch, keras_path).load_data(**config)
    ours = imdb.load_data(path=tokens_path, **config)
    assert_same(ours, theirs)


@requires_imdb
@requires_keras_npz
def test_same_as_keras_on_the_whole_dataset(monkeypatch):
    config = {"num_words": 10000, "maxlen": 400}
    theirs = keras_imdb(monkeypatch, KERAS_NPZ).load_data(**config)
    ours = imdb.load_data(**config)
    assert len(ours[0][0]) < 25000 and len(ours[1][0]) < 25000  # maxlen dropped reviews
    assert_same(ours, theirs)


@requires_imdb
def test_published_facts():
    """Values printed in tutorials for the genuine Keras file."""
    (x_train, y_train), (x_test, y_test) = imdb.load_data()
    assert x_train.shape == (25000,) and x_test.shape == (25000,) and y_train.dtype == np.int64
    assert np.bincount(y_train).tolist() == [12500, 12500] and np.bincount(y_test).tolist() == [12500, 12500]
    rows = np.concatenate([x_train, x_test])
    lengths = np.fromiter(map(len, rows), dtype=np.int64)
    assert round(lengths.mean(), 2) == 234.76 and round(lengths.std(), 6) == 172.911495
    assert len(set(itertools.chain.from_iterable(rows))) == 88585
    (x_train, y_train), _ = imdb.load_data(num_words=10000)
    assert x_train[0][:12] == [1, 14, 22, 16, 43, 530, 973, 1622, 1385, 65, 458, 4468]
    assert len(x_train[0]) == 218 and x_train[0][-2:] == [178, 32] and y_train[0] == 1
    assert max(max(row) for row in x_train) == 9999
    (x_train, _), _ = imdb.load_data(num_words=5000)
    assert x_train[1][:12] == [1, 194, 1153, 194, 2, 78, 228, 5, 6, 1463, 4369, 2]


@requires_imdb
def test_word_index_decodes_a_review():
    word_index = imdb.get_word_index()
    assert len(word_index) == 88584 and word_index["the"] == 1 and word_index["br"] == 7
    (x_train, _), _ = imdb.load_data()
    words = {rank + 3: word for word, rank in word_index.items()}
    assert " ".join(words[i] for i in x_train[0][1:5]) == "this film was just"


def test_pickled_file_is_refused(tmp_path):
    path = tmp_path / "imdb.npz"
    np.savez(path, x_train=np.array([[1, 2], [3]], dtype=object), y_train=np.array([1, 0]))
    with pytest.raises(ValueError, match="never unpickles"):
        imdb.load_data(path=str(path))


def write_tokens(path, train=([5, 6, 7], [8]), test=([9, 10],), **changes):
    arrays = {}
    for split, rows in (("train", train), ("test", test)):
        arrays[f"x_{split}_tokens"] = np.array([t for row in rows for t in row], np.int32)
        arrays[f"x_{split}_offsets"] = np.cumsum([0] + [len(row) for row in rows]).astype(np.int64)
        arrays[f"y_{split}"] = np.arange(len(rows), dtype=np.uint8) % 2
    arrays.update(changes)
    arrays = {key: value for key, value in arrays.items() if value is not None}
    np.savez(path, **arrays)
    return str(path)


def test_tiny_file_by_hand(tmp_path):
    path = write_tokens(tmp_path / "t.npz")
    (x_train, y_train), (x_test, y_test) = imdb.load_data(path=path, seed=None, num_words=10)
    assert sorted(x_train.tolist()) == [[1, 2], [1, 8, 9, 2]] and x_test.tolist() == [[1, 2, 2]]
    assert sorted(y_train.tolist()) == [0, 1] and y_test.tolist() == [0]


@pytest.mark.parametrize("changes, message", [
    ({"y_test": None}, "no array 'y_test'"),
    ({"x_train_offsets": np.array([0, 5, 4], np.int64)}, "must rise from 0"),
    ({"x_train_offsets": np.array([0, 3], np.int64)}, "one entry more"),
    ({"x_test_tokens": np.zeros((2, 1), np.int32)}, "1-D integer"),
])
def test_malformed_file(tmp_path, changes, message):
    path = write_tokens(tmp_path / "t.npz", **changes)
    with pytest.raises(ValueError, match=message):
        imdb.load_data(path=path)


@pytest.mark.parametrize("arguments, message", [
    ({"num_words": 0}, "num_words must be None or an integer >= 1"),
    ({"num_words": 2.5}, "num_words"),
    ({"maxlen": -1}, "maxlen"),
    ({"skip_top": -2}, "skip_top"),
    ({"index_from": "3"}, "index_from"),
    ({"oov_char": 1.5}, "oov_char"),
    ({"maxlen": 2}, "no review is shorter than maxlen=2"),
])
def test_bad_arguments(tmp_path, arguments, message):
    path = write_tokens(tmp_path / "t.npz")
    with pytest.raises(ValueError, match=message):
        imdb.load_data(path=path, **arguments)


def test_missing_file_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATASETS", str(tmp_path))
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(download.DatasetNotFoundError, match="imdb_tokens.npz"):
        imdb.load_data()


def test_word_index_found_in_the_imdb_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATASETS", str(tmp_path))
    (tmp_path / "imdb").mkdir()
    (tmp_path / "imdb" / "imdb_word_index.json").write_text(json.dumps({"good": 1, "bad": 2}))
    assert imdb.get_word_index() == {"good": 1, "bad": 2}
