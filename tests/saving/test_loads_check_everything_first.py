"""A load that fails changes nothing, and every damaged or hostile file gets a ValueError naming it and the problem."""

import io
import json
import random
import struct
import tracemalloc
import warnings
import zipfile

import h5py
import numpy as np
import pytest

import glassnet as keras
from glassnet import layers
from glassnet.saving import serialization_lib

X = np.linspace(-1, 1, 24, dtype="float32").reshape(8, 3)
Y = np.linspace(0, 1, 16, dtype="float32").reshape(8, 2)


def trained_model(seed, epochs=1):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, layers.Dense(2)(layers.Dense(4, activation="relu")(inputs)))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    if epochs:
        model.fit(X, Y, epochs=epochs, batch_size=4, verbose=0)
    return model


def snapshot(model):
    """Every weight and every piece of optimizer state, copied."""
    optimizer = model.optimizer
    return {"weights": [w.copy() for w in model.get_weights()], "iterations": optimizer.iterations,
            "learning_rate": optimizer.learning_rate, "built": optimizer.built,
            "slots": [np.array(v, copy=True) for v in optimizer.variables[1:]]}


def assert_same(before, after):
    assert [k for k in before] == [k for k in after]
    for a, b in zip(before["weights"], after["weights"]):
        np.testing.assert_array_equal(a, b)
    assert (before["iterations"], before["learning_rate"], before["built"]) == \
        (after["iterations"], after["learning_rate"], after["built"])
    assert len(before["slots"]) == len(after["slots"])
    for a, b in zip(before["slots"], after["slots"]):
        np.testing.assert_array_equal(a, b)


def replace_dataset(path, key, value):
    with h5py.File(path, "a") as handle:
        del handle[key]
        handle[key] = value


BAD_OPTIMIZER_STATE = [
    ("optimizer/vars/0", np.array(np.nan), "iterations must be a whole number of steps, got nan"),
    ("optimizer/vars/0", np.array(-3, dtype="int64"), "iterations must be from 0 to 2\\*\\*53, got -3"),
    ("optimizer/vars/0", np.array(2.5), "iterations must be a whole number of steps, got 2.5"),
    ("optimizer/vars/0", np.array(2 ** 60, dtype="int64"), "iterations must be from 0 to 2\\*\\*53"),
    ("optimizer/vars/1", np.array(np.nan, dtype="float32"), "learning_rate must be a finite number >= 0, got nan"),
    ("optimizer/vars/1", np.array(np.inf, dtype="float32"), "learning_rate must be a finite number >= 0, got inf"),
    ("optimizer/vars/1", np.array(-0.5, dtype="float32"), "learning_rate must be a finite number >= 0"),
    ("optimizer/vars/2", np.full((3, 4), np.nan, "float32"), "'optimizer/vars/2' .*NaN or infinite"),
]


@pytest.mark.parametrize("key, value, message", BAD_OPTIMIZER_STATE)
@pytest.mark.parametrize("target_trained", [True, False], ids=["optimizer_built", "optimizer_not_built"])
def test_load_weights_with_bad_optimizer_state_changes_nothing(tmp_path, key, value, message, target_trained):
    path = tmp_path / "saved.weights.h5"
    trained_model(seed=1, epochs=2).save_weights(path)
    replace_dataset(path, key, value)
    model = trained_model(seed=2, epochs=1 if target_trained else 0)
    before = snapshot(model)
    with pytest.raises(ValueError, match=message) as info:
        model.load_weights(path)
    assert str(path) in str(info.value)
    assert_same(before, snapshot(model))
    model.fit(X, Y, epochs=1, verbose=0)  # still trains: no "math domain error", no ZeroDivisionError
    assert np.isfinite(model.get_weights()[0]).all()


