"""Python's operators on symbolic KerasTensors record keras.ops nodes, as Keras' KerasTensor does:
``x + pos_emb`` and ``x[:, 0]`` in a functional model compute, save, and load both ways."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

import glassnet  # noqa: E402 - after KERAS_BACKEND is set
from glassnet import layers  # noqa: E402

RNG = np.random.default_rng(7)
A = RNG.uniform(-1, 1, (3, 4)).astype("float32")
B = RNG.uniform(0.5, 1.5, (3, 4)).astype("float32")

CASES = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "radd": (lambda a, b: 2.0 + a, lambda a, b: 2.0 + a),
    "sub_rsub": (lambda a, b: (a - b) - (1.0 - a), lambda a, b: (a - b) - (1.0 - a)),
    "mul_div": (lambda a, b: a * b / 2.0 + 3.0 / b, lambda a, b: a * b / 2.0 + 3.0 / b),
    "floordiv_mod": (lambda a, b: (a // 0.3) + (a % 0.4), lambda a, b: np.floor_divide(a, 0.3) + np.mod(a, 0.4)),
    "pow_neg_abs": (lambda a, b: -(b ** 2) + abs(a) + 2.0 ** a, lambda a, b: -(b ** 2) + np.abs(a) + 2.0 ** a),
    "matmul": (lambda a, b: a @ glassnet.ops.transpose(b), lambda a, b: a @ b.T),
    "getitem": (lambda a, b: a[:, 1:3] * b[:, :1], lambda a, b: a[:, 1:3] * b[:, :1]),
    "getitem_int": (lambda a, b: a[:, 2], lambda a, b: a[:, 2]),
    "compare_logic": (lambda a, b: (a > 0) & (b <= 1) | ~(a < -0.5),
                      lambda a, b: (a > 0) & (b <= 1) | ~(a < -0.5)),
    "ne_xor": (lambda a, b: (a != 0) ^ (b >= 1), lambda a, b: (a != 0) ^ (b >= 1)),
    "round": (lambda a, b: round(a * 10), lambda a, b: np.round(a * 10)),
    "reshape_squeeze": (lambda a, b: a[:, :1].squeeze(-1) + a.reshape((-1, 2, 2))[:, 0, 0],
                        lambda a, b: a[:, 0] + a.reshape(-1, 2, 2)[:, 0, 0]),
}


def _model(lib, build):
    a, b = lib.Input((4,)), lib.Input((4,))
    return lib.Model([a, b], build(a, b))


@pytest.mark.parametrize("name", sorted(CASES))
def test_operators_compute_as_numpy(name):
    build, expected = CASES[name]
    out = np.asarray(_model(glassnet, build).predict([A, B], verbose=0))
    np.testing.assert_allclose(out, expected(A, B), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["add", "getitem", "getitem_int", "compare_logic", "pow_neg_abs"])
def test_operator_nodes_save_and_load_both_ways(name, tmp_path):
    keras = pytest.importorskip("keras")
    build, expected = CASES[name]
    ours = _model(glassnet, build)
    ours.save(tmp_path / "ours.keras")
    np.testing.assert_allclose(np.asarray(glassnet.models.load_model(tmp_path / "ours.keras").predict(
        [A, B], verbose=0)), expected(A, B), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(keras.models.load_model(tmp_path / "ours.keras").predict(
        [A, B], verbose=0)), expected(A, B), rtol=1e-5, atol=1e-6)
    _model(keras, build).save(tmp_path / "theirs.keras")
    np.testing.assert_allclose(np.asarray(glassnet.models.load_model(tmp_path / "theirs.keras").predict(
        [A, B], verbose=0)), expected(A, B), rtol=1e-5, atol=1e-6)


def test_a_model_built_with_operators_trains():
    tokens = glassnet.Input((6,), dtype="int32")
    embedded = layers.Embedding(20, 8)(tokens)
    x = embedded + layers.Dense(8)(embedded) * 0.5 + np.linspace(0, 1, 8, dtype="float32")
    model = glassnet.Model(tokens, layers.Dense(1)(layers.GlobalAveragePooling1D()(x)))
    model.compile("adam", "mse")
    ids = RNG.integers(0, 20, (16, 6))
    before = model.evaluate(ids, np.ones((16, 1)), verbose=0)
    model.fit(ids, np.ones((16, 1)), epochs=5, verbose=0)
    assert model.evaluate(ids, np.ones((16, 1)), verbose=0) < before


def test_symbolic_tensors_refuse_to_be_values():
    x = glassnet.Input((2,))
    with pytest.raises(TypeError, match="cannot be used as a boolean"):
        bool(x)
    with pytest.raises(ValueError, match="symbolic"):
        np.asarray(x)
    other = glassnet.Input((2,))
    assert x == x and not (x == other)  # == stays identity, as in Keras
    assert isinstance(x != other, type(x))  # != records a not_equal node
    assert len({x: 1}) == 1


def test_a_concrete_tensor_in_the_graph_is_a_constant(tmp_path):
    """``Embedding(...)(ops.arange(n))`` runs once while the model is built; the graph keeps its values, not its
    tape, so every training step (not just the first) and a saved file work."""
    tokens = glassnet.Input((6,), dtype="int32")
    positions = layers.Embedding(6, 4)(glassnet.ops.arange(6))
    x = layers.Embedding(20, 4)(tokens) + positions
    model = glassnet.Model(tokens, layers.Dense(1)(layers.GlobalAveragePooling1D()(x)))
    model.compile("sgd", "mse")
    ids = RNG.integers(0, 20, (16, 6))
    history = model.fit(ids, np.ones((16, 1)), epochs=3, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    model.save(tmp_path / "m.keras")
    np.testing.assert_allclose(glassnet.models.load_model(tmp_path / "m.keras").predict(ids, verbose=0),
                               model.predict(ids, verbose=0), rtol=1e-6)
