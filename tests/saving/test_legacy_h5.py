"""Keras' legacy HDF5 whole-model file (``model.save("m.h5")``): round trips, both ways with Keras 3, safety.

The layout is compared with the file Keras 3 (torch backend) writes for the
same model, and each side loads the other's files with equal predictions.
"""

import json
import os

import h5py
import numpy as np
import pytest

import glassnet as gn
from glassnet.saving.weights_h5 import optimizer_arrays

os.environ["KERAS_BACKEND"] = "torch"
k = pytest.importorskip("keras")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
LEGACY = pytest.warns(UserWarning, match="This file format is considered legacy")


def data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 6)).astype("float32"), rng.integers(0, 3, n)


def sequential(lib):
    return lib.Sequential([lib.Input((6,), name="x"), lib.layers.Dense(5, activation="relu", name="hidden"),
                           lib.layers.Dropout(0.2, name="drop"),
                           lib.layers.Dense(3, activation="softmax", name="out")], name="seq")


def functional(lib):
    inputs = lib.Input((6,), name="x")
    a = lib.layers.Dense(4, activation="tanh", name="left")(inputs)
    b = lib.layers.Dense(4, name="right")(inputs)
    merged = lib.layers.Concatenate(name="cat")([lib.layers.Add(name="add")([a, b]), a])
    normed = lib.layers.BatchNormalization(name="norm")(merged)
    return lib.Model(inputs, lib.layers.Dense(3, activation="softmax", name="out")(normed), name="fun")


def nested(lib):
    """A Sequential block inside a functional model: its weights are one entry of the outer model's layers."""
    block = lib.Sequential([lib.Input((6,)), lib.layers.Dense(4, name="inner"),
                            lib.layers.BatchNormalization(name="bn")], name="block")
    inputs = lib.Input((6,), name="x")
    return lib.Model(inputs, lib.layers.Dense(3, activation="softmax", name="out")(block(inputs)), name="outer")


def trained(lib, build, optimizer="adam", epochs=2):
    x, y = data()
    model = build(lib)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=8, verbose=0)
    return model


def save(model, path):
    with pytest.warns(UserWarning, match="This file format is considered legacy"):
        model.save(path)


def keras_numpy(value):
    return k.ops.convert_to_numpy(value)


# --- round trips in glassnet ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("build", [sequential, functional, nested])
def test_round_trip_keeps_predictions_compile_and_optimizer_state(tmp_path, build):
    model = trained(gn, build)
    path = tmp_path / "model.h5"
    save(model, path)
    loaded = gn.models.load_model(path)
    x, y = data(seed=1)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert type(loaded).__name__ == type(model).__name__
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert type(loaded.optimizer) is gn.optimizers.Adam and loaded.optimizer.iterations == model.optimizer.iterations
    for ours, theirs in zip(optimizer_arrays(loaded.optimizer), optimizer_arrays(model.optimizer)):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0), rtol=1e-6)
    for each in (loaded, model):  # training goes on from the restored state: the same step from the same seed
        gn.utils.set_random_seed(7)
        each.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_uncompiled_model_loads_uncompiled_with_keras_warning(tmp_path):
    model = functional(gn)
    path = tmp_path / "plain.hdf5"
    save(model, path)
    with h5py.File(path) as handle:
        assert "training_config" not in handle.attrs and "optimizer_weights" not in handle
    with pytest.warns(UserWarning, match="No training configuration found"):
        loaded = gn.models.load_model(path)
    assert not loaded.compiled
    x, _ = data()
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert not gn.saving.load_model(path, compile=False).compiled


def test_include_optimizer_false_and_compile_false(tmp_path):
    model = trained(gn, sequential)
    path = tmp_path / "m.h5"
    with LEGACY:
        model.save(path, include_optimizer=False)
    with h5py.File(path) as handle:
        assert "training_config" not in handle.attrs and "optimizer_weights" not in handle
    save(model, path)
    assert not gn.models.load_model(path, compile=False).compiled