@pytest.mark.parametrize("key, value, message", BAD_OPTIMIZER_STATE[:5])
def test_the_same_checks_apply_to_keras_files(tmp_path, key, value, message):
    path = tmp_path / "saved.keras"
    trained_model(seed=1, epochs=2).save(path)
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO(contents["model.weights.h5"])
    with h5py.File(buffer, "a") as handle:
        del handle[key]
        handle[key] = value
    contents["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match=message) as info:
        keras.saving.load_model(path)
    assert str(path) in str(info.value)
    model = trained_model(seed=2)
    before = snapshot(model)
    with pytest.raises(ValueError, match=message):
        model.load_weights(path)  # the weights of a .keras file
    assert_same(before, snapshot(model))


def test_a_good_file_still_loads_everything(tmp_path):
    path = tmp_path / "saved.weights.h5"
    source = trained_model(seed=1, epochs=2)
    source.save_weights(path)
    for epochs in (0, 1):
        model = trained_model(seed=2, epochs=epochs)
        model.load_weights(path)
        assert_same(snapshot(source), snapshot(model))


def test_layer_weights_that_do_not_fit_their_dtype_change_nothing(tmp_path):
    path = tmp_path / "saved.weights.h5"
    trained_model(seed=1).save_weights(path)
    replace_dataset(path, "layers/dense_1/vars/0", np.full((4, 2), 1e300))  # float64 beyond float32's range
    model = trained_model(seed=2)
    before = snapshot(model)
    with pytest.raises(ValueError, match="'layers/dense_1/vars/0' .*beyond the range of float32"):
        model.load_weights(path)
    assert_same(before, snapshot(model))


def test_nan_layer_weights_load_with_a_warning(tmp_path):
    """A diverged model's checkpoint still loads (to be inspected); the warning says what it holds."""
    path = tmp_path / "saved.weights.h5"
    trained_model(seed=1).save_weights(path)
    replace_dataset(path, "layers/dense/vars/1", np.array([np.nan, 0, 0, 0], dtype="float32"))
    model = trained_model(seed=2)
    with pytest.warns(UserWarning, match="NaN or infinite values in 1 weight.*'layers/dense/vars/1'"):
        model.load_weights(path)
    assert np.isnan(model.get_weights()[1][0])


# --- hostile configs ----------------------------------------------------------------------------------------------
def keras_file_with_config(tmp_path, edit):
    path = tmp_path / "model.keras"
    trained_model(seed=1).save(path)
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    contents["config.json"] = edit(json.loads(contents["config.json"]))
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data if isinstance(data, bytes) else json.dumps(data))
    return path


