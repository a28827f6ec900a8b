"""Functional models: graphs of layer calls, several inputs and outputs, shared layers, nested models."""

import os

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers
from glassnet.models.graph import map_graph


def _keras():
    os.environ["KERAS_BACKEND"] = "torch"
    return pytest.importorskip("keras")


def residual_model(k=keras):
    inputs = k.Input(shape=(784,))
    x = k.layers.Dense(64, activation="relu")(inputs)
    y = k.layers.Dense(64, activation="relu")(x)
    x = k.layers.Add()([x, y])
    outputs = k.layers.Dense(10, activation="softmax")(x)
    return k.Model(inputs=inputs, outputs=outputs)


def two_in_two_out(k=keras):
    a = k.Input(shape=(8,), name="a")
    b = k.Input(shape=(5,), name="b")
    h = k.layers.Concatenate(name="joined")([a, b])
    h = k.layers.Dense(16, activation="relu", name="hidden")(h)
    score = k.layers.Dense(1, name="score")(h)
    label = k.layers.Dense(3, activation="softmax", name="label")(h)
    return k.Model(inputs=[a, b], outputs=[score, label], name="two_heads")


def copy_weights(source, target):
    """Keras' weights into glassnet's (or back): same order, as both order weights by layer."""
    target.set_weights([np.asarray(w) for w in source.get_weights()])


def test_model_of_inputs_and_outputs_is_functional():
    model = residual_model()
    assert type(model).__name__ == "Functional" and isinstance(model, keras.Model)
    assert [layer.name for layer in model.layers] == ["input_layer", "dense", "dense_1", "add", "dense_2"]
    assert isinstance(model.layers[0], layers.InputLayer)
    assert model.input_shape == (None, 784) and model.output_shape == (None, 10)
    assert model.count_params() == 784 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10


def test_forward_pass_is_the_hand_computed_residual_block(rng):
    model = residual_model()
    x = rng.random((5, 784)).astype("float32")
    w1, b1, w2, b2, w3, b3 = model.get_weights()
    h = np.maximum(x @ w1 + b1, 0)
    h = h + np.maximum(h @ w2 + b2, 0)
    logits = h @ w3 + b3
    expected = np.exp(logits - logits.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_layers_and_weights_come_in_keras_order():
    k = _keras()
    ours, theirs = two_in_two_out(), two_in_two_out(k)
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert ours.output_names == list(theirs.output_names)


def test_matches_keras_outputs_for_the_same_weights(rng):
    k = _keras()
    ours, theirs = two_in_two_out(), two_in_two_out(k)
    copy_weights(theirs, ours)
    x = [rng.random((6, 8)).astype("float32"), rng.random((6, 5)).astype("float32")]
    for a, b in zip(ours.predict(x, verbose=0), theirs.predict(x, verbose=0)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_inputs_by_name_in_a_dict_and_dict_outputs(rng):
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    s = layers.Dense(1, name="s")(layers.Concatenate()([a, b]))
    model = keras.Model({"b": b, "a": a}, {"second": s, "first": layers.Dense(2, name="f")(a)})
    assert [t.name for t in model.inputs] == ["a", "b"]  # dicts flatten by sorted key, as Keras does
    assert model.output_names == ["f", "s"]
    xa, xb = rng.random((4, 3)).astype("float32"), rng.random((4, 2)).astype("float32")
    out = model.predict({"a": xa, "b": xb}, verbose=0)
    assert sorted(out) == ["first", "second"] and out["second"].shape == (4, 1)
    same = model.predict([xa, xb], verbose=0)  # a list in the flattened order works too
    np.testing.assert_allclose(same["first"], out["first"])


def test_shared_layer_is_one_layer_with_two_calls(rng):
    shared = layers.Dense(4, name="shared")
    a, b = keras.Input(shape=(6,)), keras.Input(shape=(6,))
    model = keras.Model([a, b], layers.Subtract()([shared(a), shared(b)]))
    assert [layer.name for layer in model.layers].count("shared") == 1
    assert len(model.weights) == 2
    xa, xb = rng.random((3, 6)).astype("float32"), rng.random((3, 6)).astype("float32")
    kernel, bias = shared.get_weights()
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0), (xa - xb) @ kernel, rtol=1e-5, atol=1e-6)


