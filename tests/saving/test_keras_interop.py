"""The .keras file shared with Keras 3 (torch backend): each loads the other's models and predicts the same.

These tests need Keras (``pip install keras torch``); CI installs both, so they run there.
"""

import os

import numpy as np
import pytest

import glassnet

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")


def mlp(k):
    return k.Sequential([k.Input(shape=(8, 8)), k.layers.Flatten(), k.layers.Dense(32, activation="relu"),
                         k.layers.Dropout(0.2), k.layers.Dense(10, activation="softmax")])


def cnn(k):
    return k.Sequential([
        k.Input(shape=(8, 8, 1)),
        k.layers.Conv2D(6, 3, padding="same", activation="relu"),
        k.layers.BatchNormalization(),
        k.layers.MaxPooling2D(),
        k.layers.Conv2D(8, 3, activation="relu"),
        k.layers.AveragePooling2D(pool_size=2),
        k.layers.Dropout(0.25),
        k.layers.Flatten(),
        k.layers.Dense(10, activation="softmax"),
    ])


def merges(k):
    a, b = k.Input(shape=(8, 8), name="a"), k.Input(shape=(8, 8), name="b")
    fa = k.layers.Dense(6, activation="tanh")(k.layers.Flatten()(a))
    fb = k.layers.Dense(6, activation="tanh")(k.layers.Flatten()(b))
    parts = [k.layers.Add()([fa, fb]), k.layers.Subtract()([fa, fb]), k.layers.Multiply()([fa, fb]),
             k.layers.Average()([fa, fb]), k.layers.Maximum()([fa, fb]), k.layers.Minimum()([fa, fb]),
             k.layers.Dot(axes=1, normalize=True)([fa, fb])]
    joined = k.layers.Concatenate()(parts)
    return k.Model([a, b], k.layers.Dense(10, activation="softmax")(joined))


def nested(k):
    inner_in = k.Input(shape=(64,))
    encoder = k.Model(inner_in, k.layers.Dense(16, activation="relu")(inner_in), name="encoder")
    block = k.Sequential([k.layers.Dense(16), k.layers.BatchNormalization()], name="block")
    inputs = k.Input(shape=(8, 8))
    flat = k.layers.Flatten()(inputs)
    main = k.layers.Dense(10, activation="softmax", name="digit")(k.layers.Add()([encoder(flat), block(flat)]))
    aux = k.layers.Dense(1, name="brightness")(flat)
    return k.Model(inputs, [main, aux])


ARCHITECTURES = {"mlp": mlp, "cnn": cnn, "merges": merges, "nested": nested}


def data(name, n=96):
    (x, y), _ = glassnet.datasets.digits.load_data()
    x, y = (x[:n] / 255.0).astype("float32"), y[:n].astype("int64")
    if name == "cnn":
        x = x[..., None]
    if name == "merges":
        return [x, x[:, ::-1]], y
    if name == "nested":
        return x, [y, x.mean(axis=(1, 2))[:, None]]
    return x, y


def compile_args(k, name):
    if name == "nested":
        return dict(optimizer=k.optimizers.RMSprop(momentum=0.5, centered=True),
                    loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5],
                    metrics=[["accuracy"], ["mae"]])
    return dict(optimizer=k.optimizers.Adam(learning_rate=0.003),
                loss=k.losses.SparseCategoricalCrossentropy(), metrics=["accuracy", k.metrics.SparseCategoricalAccuracy(
                    name="acc")])


def trained(k, name):
    model = ARCHITECTURES[name](k)
    model.compile(**compile_args(k, name))
    x, y = data(name)
    model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    return model


def as_list(outputs):
    return outputs if isinstance(outputs, list) else [outputs]


def keras_optimizer_state(model):
    return [np.asarray(v.numpy()) for v in model.optimizer.variables]


def glassnet_optimizer_state(model):
    from glassnet.saving.weights_h5 import optimizer_arrays

    return [np.asarray(a) for a in optimizer_arrays(model.optimizer)]


