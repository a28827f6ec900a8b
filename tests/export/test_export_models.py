"""Whole models: Sequential, functional graphs (several inputs/outputs, shared layers), nested models, the
MNIST MLP and a small convnet trained end to end; Model.export's file, formats and errors."""

import subprocess
import sys

import numpy as np
import pytest
from _onnx_check import assert_exports, randomize, run_onnx
from _shared_data import requires_mnist

import glassnet as keras
from glassnet import layers
from glassnet.export import ExportError, to_onnx


def test_several_inputs_and_outputs_with_a_shared_layer(rng):
    a, b = keras.Input((4,), name="left"), keras.Input((4,), name="right")
    shared = layers.Dense(3, activation="relu", name="shared")
    x, y = shared(a), shared(b)
    total = layers.Add()([x, y])
    model = keras.Model([a, b], [layers.Dense(2, name="head")(total), layers.Concatenate(name="both")([x, y])])
    randomize(model)
    proto = assert_exports(model, [rng.normal(size=(5, 4)).astype("float32") for _ in range(2)])
    assert [i.name for i in proto.graph.input] == ["left", "right"]
    assert [o.name for o in proto.graph.output] == ["head", "both"]
    assert sum(1 for w in proto.graph.initializer if w.name.startswith("shared/kernel")) == 1


def test_nested_models(rng):
    encoder = keras.Sequential([keras.Input((6,)), layers.Dense(4, activation="tanh"), layers.Dense(3)],
                               name="encoder")
    inner_in = keras.Input((3,))
    head = keras.Model(inner_in, layers.Dense(2, activation="softmax")(inner_in), name="head")
    inputs = keras.Input((6,))
    model = keras.Model(inputs, head(encoder(inputs)))
    outer = keras.Sequential([keras.Input((6,)), model, layers.Dense(1)])
    randomize(outer)
    assert_exports(outer, rng.normal(size=(3, 6)).astype("float32"))


def test_recurrent_states_and_two_way_outputs(rng):
    inputs = keras.Input((5, 3))
    sequence, h, c = layers.LSTM(4, return_sequences=True, return_state=True)(inputs)
    forward, backward = layers.Bidirectional(layers.GRU(2), merge_mode=None)(sequence)
    model = keras.Model(inputs, [h, c, forward, backward])
    randomize(model)
    assert_exports(model, rng.normal(size=(2, 5, 3)).astype("float32"))


def test_batch_axis_is_dynamic(rng):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
    proto = to_onnx(model)
    for batch in (1, 7):
        x = rng.normal(size=(batch, 4)).astype("float32")
        np.testing.assert_allclose(run_onnx(proto, [x])[0], model.predict(x, verbose=0), atol=1e-5)


def small_convnet(input_shape):
    return keras.Sequential([
        keras.Input(input_shape),
        layers.Conv2D(8, 3, padding="same"), layers.BatchNormalization(), layers.ReLU(),
        layers.MaxPooling2D(2), layers.Dropout(0.25),
        layers.Conv2D(8, 3, activation="relu"), layers.GlobalAveragePooling2D(),
        layers.Dense(10, activation="softmax"),
    ])


def test_small_convnet_trained_on_digits():
    (x, y), _ = keras.datasets.digits.load_data()
    x = (x[:300, ..., None] / 16.0).astype("float32")
    model = small_convnet(x.shape[1:])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y[:300], epochs=1, batch_size=32, verbose=0)
    assert_exports(model, x[:50])


@requires_mnist
def test_mnist_mlp_trained(tmp_path):
    from glassnet.cli import build_model

    (x, y), (x_test, _) = keras.datasets.mnist.load_data()
    x, x_test = x[:1000].astype("float32") / 255.0, x_test[:100].astype("float32") / 255.0
    model = build_model(x.shape[1:])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y[:1000], epochs=1, verbose=0)
    assert_exports(model, x_test)
    model.export(tmp_path / "mnist.onnx", verbose=False)
    import onnxruntime

    session = onnxruntime.InferenceSession(str(tmp_path / "mnist.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input_layer": x_test})[0]
    assert (got.argmax(1) == model.predict(x_test, verbose=0).argmax(1)).all()


def test_model_export_writes_a_checked_file(tmp_path, capsys, rng):
    import onnx

    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="sigmoid")])
    path = tmp_path / "model.onnx"
    model.export(str(path), format="onnx")
    assert "Saved artifact at" in capsys.readouterr().out
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    x = rng.normal(size=(4, 3)).astype("float32")
    np.testing.assert_allclose(run_onnx(proto, [x])[0], model.predict(x, verbose=0), atol=1e-5)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_tf_saved_model_format_is_refused(tmp_path):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="glassnet exports ONNX only"):
        model.export(str(tmp_path / "saved"), format="tf_saved_model")
    assert not list(tmp_path.iterdir())


def test_bad_paths(tmp_path):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.export(str(tmp_path / "missing" / "model.onnx"), verbose=False)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        model.export(str(tmp_path), verbose=False)


def test_unsupported_layer_is_named(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Lambda(lambda t: t * 2, name="doubler")(layers.Dense(3)(inputs)))
    with pytest.raises(ExportError, match=r"'doubler' \(Lambda\)"):
        model.export(str(tmp_path / "model.onnx"), verbose=False)
    assert not list(tmp_path.iterdir())


def test_subclass_of_a_supported_layer_is_not_exported_as_its_base():
    class Scaled(layers.Dense):
        def call(self, inputs):
            return super().call(inputs) * 2

    model = keras.Sequential([keras.Input((3,)), Scaled(2, name="scaled")])
    with pytest.raises(ExportError, match=r"'scaled' \(Scaled\)"):
        to_onnx(model)


def test_subclassed_model_is_refused():
    class Net(keras.Model):
        def __init__(self):
            super().__init__(name="net")
            self.dense = layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    net = Net()
    net(np.zeros((1, 3), "float32"))
    with pytest.raises(ExportError, match="subclassed model"):
        to_onnx(net)


def test_unbuilt_sequential_is_refused():
    with pytest.raises(ExportError, match="not built"):
        to_onnx(keras.Sequential([layers.Dense(2)]))


def test_embedding_mask_zero_is_refused():
    model = keras.Sequential([keras.Input((4,)), layers.Embedding(5, 2, mask_zero=True, name="words"),
                              layers.LSTM(2)])
    with pytest.raises(ExportError, match=r"'words' \(Embedding\).*mask_zero"):
        to_onnx(model)


def test_import_glassnet_does_not_import_onnx():
    code = "import sys, glassnet; glassnet.Sequential; print('onnx' in sys.modules, 'glassnet.export' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_missing_onnx_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    with pytest.raises(ImportError, match=r"pip install glassnet\[onnx\]"):
        to_onnx(model)


def test_input_signature_fixes_the_batch_size(rng):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    proto = to_onnx(model, input_signature=[(4, 3)])
    assert [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim] == [4, 3]
    with pytest.raises(ValueError, match="does not match"):
        to_onnx(model, input_signature=[(4, 3, 1)])
