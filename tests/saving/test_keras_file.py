"""model.save / load_model round trips, configs and JSON, weights files, resumed training, atomic writes."""

import json
import os
import zipfile

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers, ops


def digits(n=256):
    (x, y), (xt, _) = keras.datasets.digits.load_data()
    return (x[:n] / 255.0).astype("float32"), y[:n], (xt[:64] / 255.0).astype("float32")


def sequential():
    return keras.Sequential([keras.Input(shape=(8, 8)), layers.Flatten(), layers.Dense(32, activation="relu"),
                             layers.Dropout(0.2), layers.Dense(10, activation="softmax")])


def residual():
    inputs = keras.Input(shape=(8, 8))
    x = layers.Dense(32, activation="relu")(layers.Flatten()(inputs))
    y = layers.Dense(32, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(layers.Add()([x, y]))
    return keras.Model(inputs=inputs, outputs=outputs)


def nested():
    inner_in = keras.Input(shape=(64,))
    encoder = keras.Model(inner_in, layers.Dense(16, activation="relu")(inner_in), name="encoder")
    block = keras.Sequential([layers.Dense(16, activation="tanh"), layers.BatchNormalization()], name="block")
    inputs = keras.Input(shape=(8, 8))
    flat = layers.Flatten()(inputs)
    joined = layers.Concatenate()([encoder(flat), block(flat)])
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(joined))


@keras.saving.register_keras_serializable(package="tests")
class Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gain")

    def call(self, inputs):
        return inputs * self.gain * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package="tests")
class Classifier(keras.Model):
    def __init__(self, hidden=24, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.flatten = layers.Flatten()
        self.blocks = [layers.Dense(hidden, activation="relu"), Scale(0.5)]
        self.head = layers.Dense(10, activation="softmax")

    def call(self, inputs):
        x = self.flatten(inputs)
        for block in self.blocks:
            x = block(x)
        return self.head(x)


BUILDERS = {"sequential": sequential, "residual": residual, "nested": nested, "subclassed": Classifier}


def trained(build, epochs=2):
    x, y, _ = digits()
    model = build()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return model


@pytest.mark.parametrize("name", list(BUILDERS))
def test_save_and_load_gives_the_same_model(name, tmp_path):
    model = trained(BUILDERS[name])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded).__name__ == type(model).__name__
    _, _, xt = digits()
    np.testing.assert_array_equal(loaded.predict(xt, verbose=0), model.predict(xt, verbose=0))
    assert [w.shape for w in loaded.weights] == [w.shape for w in model.weights]
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 16
    x, y, _ = digits()
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)


def test_the_file_is_keras_3s_zip_layout(tmp_path):
    path = tmp_path / "model.keras"
    trained(residual, epochs=1).save(path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
        config = json.loads(archive.read("config.json"))
        metadata = json.loads(archive.read("metadata.json"))
    assert config["class_name"] == "Functional" and config["registered_name"] == "Functional"
    assert config["module"] == "keras.src.models.functional"
    assert [entry["class_name"] for entry in config["config"]["layers"]] == \
        ["InputLayer", "Flatten", "Dense", "Dense", "Add", "Dense"]
    assert config["compile_config"]["loss"] == "sparse_categorical_crossentropy"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert metadata["keras_version"].startswith("3.")


def test_training_resumes_exactly_where_it_stopped(tmp_path):
    x, y, _ = digits()
    model = trained(residual, epochs=2)
    path = tmp_path / "checkpoint.keras"
    model.save(path)
    resumed = keras.models.load_model(path)
    for m in (model, resumed):
        m.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)  # Adam's moments and step count came back: the same update
    fresh_optimizer = keras.models.load_model(path, compile=False)
    fresh_optimizer.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    fresh_optimizer.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    assert not np.allclose(fresh_optimizer.get_weights()[1], model.get_weights()[1])  # without them, it differs


def test_load_without_compile_gives_an_uncompiled_model(tmp_path):
    path = tmp_path / "m.keras"
    trained(sequential, epochs=1).save(path)
    model = keras.models.load_model(path, compile=False)
    assert not model.compiled and model.optimizer is None
    assert keras.saving.load_model(path).compiled


