"""Loading is safe: no code from the file runs, and damaged, tampered or foreign files get clear errors."""

import io
import json
import sys
import zipfile

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers, ops


def small_model():
    inputs = keras.Input(shape=(4,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    return keras.Model(inputs, layers.Dense(2)(layers.Add()([hidden, layers.Dense(8)(inputs)])))


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "model.keras"
    model = small_model()
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 4), dtype="float32"), np.ones((8, 2), dtype="float32"), verbose=0)
    model.save(path)
    return path


def members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(path, contents):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def edit_config(path, edit):
    contents = members(path)
    config = json.loads(contents["config.json"])
    edit(config)
    contents["config.json"] = json.dumps(config)
    write_zip(path, contents)


# --- no code runs -------------------------------------------------------------------------------------------------
def test_a_lambda_layer_is_refused_unless_safe_mode_is_off(tmp_path):
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, layers.Lambda(lambda x: x * 2.0 + 1.0)(inputs))
    path = tmp_path / "lambda.keras"
    with pytest.warns(UserWarning, match="bytecode"):
        model.save(path)
    with pytest.raises(ValueError, match="lambda.*run code from the file.*safe_mode=False"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, safe_mode=False)
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), x * 2.0 + 1.0)


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")
def test_keras_saved_lambda_is_refused_too(tmp_path):
    import os

    os.environ["KERAS_BACKEND"] = "torch"
    k = pytest.importorskip("keras")
    inputs = k.Input(shape=(3,))
    path = tmp_path / "keras_lambda.keras"
    k.Model(inputs, k.layers.Lambda(lambda x: x * 3.0)(inputs)).save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(path)


def test_an_unregistered_custom_class_is_refused_with_the_fix(tmp_path):
    class Doubler(layers.Layer):
        def call(self, inputs):
            return inputs * 2.0

    inputs = keras.Input(shape=(3,))
    path = tmp_path / "custom.keras"
    keras.Model(inputs, Doubler()(inputs)).save(path)
    with pytest.raises(ValueError) as info:
        keras.models.load_model(path)
    message = str(info.value)
    assert "Unknown class 'Doubler'" in message
    assert "custom_objects={'Doubler': Doubler}" in message and "register_keras_serializable" in message
    assert keras.models.load_model(path, custom_objects={"Doubler": Doubler}).layers[1].__class__ is Doubler


def test_a_class_named_after_any_module_is_never_imported(saved):
    def point_at_a_module(config):
        entry = config["config"]["layers"][1]
        entry["module"], entry["class_name"], entry["registered_name"] = "glassnet_evil_payload", "Popen", None

    edit_config(saved, point_at_a_module)
    with pytest.raises(ValueError, match="Unknown class 'Popen' .module 'glassnet_evil_payload'.*never imports"):
        keras.models.load_model(saved)
    assert "glassnet_evil_payload" not in sys.modules


def test_non_modeling_functions_are_not_looked_up(saved):
    def smuggle(config):
        config["compile_config"]["loss"] = {"module": "os", "class_name": "function", "config": "system",
                                            "registered_name": "function"}

    edit_config(saved, smuggle)
    with pytest.raises(ValueError, match="Unknown function 'system'"):
        keras.models.load_model(saved)


def test_loading_never_unpickles(saved, monkeypatch):
    import pickle

    def refuse(*args, **kwargs):
        raise AssertionError("pickle was used")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(np, "load", refuse)
    assert keras.models.load_model(saved).count_params() == small_model().count_params()


