"""Attention layers and EinsumDense against Keras 3: a `.keras` file written by Keras loads in glassnet with equal
predictions (1e-5), and one written by glassnet loads in Keras — with and without masks (Embedding(mask_zero=True),
an explicit attention_mask, causal masks), return_attention_scores, attention_axes, cross-attention shapes."""

import os

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import glassnet

RNG = np.random.default_rng(11)


def _randomize(model):
    """Non-zero biases too, so a misplaced bias shows up."""
    for w in model.weights:
        w.assign(RNG.uniform(-0.5, 0.5, tuple(w.shape)).astype("float32"))


def _predict(model, data):
    result = model.predict(data, verbose=0)
    return [np.asarray(r) for r in result] if isinstance(result, (list, tuple)) else [np.asarray(result)]


def _both_ways(build, data, tmp_path):
    """Build the same model in each library; each one's file loads in the other with equal predictions."""
    theirs = build(keras)
    _randomize(theirs)
    path = os.path.join(tmp_path, "keras.keras")
    theirs.save(path)
    loaded = glassnet.models.load_model(path)
    for a, b in zip(_predict(theirs, data), _predict(loaded, data)):
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, atol=1e-5, rtol=1e-5)
    ours = build(glassnet)
    _randomize(ours)
    path = os.path.join(tmp_path, "glassnet.keras")
    ours.save(path)
    back = keras.models.load_model(path)
    for a, b in zip(_predict(ours, data), _predict(back, data)):
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, atol=1e-5, rtol=1e-5)
    return theirs, ours


def floats(*shape):
    return RNG.standard_normal(shape).astype("float32")


def tokens(batch, length, vocab=10):
    data = RNG.integers(1, vocab, (batch, length))
    for row in range(batch):
        data[row, length - row - 1:] = 0  # padding of different lengths
    return data


def self_attention(**options):
    call = options.pop("call", {})

    def build(lib):
        x = lib.Input((5, 8))
        return lib.Model(x, lib.layers.MultiHeadAttention(**options)(x, x, **call))
    return build


@pytest.mark.parametrize("options", [
    {"num_heads": 2, "key_dim": 4},
    {"num_heads": 3, "key_dim": 2, "value_dim": 5, "use_bias": False},
    {"num_heads": 2, "key_dim": 4, "output_shape": 6},
    {"num_heads": 2, "key_dim": 4, "output_shape": (2, 3)},
    {"num_heads": 2, "key_dim": 3, "use_gate": True},
    {"num_heads": 2, "key_dim": 4, "call": {"use_causal_mask": True}},
    {"num_heads": 2, "key_dim": 4, "sliding_window": 2},
    {"num_heads": 2, "key_dim": 4, "dropout": 0.3},  # predict: no dropout
], ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
def test_multi_head_self_attention(options, tmp_path):
    _both_ways(self_attention(**options), floats(3, 5, 8), tmp_path)


def test_multi_head_cross_attention_with_key(tmp_path):
    def build(lib):
        q, v, k = lib.Input((4, 8)), lib.Input((6, 5)), lib.Input((6, 7))
        y = lib.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4)(q, v, k)
        return lib.Model([q, v, k], y)
    _both_ways(build, [floats(2, 4, 8), floats(2, 6, 5), floats(2, 6, 7)], tmp_path)


def test_multi_head_attention_scores_returned(tmp_path):
    def build(lib):
        q, v = lib.Input((4, 8)), lib.Input((6, 8))
        y, scores = lib.layers.MultiHeadAttention(num_heads=2, key_dim=3)(q, v, return_attention_scores=True)
        return lib.Model([q, v], [y, scores])
    _theirs, ours = _both_ways(build, [floats(2, 4, 8), floats(2, 6, 8)], tmp_path)
    _, scores = ours.predict([floats(2, 4, 8), floats(2, 6, 8)], verbose=0)
    assert scores.shape == (2, 2, 4, 6)
    np.testing.assert_allclose(scores.sum(-1), 1.0, atol=1e-5)


@pytest.mark.parametrize("causal", [False, True])
def test_multi_head_attention_with_embedding_masks(causal, tmp_path):
    def build(lib):
        x = lib.Input((6,), dtype="int32")
        e = lib.layers.Embedding(10, 8, mask_zero=True)(x)
        y = lib.layers.MultiHeadAttention(num_heads=2, key_dim=4)(e, e, use_causal_mask=causal)
        return lib.Model(x, y)
    _both_ways(build, tokens(3, 6), tmp_path)


def test_multi_head_attention_mask_changes_the_result():
    layer = glassnet.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    x = floats(2, 5, 8)
    mask = np.ones((2, 5, 5), bool)
    mask[:, :, 3:] = False
    masked = layer(x, x, attention_mask=mask).numpy()
    cut = layer(x, x[:, :3]).numpy()  # attending to the first three positions only is the same thing
    np.testing.assert_allclose(masked, cut, atol=1e-5)
    assert not np.allclose(layer(x, x).numpy(), masked, atol=1e-3)


def test_multi_head_attention_explicit_attention_mask(tmp_path):
    def build(lib):
        x, m = lib.Input((5, 8)), lib.Input((5, 5), dtype="bool")
        return lib.Model([x, m], lib.layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x, attention_mask=m))
    mask = RNG.random((2, 5, 5)) > 0.4
    mask[:, :, 0] = True
    _both_ways(build, [floats(2, 5, 8), mask], tmp_path)