def test_custom_layer_loads_through_custom_objects_when_not_registered(tmp_path):
    class Offset(layers.Layer):
        def __init__(self, amount, **kwargs):
            super().__init__(**kwargs)
            self.amount = amount

        def call(self, inputs):
            return inputs + self.amount

    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, Offset(1.5)(layers.Dense(2)(inputs)))
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects={"Offset": Offset})
    x = np.ones((2, 3), dtype="float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    with keras.saving.custom_object_scope({"Offset": Offset}):
        assert keras.models.load_model(path).layers[-1].amount == 1.5


def test_several_inputs_and_outputs_with_dicts_round_trip(tmp_path, rng):
    a, b = keras.Input(shape=(4,), name="a"), keras.Input(shape=(3,), name="b")
    h = layers.Dense(8, activation="relu")(layers.Concatenate()([a, b]))
    model = keras.Model({"a": a, "b": b}, {"value": layers.Dense(1, name="v")(h),
                                           "kind": layers.Dense(2, activation="softmax", name="k")(h)})
    model.compile(optimizer="rmsprop", loss={"value": "mse", "kind": "sparse_categorical_crossentropy"},
                  loss_weights={"value": 0.5, "kind": 1.0}, metrics={"kind": ["accuracy"]})
    x = {"a": rng.random((16, 4)).astype("float32"), "b": rng.random((16, 3)).astype("float32")}
    y = {"value": rng.random((16, 1)).astype("float32"), "kind": rng.integers(0, 2, 16)}
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    out, expected = loaded.predict(x, verbose=0), model.predict(x, verbose=0)
    for key in expected:
        np.testing.assert_array_equal(out[key], expected[key])
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(
        model.evaluate(x, y, verbose=0, return_dict=True))


def test_shared_layers_stay_shared_after_loading(tmp_path, rng):
    shared = layers.Dense(3, name="shared")
    a, b = keras.Input(shape=(5,)), keras.Input(shape=(5,))
    model = keras.Model([a, b], layers.Multiply()([shared(a), shared(b)]))
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert len(loaded.weights) == 2 and len(loaded.get_layer("shared")._inbound_nodes) == 2
    x = [rng.random((2, 5)).astype("float32"), rng.random((2, 5)).astype("float32")]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# --- configs and JSON ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sequential", "residual", "nested"])
def test_get_config_from_config_rebuilds_the_architecture(name):
    model = BUILDERS[name]()
    clone = type(model).from_config(model.get_config())
    assert [type(layer).__name__ for layer in clone.layers] == [type(layer).__name__ for layer in model.layers]
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    clone.set_weights(model.get_weights())
    _, _, xt = digits()
    np.testing.assert_allclose(clone.predict(xt, verbose=0), model.predict(xt, verbose=0), rtol=1e-6)


def test_to_json_and_model_from_json(rng):
    model = nested()
    text = model.to_json()
    assert json.loads(text)["class_name"] == "Functional"
    clone = keras.models.model_from_json(text)
    assert clone.count_params() == model.count_params()
    assert clone.get_config() == model.get_config()
    assert keras.models.clone_model(model).to_json() == text


# --- weights files ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(BUILDERS))
def test_save_weights_and_load_weights_into_a_fresh_instance(name, tmp_path):
    model = trained(BUILDERS[name], epochs=1)
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    fresh = BUILDERS[name]()
    _, _, xt = digits()
    fresh(xt[:1])
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(xt, verbose=0), model.predict(xt, verbose=0))


def test_weights_paths_follow_keras_3s_walk(tmp_path):
    import h5py

    path = tmp_path / "w.weights.h5"
    model = Classifier()
    model(np.zeros((1, 8, 8), dtype="float32"))
    model.save_weights(path)
    found = []
    with h5py.File(path, "r") as handle:
        handle.visit(lambda name: found.append(name) if name.endswith("/vars") or name == "vars" else None)
    # sorted attributes: blocks (a list: keyed by class), flatten, head, then "layers" (all seen already)
    assert sorted(found) == ["blocks/dense/vars", "blocks/scale/vars", "flatten/vars", "head/vars", "vars"]


def test_load_weights_from_a_keras_file(tmp_path):
    model = trained(residual, epochs=1)
    path = tmp_path / "m.keras"
    model.save(path)
    fresh = residual()
    fresh.load_weights(path)
    _, _, xt = digits()
    np.testing.assert_array_equal(fresh.predict(xt, verbose=0), model.predict(xt, verbose=0))