# --- the layout Keras writes ----------------------------------------------------------------------------------------
def _layout(path):
    """Everything but the values: attribute names, names lists, groups, dataset shapes, config and training config."""
    def names(group, attribute):
        return [n.decode() if isinstance(n, bytes) else n for n in group.attrs[attribute]]

    with h5py.File(path) as handle:
        weights = handle["model_weights"]
        layout = {"root": sorted(handle.attrs), "groups": sorted(handle), "weights_attrs": sorted(weights.attrs),
                  "layer_names": names(weights, "layer_names"), "keras_version": handle.attrs["keras_version"],
                  "layers": {name: [(w, weights[name][w].shape, weights[name][w].dtype) for w in
                                    names(weights[name], "weight_names")] for name in weights},
                  "optimizer": [(w, handle["optimizer_weights"][w].shape) for w in
                                names(handle["optimizer_weights"], "weight_names")],
                  "training": json.loads(handle.attrs["training_config"])}
        config = json.loads(handle.attrs["model_config"])
    return layout, config


_NOT_COMPARED = {"quantization_config", "input_axes", "output_axes", "activity_regularizer", "module",
                 "registered_name", "seed", "build_input_shape", "renorm", "renorm_clipping", "renorm_momentum"}


def _strip_initializer_details(value):
    """Drop options one library writes and the other does not (in any format, not only this one), and None kwargs."""
    if isinstance(value, dict):
        return {key: _strip_initializer_details(item) for key, item in value.items()
                if key not in _NOT_COMPARED and not (key == "mask" and item is None)}
    if isinstance(value, list):
        return [_strip_initializer_details(item) for item in value]
    return value


@pytest.mark.parametrize("build", [sequential, functional])
def test_layout_is_the_one_keras_writes(tmp_path, build):
    ours, theirs = trained(gn, build), trained(k, build)
    save(ours, tmp_path / "ours.h5")
    theirs.save(tmp_path / "theirs.h5")
    our_layout, our_config = _layout(tmp_path / "ours.h5")
    their_layout, their_config = _layout(tmp_path / "theirs.h5")
    # Keras names a Sequential's weights "seq/hidden/kernel" (its name scope), glassnet "hidden/kernel": compare
    # the datasets' shapes and order, and the names of the optimizer's variables after that prefix
    for name, weights in their_layout["layers"].items():
        assert [(w.split("/")[-1], s, d) for w, s, d in our_layout["layers"][name]] == \
            [(w.split("/")[-1], s, d) for w, s, d in weights]
    def variable_names(layout):  # without the optimizer's own name, which Keras numbers per session ("adam_1")
        return [(w.split("/", 1)[1].replace("seq_", ""), s) for w, s in layout["optimizer"]]
    assert variable_names(our_layout) == variable_names(their_layout)
    for key in ("root", "groups", "weights_attrs", "layer_names", "keras_version"):
        assert our_layout[key] == their_layout[key], key
    our_optimizer = our_layout["training"].pop("optimizer_config")
    their_optimizer = their_layout["training"].pop("optimizer_config")
    assert our_layout["training"] == their_layout["training"]
    assert our_optimizer["class_name"] == their_optimizer["class_name"] == "Adam"
    for key, value in our_optimizer["config"].items():  # Keras has a few more options (EMA, loss scaling)
        assert value == pytest.approx(their_optimizer["config"][key]) if key != "name" else True, key
    assert their_config.keys() == our_config.keys() == {"class_name", "config"}
    assert [sorted(layer) for layer in our_config["config"]["layers"]] == \
        [sorted(layer) for layer in their_config["config"]["layers"]]
    assert _strip_initializer_details(our_config) == _strip_initializer_details(their_config)


# --- both ways with Keras 3 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("build", [sequential, functional, nested])
def test_keras_h5_loads_in_glassnet(tmp_path, build):
    theirs = trained(k, build)
    path = tmp_path / "keras.h5"
    theirs.save(path)
    ours = gn.models.load_model(path)
    x, y = data(seed=2)
    np.testing.assert_allclose(ours.predict(x, verbose=0), keras_numpy(theirs.predict(x, verbose=0)), rtol=1e-5,
                               atol=1e-5)
    assert ours.optimizer.iterations == int(keras_numpy(theirs.optimizer.iterations))
    for mine, keras_variable in zip(optimizer_arrays(ours.optimizer), theirs.optimizer.variables):
        np.testing.assert_allclose(mine, keras_numpy(keras_variable), rtol=1e-6)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), rtol=1e-5)


