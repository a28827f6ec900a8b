"""text_dataset_from_directory: Keras' file order, labels, splits, truncation and errors, on folders built here."""

import os

import numpy as np
import pytest

import glassnet as keras
from glassnet.datasets.download import find_file
from glassnet.utils import text_dataset as text_module
from glassnet.utils import text_dataset_from_directory

FILES = {
    "neg/b.txt": "bad film",
    "neg/a.txt": "awful, truly awful",
    "neg/notes.md": "not a text sample",
    "neg/deeper/c.TXT": "nested neg",
    "pos/10_9.txt": "héllo wonderful",
    "pos/2_8.txt": "great <br /> fun",
    "pos/1_7.txt": "good",
    "unsup/x.txt": "no label",
    ".hidden/h.txt": "ignored",
    "top.txt": "top level",
}


@pytest.fixture
def tree(tmp_path):
    for relative, text in FILES.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return str(tmp_path)


def load(directory, **arguments):
    arguments.setdefault("verbose", False)
    return text_dataset_from_directory(directory, **arguments)


def everything(dataset):
    batches = list(dataset)
    if isinstance(batches[0], tuple):
        return [np.concatenate(parts) for parts in zip(*batches)]
    return np.concatenate(batches)


def test_unshuffled_order_labels_and_texts(tree):
    dataset = load(tree, shuffle=False, batch_size=4)
    assert dataset.class_names == ["neg", "pos", "unsup"]
    texts, labels = everything(dataset)
    assert texts.tolist() == ["awful, truly awful", "bad film", "nested neg", "héllo wonderful", "good",
                              "great <br /> fun", "no label"]  # "10_9.txt" < "1_7.txt": '0' < '_'
    assert labels.tolist() == [0, 0, 0, 1, 1, 1, 2] and labels.dtype == np.int32
    assert texts.dtype.kind == "U" and len(dataset) == 2 and len(dataset[1][0]) == 3


@pytest.fixture(scope="module")
def keras_dataset_utils():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    from keras.src.utils import dataset_utils

    return dataset_utils


@pytest.mark.parametrize("shuffle, seed", [(False, None), (True, 7), (True, 113)])
@pytest.mark.parametrize("labels, class_names", [("inferred", None), ("inferred", ["pos", "neg"]), (None, None)])
def test_same_order_as_keras(tree, keras_dataset_utils, shuffle, seed, labels, class_names):
    theirs = keras_dataset_utils.index_directory(tree, labels, formats=(".txt",), class_names=class_names,
                                                 shuffle=shuffle, seed=seed, verbose=False)
    ours = text_module.index_directory(tree, labels, class_names, shuffle, seed, follow_links=False)
    assert [os.path.normpath(p) for p in ours[0]] == [os.path.normpath(p) for p in theirs[0]]
    assert ours[2] == theirs[2]
    if labels is None:
        assert ours[1] is None and theirs[1] is None
    else:
        assert np.array_equal(ours[1], theirs[1])


def test_split_same_as_keras(tree, keras_dataset_utils):
    paths, labels, _ = text_module.index_directory(tree, "inferred", None, True, 3, False)
    for subset in ("training", "validation"):
        ours = text_module.split(paths, labels, 0.3, subset)
        theirs = keras_dataset_utils.get_training_or_validation_split(paths, labels, 0.3, subset)
        assert ours[0] == theirs[0] and np.array_equal(ours[1], theirs[1])


def test_shuffled_dataset_yields_the_seeded_order_then_reshuffles(tree):
    dataset = load(tree, seed=11, batch_size=3)
    texts, labels = everything(dataset)
    paths, expected_labels, _ = text_module.index_directory(tree, "inferred", None, True, 11, False)
    assert texts.tolist() == [text_module.read_text(p) for p in paths]
    assert labels.tolist() == expected_labels.tolist()
    assert everything(load(tree, seed=11, batch_size=3))[0].tolist() == texts.tolist()
    dataset.on_epoch_end()
    again, again_labels = everything(dataset)
    assert again.tolist() != texts.tolist() and sorted(again.tolist()) == sorted(texts.tolist())
    pairs = dict(zip(texts.tolist(), labels.tolist()))
    assert all(pairs[t] == label for t, label in zip(again.tolist(), again_labels.tolist()))