def test_optimizer_state_loads_with_load_weights(tmp_path):
    x, y, _ = digits()
    model = trained(residual, epochs=1)
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    other = residual()
    other.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    other.load_weights(path)
    assert other.optimizer.iterations == model.optimizer.iterations
    for m in (model, other):
        m.fit(x, y, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_optimizer_state_of_another_optimizer_is_skipped_with_a_warning(tmp_path):
    model = trained(sequential, epochs=1)
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    other = sequential()
    other.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.warns(UserWarning, match="Skipping the optimizer state"):
        other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make, slots", [
    (lambda: keras.optimizers.RMSprop(momentum=0.5, centered=True), ["velocity", "momentum", "average_gradient"]),
    (lambda: keras.optimizers.Adam(amsgrad=True), ["momentum", "velocity", "velocity_hat"]),
    (lambda: keras.optimizers.SGD(momentum=0.9), ["momentum"]),
])
def test_optimizer_slots_are_stored_in_keras_order(make, slots):
    from glassnet.saving.weights_h5 import optimizer_arrays

    model = sequential()
    model.compile(optimizer=make(), loss="sparse_categorical_crossentropy")
    x, y, _ = digits(32)
    model.fit(x, y, epochs=1, verbose=0)
    arrays = optimizer_arrays(model.optimizer)
    shapes = [w.shape for w in model.trainable_weights]
    # Keras: iterations, learning rate, then per group of slots ("momentum, velocity" interleaved for Adam), each
    # group over all the weights in order
    groups = [["momentum", "velocity"], ["velocity_hat"]] if "velocity_hat" in slots else [[s] for s in slots]
    expected = [shape for group in groups for shape in shapes for _ in group]
    assert [a.shape for a in arrays[2:]] == expected
    optimizer = model.optimizer
    first_group = groups[0][0]
    np.testing.assert_array_equal(arrays[2], optimizer.slots_of(optimizer._trainable_variables[0])[first_group])


# --- atomic writes ------------------------------------------------------------------------------------------------
def test_a_save_that_fails_while_writing_weights_keeps_the_old_file(tmp_path, monkeypatch):
    import h5py

    path = tmp_path / "model.keras"
    model = trained(sequential, epochs=1)
    model.save(path)
    content = path.read_bytes()
    created = []
    original = h5py.Group.create_dataset

    def fail_on_the_third(self, *args, **kwargs):
        created.append(args[0] if args else kwargs.get("name"))
        if len(created) == 3:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, "create_dataset", fail_on_the_third)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras"]


def test_a_save_interrupted_midway_through_the_file_keeps_the_old_file(tmp_path, monkeypatch):
    from glassnet.saving import keras_file

    path = tmp_path / "model.keras"
    first = trained(sequential, epochs=1)
    first.save(path)
    content = path.read_bytes()
    second = trained(residual, epochs=1)

    def crash(descriptor):
        assert os.path.getsize(next(p for p in tmp_path.iterdir() if p.name.endswith(".tmp"))) > 1000
        raise KeyboardInterrupt  # the write got this far when the user pressed Ctrl-C

    monkeypatch.setattr(keras_file.os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        second.save(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras"]
    assert type(keras.models.load_model(path)).__name__ == "Sequential"


def test_a_model_that_cannot_be_serialized_never_touches_the_file(tmp_path):
    class Holder(layers.Layer):
        def __init__(self, table, **kwargs):
            super().__init__(**kwargs)
            self.table = table

    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, Holder(object())(inputs))
    path = tmp_path / "model.keras"
    path.write_bytes(b"earlier")
    with pytest.raises(NotImplementedError, match="get_config"):
        model.save(path)
    assert path.read_bytes() == b"earlier"


def test_file_names_and_overwrite(tmp_path):
    model = sequential()
    with pytest.raises(ValueError, match="must end in '.keras'"):
        model.save(tmp_path / "model.zip")
    with pytest.warns(UserWarning, match="considered legacy"):  # Keras' legacy HDF5 format (test_legacy_h5.py)
        model.save(tmp_path / "model.h5")
    path = tmp_path / "model.keras"
    model.save(path)
    with pytest.raises(FileExistsError, match="overwrite=False"):
        model.save(path, overwrite=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.h5", "model.keras"]


def test_register_keras_serializable_names():
    assert keras.saving.get_registered_name(Scale) == "tests>Scale"
    assert keras.saving.get_custom_objects()["tests>Classifier"] is Classifier
    assert keras.utils.register_keras_serializable is keras.saving.register_keras_serializable
    entry = keras.saving.serialize_keras_object(Scale(3.0))
    assert entry["registered_name"] == "tests>Scale" and entry["config"]["factor"] == 3.0
    class Other(layers.Layer):
        pass

    with pytest.raises(ValueError, match="already registered"):  # another class under a name that is taken
        keras.saving.register_keras_serializable(package="tests", name="Scale")(Other)


def test_custom_functions_in_compile_come_back(tmp_path, rng):
    @keras.saving.register_keras_serializable(package="tests")
    def halved_mse(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1) / 2.0

    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss=halved_mse, metrics=["mae"])
    x, y = rng.random((8, 3)).astype("float32"), rng.random((8, 1)).astype("float32")
    model.fit(x, y, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))