@pytest.mark.parametrize("build", [sequential, functional, nested])
def test_glassnet_h5_loads_in_keras(tmp_path, build):
    ours = trained(gn, build)
    path = tmp_path / "glassnet.h5"
    save(ours, path)
    theirs = k.models.load_model(path)
    x, y = data(seed=3)
    np.testing.assert_allclose(keras_numpy(theirs.predict(x, verbose=0)), ours.predict(x, verbose=0), rtol=1e-5,
                               atol=1e-5)
    assert int(keras_numpy(theirs.optimizer.iterations)) == ours.optimizer.iterations
    for mine, keras_variable in zip(optimizer_arrays(ours.optimizer), theirs.optimizer.variables):
        np.testing.assert_allclose(keras_numpy(keras_variable), mine, rtol=1e-6)
    np.testing.assert_allclose(theirs.evaluate(x, y, verbose=0), ours.evaluate(x, y, verbose=0), rtol=1e-5)


def test_sgd_with_momentum_and_loss_objects_travel_both_ways(tmp_path):
    model = sequential(gn)
    model.compile(optimizer=gn.optimizers.SGD(0.05, momentum=0.9), loss=gn.losses.SparseCategoricalCrossentropy(),
                  metrics=[gn.metrics.SparseCategoricalAccuracy()])
    x, y = data()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    save(model, tmp_path / "sgd.h5")
    theirs, ours = k.models.load_model(tmp_path / "sgd.h5"), gn.models.load_model(tmp_path / "sgd.h5")
    assert type(theirs.optimizer).__name__ == type(ours.optimizer).__name__ == "SGD"
    assert ours.optimizer.momentum == 0.9 and float(theirs.optimizer.momentum) == 0.9
    np.testing.assert_allclose(theirs.evaluate(x, y, verbose=0), ours.evaluate(x, y, verbose=0), rtol=1e-5)


# --- load_weights ---------------------------------------------------------------------------------------------------
def test_load_weights_from_a_whole_model_file_in_order_and_by_name(tmp_path):
    theirs = trained(k, functional)
    theirs.save(tmp_path / "keras.h5")
    x, _ = data()
    expected = keras_numpy(theirs.predict(x, verbose=0))
    ours = functional(gn)
    ours.load_weights(tmp_path / "keras.h5")
    np.testing.assert_allclose(ours.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-5)
    renamed = functional(gn)  # same names, so by_name finds every layer
    renamed.load_weights(tmp_path / "keras.h5", by_name=True)
    np.testing.assert_allclose(renamed.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-5)


def _keras2_weights_file(path, model):
    """A Keras 2 ``save_weights("w.h5")`` file: the layers' group at the root, names ending in ``:0``."""
    with h5py.File(path, "w") as handle:
        handle.attrs["layer_names"] = np.array([layer.name.encode() for layer in model.layers])
        handle.attrs["backend"], handle.attrs["keras_version"] = b"tensorflow", b"2.15.0"
        for layer in model.layers:
            weights = layer.trainable_weights + layer.non_trainable_weights
            names = [f"{layer.name}/{w.name}:0".encode() for w in weights]
            group = handle.create_group(layer.name)
            group.attrs["weight_names"] = np.array(names) if names else np.zeros(0)
            for name, weight in zip(names, weights):
                group.create_dataset(name.decode(), data=keras_numpy(weight))


