"""plot_model / model_to_dot: the layer graph through pydot (optional), drawn by Graphviz (optional)."""

import shutil
import sys

import pytest

import glassnet as keras
from glassnet import layers

pydot = pytest.importorskip("pydot")


def _two_input_model():
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    hidden = layers.Dense(3, name="hidden", activation="relu")(a)
    joined = layers.Concatenate(name="joined")([hidden, b])
    return keras.Model([a, b], layers.Dense(1, name="out")(joined))


def _edges_by_name(dot):
    names = {node.get_name(): node.get("label").strip('"').split(" (")[0] for node in dot.get_nodes()
             if node.get("label")}
    return sorted((names[e.get_source()], names[e.get_destination()]) for e in dot.get_edges())


def test_functional_graph_edges_and_labels():
    dot = keras.utils.model_to_dot(_two_input_model(), show_shapes=True, show_layer_activations=True,
                                   show_trainable=True)
    assert _edges_by_name(dot) == [("a", "hidden"), ("b", "joined"), ("hidden", "joined"), ("joined", "out")]
    text = dot.to_string()
    assert "joined (Concatenate)" in text and "(None, 7)" in text and "activation: relu" in text
    assert "trainable: True" in text


def test_sequential_chain_written_as_dot(tmp_path):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="first"), layers.Dense(1, name="second")])
    keras.utils.plot_model(model, to_file=tmp_path / "model.dot", rankdir="LR")
    text = (tmp_path / "model.dot").read_text()
    assert "rankdir=LR" in text and "first (Dense)" in text and "->" in text


def test_png_needs_graphviz(tmp_path, monkeypatch):
    if shutil.which("dot"):
        keras.utils.plot_model(_two_input_model(), to_file=tmp_path / "model.png", show_shapes=True)
        assert (tmp_path / "model.png").read_bytes()[:4] == b"\x89PNG"
    monkeypatch.setenv("PATH", "")
    with pytest.raises(ImportError, match="Graphviz"):
        keras.utils.plot_model(_two_input_model(), to_file=tmp_path / "other.png")


def test_missing_pydot_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match="pip install pydot"):
        keras.utils.model_to_dot(_two_input_model())


def test_bad_rankdir():
    with pytest.raises(ValueError, match="rankdir.*received 'XY'"):
        keras.utils.model_to_dot(_two_input_model(), rankdir="XY")