def test_nested_model_is_a_layer_with_its_own_node(rng):
    inner_in = keras.Input(shape=(5,))
    inner = keras.Model(inner_in, layers.Dense(3, name="inner_dense")(inner_in), name="encoder")
    a, b = keras.Input(shape=(5,), name="a"), keras.Input(shape=(5,), name="b")
    outer = keras.Model([a, b], layers.Average()([inner(a), inner(b)]), name="outer")
    assert [layer.name for layer in outer.layers] == ["a", "b", "encoder", "average"]
    assert len(inner._inbound_nodes) == 2
    xa, xb = rng.random((2, 5)).astype("float32"), rng.random((2, 5)).astype("float32")
    expected = (inner.predict(xa, verbose=0) + inner.predict(xb, verbose=0)) / 2
    np.testing.assert_allclose(outer.predict([xa, xb], verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_sequential_inside_a_functional_model_trains(rng):
    block = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(8)])
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, layers.Dense(1)(layers.Add()([block(inputs), layers.Dense(8)(inputs)])))
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.random((64, 4)).astype("float32"), rng.random((64, 1)).astype("float32")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before
    assert block in model.layers


def test_sub_model_from_intermediate_tensors_shares_weights(rng):
    inputs = keras.Input(shape=(4,))
    hidden = layers.Dense(6, name="h")(inputs)
    full = keras.Model(inputs, layers.Dense(2)(hidden))
    features = keras.Model(inputs, hidden)
    x = rng.random((3, 4)).astype("float32")
    full.get_layer("h").kernel.assign(np.ones((4, 6), dtype="float32"))
    np.testing.assert_allclose(features.predict(x, verbose=0), x @ np.ones((4, 6)), rtol=1e-5)


def test_trainable_false_freezes_every_layer():
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, layers.Dense(2)(layers.Dense(4)(inputs)), trainable=False)
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 4
    assert not any(layer.trainable for layer in model.layers[1:])
    assert type(model).from_config(model.get_config()).trainable_weights == []


def test_get_layer_by_name_and_index():
    model = residual_model()
    assert model.get_layer("add") is model.layers[3]
    assert model.get_layer(index=-1).name == "dense_2"
    with pytest.raises(ValueError, match="No layer named 'nope'"):
        model.get_layer("nope")


def test_dropout_follows_the_training_flag(rng):
    inputs = keras.Input(shape=(100,))
    model = keras.Model(inputs, layers.Dropout(0.5)(inputs))
    x = np.ones((4, 100), dtype="float32")
    np.testing.assert_array_equal(model(x, training=False).numpy(), x)
    trained = model(x, training=True).numpy()
    assert set(np.unique(trained)) <= {0.0, 2.0} and (trained == 0).any()


# --- the graph and the plan ------------------------------------------------------------------------------------------
def test_the_graph_and_the_plan_steps_have_named_parts():
    model = two_in_two_out()
    graph = map_graph(model.inputs, model.outputs)
    assert [layer.name for layer in graph.layers] == ["a", "b", "joined", "hidden", "score", "label"]
    assert graph.node_ids == model._nodes and sorted(graph.nodes_by_depth) == [0, 1, 2, 3]
    joined, hidden, *heads = model._plan.steps  # inputs a, b sit in slots 0 and 1
    assert joined.node.layer.name == "joined" and [slot.index for slot in joined.input_template] == [0, 1]
    assert joined.output_slots == [2] and joined.single_output and joined.args == [] and joined.kwargs == {}
    assert hidden.node.layer.name == "hidden" and hidden.input_template == 2 and hidden.output_slots == [3]
    assert all(step.input_template == 3 and step.single_output for step in heads)
    slot_of = {step.node.layer.name: step.output_slots[0] for step in heads}
    assert sorted(slot_of) == ["label", "score"] and model._plan.output_slots == [slot_of["score"], slot_of["label"]]


def test_a_step_with_several_outputs_stores_each_in_its_slot(rng):
    inner = two_in_two_out()
    a, b = keras.Input(shape=(8,)), keras.Input(shape=(5,))
    score, label = inner([a, b])
    outer = keras.Model([a, b], layers.Concatenate()([score, label]))
    step = next(step for step in outer._plan.steps if step.node.layer is inner)
    assert not step.single_output and step.output_slots == [2, 3]
    x = [rng.random((4, 8)).astype("float32"), rng.random((4, 5)).astype("float32")]
    np.testing.assert_allclose(outer.predict(x, verbose=0), np.concatenate(inner.predict(x, verbose=0), axis=1),
                               rtol=1e-6)


# --- errors ---------------------------------------------------------------------------------------------------------
def test_disconnected_graph_names_the_missing_input():
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(3,), name="b")
    out = layers.Add(name="plus")([a, b])
    with pytest.raises(ValueError, match="Graph disconnected.*'plus'"):
        keras.Model(a, out)