def test_keras2_style_weights_file_by_order_by_name_and_mismatches(tmp_path):
    source = trained(k, sequential)
    path = tmp_path / "weights.h5"
    _keras2_weights_file(path, source)
    x, _ = data()
    expected = keras_numpy(source.predict(x, verbose=0))
    model = sequential(gn)
    model.load_weights(path)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-5)
    # by name: only the layer called "hidden" matches; "out" here has other weights and another name
    other = gn.Sequential([gn.Input((6,)), gn.layers.Dense(5, activation="relu", name="hidden"),
                           gn.layers.Dense(2, name="other")])
    before = other.get_layer("other").get_weights()
    other.load_weights(path, by_name=True)
    np.testing.assert_allclose(other.get_layer("hidden").get_weights()[0], keras_numpy(source.layers[0].kernel))
    np.testing.assert_array_equal(other.get_layer("other").get_weights()[0], before[0])
    # by order, that model's second layer has the wrong shapes: refused, and nothing changes
    weights = [w.copy() for w in other.get_weights()]
    with pytest.raises(ValueError, match=r"weights\.h5.*Shape mismatch.*'other'"):
        other.load_weights(path)
    for now, then in zip(other.get_weights(), weights):
        np.testing.assert_array_equal(now, then)
    with pytest.warns(UserWarning, match="Skipping loading it: Shape mismatch"):
        other.load_weights(path, skip_mismatch=True)
    np.testing.assert_allclose(other.get_layer("hidden").get_weights()[1], keras_numpy(source.layers[0].bias))
    with pytest.raises(ValueError, match="Layer count mismatch"):
        gn.Sequential([gn.Input((6,)), gn.layers.Dense(5, name="hidden")]).load_weights(path)


def test_keras_load_weights_reads_our_file(tmp_path):
    ours = trained(gn, functional)
    save(ours, tmp_path / "m.h5")
    theirs = functional(k)
    theirs.load_weights(tmp_path / "m.h5")
    x, _ = data()
    np.testing.assert_allclose(keras_numpy(theirs.predict(x, verbose=0)), ours.predict(x, verbose=0), rtol=1e-5,
                               atol=1e-5)


def test_by_name_only_for_legacy_files(tmp_path):
    model = sequential(gn)
    model.save_weights(tmp_path / "m.weights.h5")
    with pytest.raises(ValueError, match="`by_name` only supports loading legacy"):
        model.load_weights(tmp_path / "m.weights.h5", by_name=True)
    with pytest.raises(ValueError, match="Invalid keyword arguments"):
        model.load_weights(tmp_path / "m.weights.h5", by_nmae=True)


# --- ModelCheckpoint ------------------------------------------------------------------------------------------------
def test_model_checkpoint_h5_save_best_only_writes_a_loadable_file(tmp_path):
    x, y = data(40)
    model = sequential(gn)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    path = tmp_path / "best_model.h5"
    checkpoint = gn.callbacks.ModelCheckpoint(str(path), save_best_only=True, monitor="loss")
    with pytest.warns(UserWarning, match="legacy"):
        model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[checkpoint])
    assert os.listdir(tmp_path) == ["best_model.h5"]
    loaded = gn.models.load_model(path)
    theirs = k.models.load_model(path)
    np.testing.assert_allclose(keras_numpy(theirs.predict(x, verbose=0)), loaded.predict(x, verbose=0), rtol=1e-5,
                               atol=1e-6)
    with pytest.raises(ValueError, match="must end in `.keras`"):  # as Keras' ModelCheckpoint, which takes .h5 only
        gn.callbacks.ModelCheckpoint(str(tmp_path / "m.hdf5"))


# --- damaged files, failed saves, lambdas ---------------------------------------------------------------------------
@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "model.h5"
    save(trained(gn, functional, epochs=1), path)
    return path


def _edit(path, change):
    with h5py.File(path, "r+") as handle:
        change(handle)


KERNEL = "model_weights/left/left/kernel"


def set_attribute(name, value):
    return lambda path: _edit(path, lambda handle: handle.attrs.__setitem__(name, value))


def delete(name, attribute=False):
    return lambda path: _edit(path, lambda handle: (handle.attrs if attribute else handle).__delitem__(name))


def replace(name, value):
    """Put ``value`` (an array, or an h5py link) where the dataset ``name`` was."""
    def change(handle):
        del handle[name]
        handle[name] = value
    return lambda path: _edit(path, change)


def list_weights(names):
    return lambda path: _edit(path, lambda handle: handle["model_weights/left"].attrs.__setitem__("weight_names",
                                                                                                  np.array(names)))