def assert_same_predictions(a, b, x):
    for mine, theirs in zip(as_list(a.predict(x, verbose=0)), as_list(b.predict(x, verbose=0))):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_glassnet_model_loads_in_keras(name, tmp_path):
    glassnet.utils.set_random_seed(0)
    ours = trained(glassnet, name)
    path = tmp_path / f"{name}.keras"
    ours.save(path)
    theirs = keras.models.load_model(path)
    x, _ = data(name, 40)
    assert_same_predictions(ours, theirs, x)
    assert [layer.name for layer in theirs.layers] == [layer.name for layer in ours.layers]
    mine, reference = glassnet_optimizer_state(ours), keras_optimizer_state(theirs)
    assert len(mine) == len(reference)
    for a, b in zip(mine, reference):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)  # the slots landed in Keras' own order


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_keras_model_loads_in_glassnet(name, tmp_path):
    keras.utils.set_random_seed(0)
    theirs = trained(keras, name)
    path = tmp_path / f"{name}.keras"
    theirs.save(path)
    ours = glassnet.models.load_model(path)
    x, y = data(name, 40)
    assert_same_predictions(ours, theirs, x)
    mine, reference = glassnet_optimizer_state(ours), keras_optimizer_state(theirs)
    assert len(mine) == len(reference)
    for a, b in zip(mine, reference):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), rtol=1e-4)


def test_training_continues_alike_in_both_after_loading_the_same_file(tmp_path):
    keras.utils.set_random_seed(0)
    theirs = trained(keras, "mlp")
    path = tmp_path / "mlp.keras"
    theirs.save(path)
    ours = glassnet.models.load_model(path)
    theirs = keras.models.load_model(path)
    x, y = data("mlp")
    for model in (ours, theirs):
        model.get_layer(index=2).rate = 0.0  # no dropout: the two runs draw different masks
        model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    assert_same_predictions(ours, theirs, x)


def test_weights_files_go_both_ways_for_functional_models(tmp_path):
    keras.utils.set_random_seed(0)
    theirs = trained(keras, "nested")
    path = tmp_path / "nested.weights.h5"
    theirs.save_weights(path)
    ours = nested(glassnet)
    ours.compile(**compile_args(glassnet, "nested"))
    ours.load_weights(path)
    x, _ = data("nested", 40)
    assert_same_predictions(ours, theirs, x)
    back = tmp_path / "back.weights.h5"
    ours.save_weights(back)
    fresh = nested(keras)
    fresh.load_weights(back)
    assert_same_predictions(ours, fresh, x)


def test_configs_match_keras_entry_for_entry():
    import json

    ours = json.loads(json.dumps(glassnet.saving.serialize_keras_object(cnn(glassnet))))
    theirs = json.loads(json.dumps(keras.saving.serialize_keras_object(cnn(keras))))  # as written to config.json

    def strip(entry):  # Keras-only extras (names differ per session; object ids; options glassnet leaves out)
        entry = {k: v for k, v in entry.items() if k not in ("name", "shared_object_id")}
        for key, value in entry.items():
            if isinstance(value, dict):
                entry[key] = strip(value)
        return entry

    ours_layers, theirs_layers = ours["config"]["layers"], theirs["config"]["layers"]
    assert [e["class_name"] for e in ours_layers] == [e["class_name"] for e in theirs_layers]
    for mine, reference in zip(ours_layers, theirs_layers):
        assert mine["module"] == reference["module"]
        if "build_config" in reference:  # (Keras writes none for layers built at construction, like pooling)
            assert mine["build_config"] == reference["build_config"]
        missing = set(strip(reference["config"])) - set(strip(mine["config"]))
        assert missing <= {"quantization_config", "synchronized", "renorm", "renorm_clipping", "renorm_momentum"}, \
            (reference["class_name"], missing)