def test_a_numpy_entry_with_a_huge_subarray_dtype_fails_before_allocating(tmp_path):
    bomb = {"class_name": "__numpy__", "config": {"value": 0, "dtype": "(200000000,)f8"}}  # 1.6 GB if allocated

    def plant(config):
        config["config"]["layers"][1]["config"]["units"] = bomb
        return config

    path = keras_file_with_config(tmp_path, plant)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="dtypes .*got '\\(200000000,\\)f8'") as info:
            keras.saving.load_model(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(path) in str(info.value)
    assert peak < 50 << 20, peak


@pytest.mark.parametrize("dtype", ["(3,)f8", "O", "object", "U10", "S4", "V8", "complex64", "datetime64[s]",
                                   "[('a', '<f8')]", "f8,f8", "float128", None, 7])
def test_numpy_entries_take_plain_numeric_dtypes_only(dtype):
    with pytest.raises(ValueError, match="array entries must have one of the dtypes"):
        serialization_lib.deserialize_keras_object({"class_name": "__numpy__",
                                                    "config": {"value": [1, 2], "dtype": dtype}})


@pytest.mark.parametrize("value, message", [
    ([[1, 2], [3]], "not a regular nested list"),
    ([1, "2"], "only numbers"),
    ("1", "must be a number or a list"),
    ([300], "do not fit dtype int8"),
    ([[0] * 5000] * 5000, "more than 16777216 numbers"),
])
def test_numpy_entries_with_bad_values(value, message):
    with pytest.raises(ValueError, match=message):
        serialization_lib.deserialize_keras_object({"class_name": "__numpy__",
                                                    "config": {"value": value, "dtype": "int8"}})


@pytest.mark.parametrize("dtype", sorted(serialization_lib.NUMERIC_DTYPES))
def test_numpy_entries_with_plain_dtypes_round_trip(dtype):
    array = np.arange(6).reshape(2, 3).astype(dtype)
    back = serialization_lib.deserialize_keras_object(serialization_lib.serialize_keras_object(array))
    assert back.dtype == array.dtype and back.shape == (2, 3)
    np.testing.assert_array_equal(back, array)


def test_arrays_of_other_dtypes_are_saved_as_plain_lists():
    config = serialization_lib.serialize_keras_object({"vocabulary": np.array(["a", "bc"])})
    assert config == {"vocabulary": ["a", "bc"]}
    assert serialization_lib.deserialize_keras_object(config) == {"vocabulary": ["a", "bc"]}


@pytest.mark.parametrize("depth", [150, 100_000])
def test_deeply_nested_json_is_refused(tmp_path, depth):
    def nest(config):
        text = json.dumps(config)
        return text.replace('"units": 4', '"units": ' + "[" * depth + "]" * depth, 1).encode()

    path = keras_file_with_config(tmp_path, nest)
    with pytest.raises(ValueError, match="more than 100 levels deep|not valid JSON .RecursionError") as info:
        keras.saving.load_model(path)
    assert str(path) in str(info.value)
    with pytest.raises(ValueError, match="model_from_json: .*(levels deep|RecursionError)"):
        keras.models.model_from_json('{"class_name": "Sequential", "config": ' + "[" * depth + "]" * depth + "}")


def test_a_config_with_wrong_types_names_the_file(tmp_path):
    def break_it(config):
        config["config"]["layers"] = 5
        return config

    path = keras_file_with_config(tmp_path, break_it)
    with pytest.raises(ValueError) as info:
        keras.saving.load_model(path)
    assert str(path) in str(info.value)


# --- damaged archives and weights ------------------------------------------------------------------------------------
def deflated_copy(source, destination):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            new.writestr(name, old.read(name))


def test_corrupt_compressed_data_is_a_value_error(tmp_path):
    """zlib.error from the decompressor becomes a ValueError naming the file."""
    trained_model(seed=1).save(tmp_path / "stored.keras")
    path = tmp_path / "model.keras"
    deflated_copy(tmp_path / "stored.keras", path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("config.json")
    data[info.header_offset + 30 + len(info.filename) + len(info.extra)] = 0xFF  # deflate block type 3: invalid
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="damaged.*error: .*invalid block type") as info:
        keras.saving.load_model(path)
    assert str(path) in str(info.value)


def test_a_member_that_runs_past_the_end_of_the_file_is_a_value_error(tmp_path):
    """EOFError from zipfile becomes a ValueError naming the file."""
    path = tmp_path / "model.keras"
    trained_model(seed=1).save(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("model.weights.h5")
    central = data.index(b"PK\x01\x02", info.header_offset)
    while data[central + 46:central + 46 + len(info.filename)] != info.filename.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    bigger = struct.pack("<I", info.file_size + 100_000)
    for start in (info.header_offset + 18, info.header_offset + 22, central + 20, central + 24):
        data[start:start + 4] = bigger  # compressed and uncompressed sizes, local and central headers
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="damaged.*EOFError: the file ends before its data does") as info:
        keras.saving.load_model(path)
    assert str(path) in str(info.value)


def test_a_damaged_hdf5_object_header_is_a_value_error(tmp_path):
    """h5py's KeyError for a damaged object becomes a ValueError naming the file."""
    path = tmp_path / "model.weights.h5"
    model = trained_model(seed=1)
    model.save_weights(path)
    with h5py.File(path, "r") as handle:
        address = h5py.h5o.get_info(handle["layers/dense/vars/0"].id).addr
    data = bytearray(path.read_bytes())
    data[address] = 0x7F  # the object header's version
    path.write_bytes(bytes(data))
    before = snapshot(model)
    with pytest.raises(ValueError, match="damaged or not a valid file: KeyError") as info:
        model.load_weights(path)
    assert str(path) in str(info.value)
    assert_same(before, snapshot(model))


def mutate(data, rng):
    data = bytearray(data)
    choice = rng.random()
    if choice < 0.5:
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif choice < 0.7:
        data = data[:rng.randrange(len(data))]
    elif choice < 0.85:
        start = rng.randrange(len(data))
        end = min(len(data), start + rng.randint(1, 200))
        data[start:end] = bytes(end - start)
    else:
        start = rng.randrange(len(data) - 4)
        data[start:start + 4] = struct.pack("<I", rng.choice([0, 1, 2 ** 31, 2 ** 32 - 1, rng.randrange(2 ** 20)]))
    return bytes(data)


def test_randomly_damaged_files_fail_only_with_value_errors_naming_them(tmp_path):
    model = trained_model(seed=1)
    model.save(tmp_path / "stored.keras")
    deflated_copy(tmp_path / "stored.keras", tmp_path / "deflated.keras")
    model.save_weights(tmp_path / "good.weights.h5")
    originals = {name: (tmp_path / name).read_bytes()
                 for name in ("stored.keras", "deflated.keras", "good.weights.h5")}
    rng = random.Random(0)
    failures = 0
    for trial in range(70):
        for name, data in originals.items():
            path = tmp_path / f"damaged_{name}"
            path.write_bytes(mutate(data, rng))
            target = trained_model(seed=2, epochs=0)
            before = snapshot(target)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    if name.endswith(".keras"):
                        keras.saving.load_model(path)
                    else:
                        target.load_weights(path)
            except ValueError as error:
                assert str(path) in str(error), error
                assert_same(before, snapshot(target))
                failures += 1
    assert failures > 100  # most damage is detected (weight values themselves carry no checksum in HDF5)