@pytest.mark.parametrize("damage,message", [
    (lambda path: path.write_bytes(path.read_bytes()[:3000]), "not a valid HDF5 file"),
    (lambda path: path.write_bytes(b"hello, this is text"), "not a valid HDF5 file"),
    (delete("model_config", attribute=True), "has no model_config"),
    (set_attribute("model_config", b"{not json"), "model_config.*not valid JSON"),
    (set_attribute("model_config", b"[1, 2]"), "not a serialized model"),
    (set_attribute("training_config", b"{}"), "training_config"),
    (delete("model_weights/left"), "does not hold"),
    (delete("model_weights"), "has no model_weights"),
    (replace(KERNEL, np.zeros((2, 2), "float32")), "Shape mismatch"),
    (replace(KERNEL, h5py.SoftLink("/model_weights/right/right/kernel")), "SoftLink"),
    (replace(KERNEL, np.array([[b"ab"] * 4] * 6)), "not numbers"),
    (list_weights([b"../right/right/kernel", b"x"]), "not a plain HDF5 path"),
    (list_weights([b"left/kernel"]), "Weight count mismatch"),
])
def test_damaged_files_get_a_value_error_naming_the_file(saved, damage, message):
    damage(saved)
    with pytest.raises(ValueError, match=message) as raised:
        gn.models.load_model(saved)
    assert repr(str(saved)) in str(raised.value)


def test_optimizer_state_of_another_optimizer_is_skipped_with_a_warning(saved):
    def swap(handle):
        config = json.loads(handle.attrs["training_config"])
        config["optimizer_config"] = {"class_name": "SGD", "config": {"learning_rate": 0.1, "momentum": 0.9}}
        handle.attrs["training_config"] = json.dumps(config).encode()
    _edit(saved, swap)
    with pytest.warns(UserWarning, match="Skipping the optimizer state"):
        loaded = gn.models.load_model(saved)
    assert type(loaded.optimizer) is gn.optimizers.SGD and loaded.optimizer.iterations == 0


def test_failed_saves_leave_the_previous_file_intact(tmp_path, monkeypatch):
    from glassnet.saving import legacy_h5

    path = tmp_path / "model.h5"
    path.write_bytes(b"earlier")
    unbuilt = gn.Sequential([gn.layers.Dense(2)])
    with LEGACY, pytest.raises(ValueError, match="has no weights yet"):
        unbuilt.save(path)

    def fail_midway(handle, contents):
        handle.create_group("model_weights")
        raise OSError("disk full")
    monkeypatch.setattr(legacy_h5, "write_file", fail_midway)
    with LEGACY, pytest.raises(OSError, match="disk full"):
        sequential(gn).save(path)
    assert path.read_bytes() == b"earlier" and os.listdir(tmp_path) == ["model.h5"]
    with LEGACY, pytest.raises(FileExistsError):
        sequential(gn).save(path, overwrite=False)


def test_failed_load_weights_changes_nothing(saved):
    _edit(saved, lambda h: h.__delitem__("model_weights/out/out/bias") or
          h.create_dataset("model_weights/out/out/bias", data=np.full(3, 1e39)))  # beyond float32
    model = functional(gn)
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="beyond the range of float32"):
        model.load_weights(saved)
    for now, then in zip(model.get_weights(), before):
        np.testing.assert_array_equal(now, then)


def test_lambda_with_code_is_refused(tmp_path):
    inputs = k.Input((6,))
    theirs = k.Model(inputs, k.layers.Lambda(lambda t: t * 2.0, output_shape=(6,))(k.layers.Dense(6)(inputs)))
    path = tmp_path / "lambda.h5"
    theirs.save(path)
    with pytest.raises(ValueError, match="lambda.*safe_mode=False") as raised:
        gn.models.load_model(path)
    assert repr(str(path)) in str(raised.value)

    def keras2_form(handle):  # Keras 2 stored the function as [code, defaults, closure]
        config = json.loads(handle.attrs["model_config"])
        for layer in config["config"]["layers"]:
            if layer["class_name"] == "Lambda":
                function = layer["config"]["function"]["config"]
                layer["config"]["function"] = [function["code"], None, None]
                layer["config"]["function_type"] = "lambda"
        handle.attrs["model_config"] = json.dumps(config).encode()
    _edit(path, keras2_form)
    with pytest.raises(ValueError, match="lambda.*safe_mode=False"):
        gn.models.load_model(path)