# --- damaged, tampered or foreign files ---------------------------------------------------------------------------
def test_a_truncated_file(saved):
    data = saved.read_bytes()
    for size in (len(data) // 2, 200, len(data) - 30):
        saved.write_bytes(data[:size])
        with pytest.raises(ValueError, match="damaged|truncated"):
            keras.models.load_model(saved)


def test_flipped_bytes_in_the_weights_fail_the_checksum(saved):
    data = bytearray(saved.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("model.weights.h5")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.file_size // 2] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="damaged: the checksum of 'model.weights.h5'"):
        keras.models.load_model(saved)


def test_config_that_is_not_json(saved):
    contents = members(saved)
    contents["config.json"] = contents["config.json"][:-10]
    write_zip(saved, contents)
    with pytest.raises(ValueError, match="config.json is not valid JSON"):
        keras.models.load_model(saved)


def test_config_that_is_json_but_not_a_model(saved):
    contents = members(saved)
    contents["config.json"] = json.dumps({"weights": [1, 2, 3]})
    write_zip(saved, contents)
    with pytest.raises(ValueError, match="not a serialized model.*'weights'"):
        keras.models.load_model(saved)
    contents["config.json"] = json.dumps({"module": "keras.layers", "class_name": "Dense", "config": {"units": 3}})
    write_zip(saved, contents)
    with pytest.raises(ValueError, match="holds a Dense, not a model"):
        keras.models.load_model(saved)


def test_config_with_a_broken_graph(saved):
    edit_config(saved, lambda config: config["config"]["layers"][2]["inbound_nodes"][0]["args"][0]["config"]
                .update(keras_history=["no_such_layer", 0, 0]))
    with pytest.raises(ValueError, match="no_such_layer"):
        keras.models.load_model(saved)


def test_tampered_layer_sizes_do_not_match_the_weights(saved):
    def widen(config):
        last = config["config"]["layers"][-1]
        assert last["config"]["name"] == "dense_1"  # the output layer, Dense(2), was created second
        last["config"]["units"] = 3
        last.pop("build_config")

    edit_config(saved, widen)
    with pytest.raises(ValueError, match="layer 'dense_1' .stored as 'dense_2'.* expects weights of shapes "
                                         "\\[\\(8, 3\\), \\(3,\\)\\], the file has \\[\\(8, 2\\), \\(2,\\)\\]"):
        keras.models.load_model(saved)


def test_an_option_glassnet_cannot_honour_is_named(saved):
    edit_config(saved, lambda config: config["config"]["layers"][1]["config"].update(lora_rank=4))
    with pytest.raises(ValueError, match="Dense: the option lora_rank=4 .* not supported"):
        keras.models.load_model(saved)


def test_missing_weights(saved):
    contents = members(saved)
    del contents["model.weights.h5"]
    write_zip(saved, contents)
    with pytest.raises(ValueError, match="has no model.weights.h5: the model's weights are missing"):
        keras.models.load_model(saved)


def test_weights_file_without_a_layer(saved):
    import h5py

    contents = members(saved)
    buffer = io.BytesIO(contents["model.weights.h5"])
    with h5py.File(buffer, "a") as handle:
        del handle["layers/dense_1"]
    contents["model.weights.h5"] = buffer.getvalue()
    write_zip(saved, contents)
    with pytest.raises(ValueError, match="no weights for layer 'dense_2' .stored as 'dense_1'"):
        keras.models.load_model(saved)


def test_weights_that_are_not_hdf5(saved):
    contents = members(saved)
    contents["model.weights.h5"] = b"not an hdf5 file at all" * 10
    write_zip(saved, contents)
    with pytest.raises(ValueError, match="model.weights.h5 is not a valid HDF5 file"):
        keras.models.load_model(saved)


def test_links_to_other_files_are_refused(saved, tmp_path):
    import h5py

    contents = members(saved)
    buffer = io.BytesIO(contents["model.weights.h5"])
    with h5py.File(buffer, "a") as handle:
        del handle["layers/dense/vars/0"]
        handle["layers/dense/vars/0"] = h5py.ExternalLink(str(tmp_path / "secret.h5"), "/data")
    contents["model.weights.h5"] = buffer.getvalue()
    write_zip(saved, contents)
    with pytest.raises(ValueError, match="Refusing the weights file: 'layers/dense/vars/0' is an HDF5 ExternalLink"):
        keras.models.load_model(saved)


def test_a_foreign_zip(tmp_path):
    path = tmp_path / "photos.keras"
    write_zip(path, {"holiday.jpg": b"\xff\xd8\xff" + b"0" * 100})
    with pytest.raises(ValueError, match="zip archive but not a Keras model file: it has no config.json"):
        keras.models.load_model(path)


def test_files_that_are_not_zips(tmp_path):
    text = tmp_path / "notes.keras"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a .keras file: a .keras file is a zip archive"):
        keras.models.load_model(text)
    weights = tmp_path / "w.weights.h5"
    small_model().save_weights(weights)
    with pytest.raises(ValueError, match="HDF5 file, not a .keras archive: build the model and call load_weights"):
        keras.models.load_model(weights)
    with pytest.raises(FileNotFoundError, match="No such file"):
        keras.models.load_model(tmp_path / "absent.keras")


def test_a_model_loaded_from_a_bad_file_leaves_nothing_half_done(saved):
    """A weights mismatch is found before any weight is assigned (checked in full, then applied)."""
    import h5py

    contents = members(saved)
    buffer = io.BytesIO(contents["model.weights.h5"])
    with h5py.File(buffer, "a") as handle:
        del handle["layers/dense_2/vars/1"]
        handle["layers/dense_2/vars/1"] = np.zeros(3, dtype="float32")
    model = small_model()
    before = model.get_weights()
    with h5py.File(io.BytesIO(buffer.getvalue()), "r") as handle:
        from glassnet.saving.weights_h5 import read_weights

        with pytest.raises(ValueError, match="dense_2"):
            read_weights(handle, model)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_registered_functions_resolve_but_ops_are_not_importable_by_name(tmp_path):
    @keras.saving.register_keras_serializable(package="safety")
    def shifted(x):
        return ops.add(x, 1.0)

    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, layers.Lambda(shifted)(inputs))
    path = tmp_path / "named.keras"
    model.save(path)
    loaded = keras.models.load_model(path)  # safe mode on: a registered, named function is fine
    np.testing.assert_allclose(loaded.predict(np.zeros((1, 2)), verbose=0), [[1.0, 1.0]])


def test_a_decompression_bomb_is_refused_before_it_is_read(saved):
    contents = members(saved)
    with zipfile.ZipFile(saved, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data if name != "model.weights.h5" else data + b"\0" * (80 << 20))
    with pytest.raises(ValueError, match="refusing a possible decompression bomb"):
        keras.models.load_model(saved)


def test_weights_that_are_not_numbers_are_refused(saved):
    import h5py

    contents = members(saved)
    buffer = io.BytesIO(contents["model.weights.h5"])
    with h5py.File(buffer, "a") as handle:
        del handle["layers/dense/vars/1"]
        handle["layers/dense/vars/1"] = np.array([b"x"] * 8)
    contents["model.weights.h5"] = buffer.getvalue()
    write_zip(saved, contents)
    with pytest.raises(ValueError, match="'layers/dense/vars/1' holds .S1, not numbers"):
        keras.models.load_model(saved)
