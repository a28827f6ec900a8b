"""save_assets / load_assets: a layer's files travel in the .keras zip under assets/<its path>/, as in Keras 3."""

import os
import zipfile

import numpy as np
import pytest

import glassnet as keras


class Vocabulary(keras.layers.Layer):
    """Maps token ids to their position in a word list kept as a file asset."""

    def __init__(self, words=(), **kwargs):
        super().__init__(**kwargs)
        self.words = list(words)

    def call(self, x):
        return x * float(len(self.words))

    def save_assets(self, dir_path):
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as handle:
            handle.write("\n".join(self.words))
        os.makedirs(os.path.join(dir_path, "extra"))
        with open(os.path.join(dir_path, "extra", "note.bin"), "wb") as handle:
            handle.write(b"\x00\x01")

    def load_assets(self, dir_path):
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as handle:
            self.words = handle.read().split("\n")
        with open(os.path.join(dir_path, "extra", "note.bin"), "rb") as handle:
            self.note = handle.read()


class PlainVocabulary(Vocabulary):
    """Reads only vocabulary.txt (what a Keras layer writes)."""

    def load_assets(self, dir_path):
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as handle:
            self.words = handle.read().split("\n")


def _model(words):
    inputs = keras.Input((2,))
    return keras.Model(inputs, Vocabulary(words, name="vocab")(inputs))


def test_assets_round_trip(tmp_path):
    model = _model(["the", "cat", "sat"])
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        assert archive.read("assets/layers/vocabulary/vocabulary.txt") == b"the\ncat\nsat"
        assert archive.read("assets/layers/vocabulary/extra/note.bin") == b"\x00\x01"
    loaded = keras.saving.load_model(path, custom_objects={"Vocabulary": Vocabulary})
    layer = loaded.get_layer("vocab")
    assert layer.words == ["the", "cat", "sat"] and layer.note == b"\x00\x01"
    np.testing.assert_allclose(loaded.predict(np.ones((1, 2)), verbose=0), [[3.0, 3.0]])


def test_unsafe_asset_names_are_refused(tmp_path):
    path = tmp_path / "m.keras"
    _model(["a"]).save(path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("assets/../../evil.txt", b"x")
    with pytest.raises(ValueError, match="unsafe path"):
        keras.saving.load_model(path, custom_objects={"Vocabulary": Vocabulary})


def test_assets_both_ways_with_keras(tmp_path):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    k = pytest.importorskip("keras")

    class Vocabulary(k.layers.Layer):  # the same class name, so Keras' path (from it) is the same
        def __init__(self, words=(), **kwargs):
            super().__init__(**kwargs)
            self.words = list(words)

        def call(self, x):
            return x * float(len(self.words))

        def save_assets(self, dir_path):
            with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as handle:
                handle.write("\n".join(self.words))

        def load_assets(self, dir_path):
            with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as handle:
                self.words = handle.read().split("\n")

    inputs = k.Input((2,))
    theirs = k.Model(inputs, Vocabulary(["x", "y"], name="vocab")(inputs))
    theirs.save(tmp_path / "keras.keras")
    ours = keras.saving.load_model(tmp_path / "keras.keras", custom_objects={"Vocabulary": PlainVocabulary})
    assert ours.get_layer("vocab").words == ["x", "y"]

    _model(["p", "q", "r"]).save(tmp_path / "ours.keras")
    back = k.saving.load_model(tmp_path / "ours.keras", custom_objects={"Vocabulary": Vocabulary})
    assert back.get_layer("vocab").words == ["p", "q", "r"]


def _as_keras_writes_it(source, target, layer_index, asset_path):
    """Copy ``source`` with the layer's learned vocabulary moved from config.json to assets/, as Keras writes it."""
    import json

    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    layer = config["config"]["layers"][layer_index]["config"]
    vocabulary = layer.pop("vocabulary")
    layer.pop("has_input_vocabulary", None)
    layer["vocabulary"] = None
    members["config.json"] = json.dumps(config).encode()
    members[f"assets/{asset_path}/vocabulary.txt"] = "\n".join(vocabulary).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("make", [
    lambda: keras.layers.TextVectorization(max_tokens=10, output_sequence_length=4),
    lambda: keras.layers.StringLookup(),
])
def test_lookup_vocabulary_read_from_keras_assets(tmp_path, make):
    layer = make()
    texts = np.array([["the cat sat"], ["the dog ran the"]]) if isinstance(layer, keras.layers.TextVectorization) \
        else np.array([["the"], ["cat"], ["the"], ["dog"]])
    layer.adapt(texts.reshape(-1))
    model = keras.Sequential([keras.Input((1,), dtype="string"), layer])
    model.save(tmp_path / "ours.keras")
    name = "text_vectorization" if isinstance(layer, keras.layers.TextVectorization) else "string_lookup"
    _as_keras_writes_it(tmp_path / "ours.keras", tmp_path / "keras.keras", 1, f"layers/{name}")
    loaded = keras.saving.load_model(tmp_path / "keras.keras")
    assert loaded.layers[0].get_vocabulary() == layer.get_vocabulary()
    query = np.array([["the cat ran"]]) if name == "text_vectorization" else np.array([["cat"], ["bird"]])
    np.testing.assert_array_equal(loaded.predict(query, verbose=0), model.predict(query, verbose=0))