def test_label_modes(tree):
    texts, one_hot = everything(load(tree, shuffle=False, label_mode="categorical"))
    assert one_hot.dtype == np.float32 and one_hot.shape == (7, 3)
    assert one_hot.argmax(axis=1).tolist() == [0, 0, 0, 1, 1, 1, 2] and one_hot.sum() == 7
    _, binary = everything(load(tree, shuffle=False, label_mode="binary", class_names=["pos", "neg"]))
    assert binary.dtype == np.float32 and binary.shape == (6, 1) and binary[:, 0].tolist() == [0, 0, 0, 1, 1, 1]
    texts_only = everything(load(tree, shuffle=False, label_mode=None))
    assert isinstance(texts_only, np.ndarray) and len(texts_only) == 9  # every .txt file, the top level included
    dataset = load(tree, shuffle=False, labels=None)
    assert dataset.class_names is None and not isinstance(dataset[0], tuple)


def test_class_names_set_the_order(tree):
    dataset = load(tree, shuffle=False, class_names=["pos", "neg"])
    texts, labels = everything(dataset)
    assert dataset.class_names == ["pos", "neg"] and "no label" not in texts.tolist()
    assert labels.tolist() == [0, 0, 0, 1, 1, 1] and texts[0] == "héllo wonderful"


def test_explicit_labels_follow_sorted_paths(tree):
    labels = [0, 1, 0, 1, 0, 1, 0, 1, 0]
    dataset = load(tree, labels=labels, shuffle=False, label_mode="categorical")
    texts, one_hot = everything(dataset)
    assert dataset.class_names == ["0", "1"]
    # folder by folder in sorted order (the top level first; with explicit labels every folder is read)
    assert texts.tolist() == ["top level", "ignored", "awful, truly awful", "bad film", "nested neg",
                              "héllo wonderful", "good", "great <br /> fun", "no label"]
    assert one_hot.argmax(axis=1).tolist() == labels


def test_validation_split(tree):
    training, validation = load(tree, validation_split=0.3, subset="both", seed=5, batch_size=2)
    train_texts, _ = everything(training)
    val_texts, _ = everything(validation)
    assert len(val_texts) == int(0.3 * 7) and len(train_texts) == 7 - int(0.3 * 7)
    assert set(train_texts.tolist()).isdisjoint(val_texts.tolist())
    assert everything(load(tree, validation_split=0.3, subset="validation", seed=5))[0].tolist() == val_texts.tolist()
    assert everything(load(tree, validation_split=0.3, subset="training", seed=5, batch_size=2))[0].tolist() \
        == train_texts.tolist()
    validation.on_epoch_end()
    assert everything(validation)[0].tolist() == val_texts.tolist()  # the validation order never changes
    assert training.class_names == validation.class_names == ["neg", "pos", "unsup"]


def test_max_length_cuts_bytes_and_never_half_a_character(tree):
    texts, _ = everything(load(tree, shuffle=False, max_length=2))
    assert texts.tolist() == ["aw", "ba", "ne", "h", "go", "gr", "no"]  # "é" is 2 bytes: left out whole
    texts, _ = everything(load(tree, shuffle=False, max_length=3))
    assert texts[3] == "hé"