def test_inputs_must_be_input_tensors():
    inputs = keras.Input(shape=(3,))
    hidden = layers.Dense(2)(inputs)
    with pytest.raises(ValueError, match="keras.Input"):
        keras.Model(hidden, layers.Dense(1)(hidden))
    with pytest.raises(ValueError, match="KerasTensors"):
        keras.Model(inputs, np.zeros((1, 2)))


def test_duplicate_layer_names_are_refused():
    inputs = keras.Input(shape=(3,))
    out = layers.Dense(2, name="same")(layers.Dense(3, name="same")(inputs))
    with pytest.raises(ValueError, match="unique.*same"):
        keras.Model(inputs, out)


def test_wrong_input_shape_names_the_input(rng):
    model = two_in_two_out()
    with pytest.raises(ValueError, match="input 'b' expects shape \\(None, 5\\).*\\(4, 7\\)"):
        model.predict([rng.random((4, 8)), rng.random((4, 7))], verbose=0)
    with pytest.raises(ValueError, match="expects 2 input.*'a', 'b'.*got 1"):
        model.predict(rng.random((4, 8)), verbose=0)
    with pytest.raises(ValueError, match="no value for input.*'b'"):
        model.predict({"a": rng.random((4, 8))}, verbose=0)


def test_merge_layer_shape_errors_happen_at_graph_building():
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(4,))
    with pytest.raises(ValueError, match="Add 'add'.*\\(None, 3\\), \\(None, 4\\)"):
        layers.Add()([a, b])


def test_a_model_subclass_given_inputs_and_outputs_is_functional(rng):
    class Wrapper(keras.Model):
        def __init__(self, units, **kwargs):
            inputs = keras.Input(shape=(2,))
            super().__init__(inputs=inputs, outputs=layers.Dense(units)(inputs), **kwargs)

        def describe(self):
            return f"{self.name}: {len(self.layers)} layers"

    class Plain(keras.Model):
        pass

    wrapped = Wrapper(3, name="wrapped")
    assert isinstance(wrapped, Wrapper) and type(wrapped).__name__ == "Wrapper"
    assert wrapped.describe() == "wrapped: 2 layers" and wrapped.predict(rng.random((4, 2)), verbose=0).shape == (4, 3)
    inputs = keras.Input(shape=(5,))
    plain = Plain(inputs, layers.Dense(1)(inputs))
    assert isinstance(plain, Plain) and [type(layer).__name__ for layer in plain.layers] == ["InputLayer", "Dense"]


# --- summary --------------------------------------------------------------------------------------------------------
def summary_text(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines)


def keras_summary(model, **kwargs):
    chunks = []
    model.summary(print_fn=lambda text, **_: chunks.append(text), **kwargs)
    return "".join(chunks).strip("\n")


def nested_pair(k):
    inner_in = k.Input(shape=(5,), name="inner_in")
    inner = k.Model(inner_in, k.layers.Dense(3, name="inner_dense")(inner_in), name="encoder")
    a, b = k.Input(shape=(5,), name="a"), k.Input(shape=(5,), name="b")
    joined = k.layers.Concatenate(name="concatenate")([inner(a), inner(b)])
    return k.Model([a, b], [k.layers.Dense(1, name="out1")(joined), k.layers.Dense(2, name="out2")(joined)],
                   name="nested")


def chain(k):
    inputs = k.Input(shape=(12,), name="pixels")
    x = k.layers.Dense(7, name="d1")(inputs)
    x = k.layers.Dropout(0.1, name="drop")(x)
    return k.Model(inputs, k.layers.Dense(2, name="d2")(x), name="chain")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("build", [residual_model, two_in_two_out, nested_pair, chain])
@pytest.mark.parametrize("options", [{}, {"show_trainable": True}, {"line_length": 120}, {"expand_nested": True}])
def test_summary_matches_keras_exactly(build, options):
    k = _keras()
    if build is residual_model:
        keras.utils.clear_session()
        k.utils.clear_session()
    ours, theirs = build(keras), build(k)
    assert summary_text(ours, **options) == keras_summary(theirs, **options)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_summary_after_training_matches_keras_exactly(rng):
    k = _keras()
    x = [rng.random((8, 8)).astype("float32"), rng.random((8, 5)).astype("float32")]
    y = [rng.random((8, 1)).astype("float32"), rng.integers(0, 3, 8)]
    models = [two_in_two_out(), two_in_two_out(k)]
    for model in models:
        model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"])
        model.fit(x, y, epochs=1, verbose=0)
    assert summary_text(models[0]) == keras_summary(models[1])