@pytest.mark.parametrize("axes", [None, (2,), (1, 2), -2])
def test_multi_head_attention_axes(axes, tmp_path):
    def build(lib):
        x = lib.Input((3, 4, 8))
        return lib.Model(x, lib.layers.MultiHeadAttention(num_heads=2, key_dim=4, attention_axes=axes)(x, x))
    _both_ways(build, floats(2, 3, 4, 8), tmp_path)


@pytest.mark.parametrize("options", [
    {"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2},
    {"head_dim": 3, "num_query_heads": 2, "num_key_value_heads": 1, "use_bias": False, "use_gate": True},
], ids=["bias", "gate"])
@pytest.mark.parametrize("causal", [False, True])
def test_grouped_query_attention(options, causal, tmp_path):
    def build(lib):
        q, v = lib.Input((5, 8)), lib.Input((7, 8))
        return lib.Model([q, v], lib.layers.GroupQueryAttention(**options)(q, v, use_causal_mask=causal))
    _both_ways(build, [floats(2, 5, 8), floats(2, 7, 8)], tmp_path)


def test_grouped_query_attention_masked_embedding(tmp_path):
    def build(lib):
        x = lib.Input((6,), dtype="int32")
        e = lib.layers.Embedding(10, 8, mask_zero=True)(x)
        return lib.Model(x, lib.layers.GroupQueryAttention(4, 4, 2)(e, e))
    _both_ways(build, tokens(3, 6), tmp_path)


@pytest.mark.parametrize("cls, options", [
    ("Attention", {}), ("Attention", {"use_scale": True}), ("Attention", {"score_mode": "concat"}),
    ("Attention", {"score_mode": "concat", "use_scale": True}), ("AdditiveAttention", {}),
    ("AdditiveAttention", {"use_scale": False}),
])
@pytest.mark.parametrize("causal", [False, True])
def test_dot_and_additive_attention(cls, options, causal, tmp_path):
    def build(lib):
        q, v, k = lib.Input((4, 6)), lib.Input((5, 3)), lib.Input((5, 6))
        y = getattr(lib.layers, cls)(**options)([q, v, k], use_causal_mask=causal)
        return lib.Model([q, v, k], y)
    _both_ways(build, [floats(2, 4, 6), floats(2, 5, 3), floats(2, 5, 6)], tmp_path)


@pytest.mark.parametrize("cls", ["Attention", "AdditiveAttention"])
def test_attention_with_embedding_masks_and_scores(cls, tmp_path):
    def build(lib):
        a, b = lib.Input((5,), dtype="int32"), lib.Input((6,), dtype="int32")
        embed = lib.layers.Embedding(10, 4, mask_zero=True)
        y, scores = getattr(lib.layers, cls)()([embed(a), embed(b)], return_attention_scores=True)
        return lib.Model([a, b], [y, scores])
    _both_ways(build, [tokens(3, 5), tokens(3, 6)], tmp_path)


@pytest.mark.parametrize("equation, output_shape, bias_axes, shape", [
    ("ab,bc->ac", 4, "c", (3, 5)),
    ("abc,cd->abd", (None, 4), "d", (3, 2, 5)),
    ("abc,cde->abde", (None, 2, 3), "de", (3, 2, 5)),
    ("abcd,cde->abe", (None, 4), None, (3, 2, 5, 6)),
    ("...b,bc->...c", 4, "c", (3, 2, 5)),
    ("ab...,bc->ac...", 4, "c", (3, 5, 6)),
])
def test_einsum_dense(equation, output_shape, bias_axes, shape, tmp_path):
    def build(lib):
        x = lib.Input(shape[1:])
        y = lib.layers.EinsumDense(equation, output_shape, bias_axes=bias_axes, activation="tanh")(x)
        return lib.Model(x, y)
    theirs, ours = _both_ways(build, floats(*shape), tmp_path)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]


def test_multi_head_attention_weights_laid_out_as_keras():
    ours = glassnet.layers.MultiHeadAttention(num_heads=3, key_dim=4, value_dim=5, output_shape=7)
    theirs = keras.layers.MultiHeadAttention(num_heads=3, key_dim=4, value_dim=5, output_shape=7)
    q, v = floats(2, 4, 8), floats(2, 6, 9)
    ours(q, v)
    theirs(q, v)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.path.split("/")[-2:] for w in ours.weights] == [w.path.split("/")[-2:] for w in theirs.weights]
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    np.testing.assert_allclose(ours(q, v).numpy(), keras.ops.convert_to_numpy(theirs(q, v)), atol=1e-5)


def test_saved_node_is_what_keras_writes(tmp_path):
    import json
    import zipfile

    x = glassnet.Input((5, 8))
    model = glassnet.Model(x, glassnet.layers.MultiHeadAttention(2, 4)(x, x, use_causal_mask=True))
    path = os.path.join(tmp_path, "m.keras")
    model.save(path)
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    entry = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "MultiHeadAttention")
    node = entry["inbound_nodes"][0]
    histories = [a["config"]["keras_history"] for a in node["args"]]
    assert len(histories) == 2 and histories[0] == histories[1] and histories[0][1:] == [0, 0]
    assert node["kwargs"] == {"use_causal_mask": True}
    assert entry["build_config"] == {"shapes_dict": {"query_shape": [None, 5, 8], "value_shape": [None, 5, 8]}}