def test_utf8_and_bad_bytes(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_bytes("naïve — ok ✓".encode("utf-8"))
    (tmp_path / "a" / "y.txt").write_bytes(b"caf\xe9")  # Latin-1, not UTF-8
    texts, _ = everything(load(str(tmp_path), shuffle=False))
    assert texts.tolist() == ["naïve — ok ✓", "caf\ufffd"]


def test_batch_size_none_yields_single_samples(tree):
    dataset = load(tree, shuffle=False, batch_size=None)
    assert len(dataset) == 7
    text, label = dataset[0]
    assert text == "awful, truly awful" and label == 0


def test_fit_takes_it(tree):
    """A model fed the dataset through a vectorizing map of its own batches."""
    dataset = load(tree, shuffle=False, batch_size=3, class_names=["neg", "pos"], label_mode="binary")

    class Counts(keras.utils.PyDataset):
        def __len__(self):
            return len(dataset)

        def __getitem__(self, index):
            texts, labels = dataset[index]
            lengths = np.array([[len(t) / 10.0, t.count(" ") / 3.0] for t in texts], dtype=np.float32)
            return lengths, labels

    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(Counts(), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()


def test_prints_what_it_found(tree, capsys):
    text_dataset_from_directory(tree, validation_split=0.3, subset="training", seed=1)
    assert capsys.readouterr().out.splitlines() == ["Found 7 files belonging to 3 classes.",
                                                    "Using 5 files for training."]


@pytest.mark.parametrize("arguments, message", [
    ({"directory": "/nonexistent/reviews"}, "does not exist or is not a folder"),
    ({"label_mode": "sparse"}, "label_mode must be one of"),
    ({"label_mode": "binary"}, "needs exactly 2 classes, got 3"),
    ({"labels": "folders"}, "labels must be 'inferred', None, or a list"),
    ({"labels": [0, 1]}, "labels has 2 entries but .* holds 9 .txt files"),
    ({"labels": [0] * 8 + [3], "label_mode": "categorical"}, "labels must be 0..1"),
    ({"labels": [0] * 9, "class_names": ["neg"]}, "class_names can only be given with labels='inferred'"),
    ({"class_names": ["neg", "maybe"]}, "class_names must be subfolders"),
    ({"subset": "training"}, "subset and validation_split go together"),
    ({"validation_split": 0.2}, "subset and validation_split go together"),
    ({"validation_split": 1.5, "subset": "training", "seed": 1}, "validation_split must be between 0 and 1"),
    ({"validation_split": 0.2, "subset": "test", "seed": 1}, "subset must be 'training', 'validation', 'both'"),
    ({"validation_split": 0.2, "subset": "training"}, "give a seed"),
    ({"validation_split": 0.01, "subset": "validation", "seed": 1}, "no validation .txt files"),
    ({"batch_size": 0}, "batch_size must be a positive integer or None"),
    ({"max_length": -1}, "max_length must be None or an integer >= 0"),
])
def test_bad_arguments(tree, arguments, message):
    arguments.setdefault("directory", tree)
    with pytest.raises(ValueError, match=message):
        load(**arguments)


def test_empty_folder(tmp_path):
    (tmp_path / "a").mkdir()
    with pytest.raises(ValueError, match="no .txt files in"):
        load(str(tmp_path))


ACL_IMDB = find_file(("imdb/aclImdb_v1_labeled.tar.gz",))


@pytest.mark.skipif(ACL_IMDB is None, reason="aclImdb_v1_labeled.tar.gz is not on disk (set GLASSNET_DATASETS)")
def test_on_acl_imdb_reviews(tmp_path):
    """The first 40 reviews of aclImdb/train/neg and /pos, taken from the archive, read back as written."""
    import tarfile

    wanted, raw = {"aclImdb/train/neg/": 40, "aclImdb/train/pos/": 40}, {}
    with tarfile.open(ACL_IMDB, "r:gz") as archive:
        for member in archive:
            folder = member.name[: member.name.rindex("/") + 1]
            if member.isfile() and wanted.get(folder, 0) > 0 and member.name.endswith(".txt"):
                wanted[folder] -= 1
                raw[member.name] = archive.extractfile(member).read()
            if not any(wanted.values()):
                break
    for name, data in raw.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    training, validation = load(str(tmp_path / "aclImdb" / "train"), validation_split=0.25, subset="both", seed=1337,
                                label_mode="binary")
    assert training.class_names == ["neg", "pos"] and len(validation.file_paths) == 20
    texts, labels = everything(training)
    by_text = {data.decode("utf-8"): name.split("/")[2] for name, data in raw.items()}
    assert len(texts) == 60 and all(by_text[t] == ("pos" if label else "neg") for t, label in zip(texts, labels[:, 0]))
