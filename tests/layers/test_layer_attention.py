"""Attention layers on their own: parity with torch.nn.MultiheadAttention (values, attention weights, gradients,
padding and causal masks), run_layer_test, masks carried from Embedding(mask_zero=True), dropout, a small
transformer block trained with fit, and clear errors for bad input."""

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.autodiff import Tensor
from glassnet.testing import run_layer_test

RNG = np.random.default_rng(5)


def floats(*shape):
    return RNG.standard_normal(shape).astype("float32")


# --- parity with torch.nn.MultiheadAttention ------------------------------------------------------------------------
def _torch_pair(embed, heads, kdim=None, vdim=None):
    torch = pytest.importorskip("torch")
    ours = layers.MultiHeadAttention(num_heads=heads, key_dim=embed // heads)
    theirs = torch.nn.MultiheadAttention(embed, heads, batch_first=True, kdim=kdim, vdim=vdim).double()
    q, v = floats(2, 4, embed), floats(2, 6, vdim or embed)
    k = floats(2, 6, kdim or embed) if kdim else v
    ours(q, v, k)
    for w in ours.weights:
        w.assign(RNG.uniform(-0.5, 0.5, tuple(w.shape)).astype("float32"))
    wq, bq, wk, bk, wv, bv, wo, bo = [w.numpy() for w in ours.weights]
    t = lambda a: torch.tensor(np.asarray(a, dtype=np.float64))
    with torch.no_grad():
        if kdim:
            theirs.q_proj_weight.copy_(t(wq.reshape(embed, embed).T))
            theirs.k_proj_weight.copy_(t(wk.reshape(kdim, embed).T))
            theirs.v_proj_weight.copy_(t(wv.reshape(vdim, embed).T))
        else:
            theirs.in_proj_weight.copy_(t(np.concatenate([w.reshape(embed, embed).T for w in (wq, wk, wv)])))
        theirs.in_proj_bias.copy_(t(np.concatenate([b.reshape(-1) for b in (bq, bk, bv)])))
        theirs.out_proj.weight.copy_(t(wo.reshape(embed, embed).T))
        theirs.out_proj.bias.copy_(t(bo))
    return torch, ours, theirs, (q, v, k)


@pytest.mark.parametrize("kdim", [None, 5])
def test_matches_torch_multihead_attention(kdim):
    torch, ours, theirs, (q, v, k) = _torch_pair(8, 2, kdim=kdim, vdim=kdim and 3)
    qt, vt, kt = [torch.tensor(a.astype(np.float64), requires_grad=True) for a in (q, v, k)]
    expected, weights = theirs(qt, kt if kdim else vt, vt, average_attn_weights=False)
    qg, vg, kg = Tensor(q, requires_grad=True), Tensor(v, requires_grad=True), Tensor(k, requires_grad=True)
    got, scores = ours(qg, vg, kg if kdim else None, return_attention_scores=True)
    np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(scores.numpy(), weights.detach().numpy(), atol=1e-5)
    upstream = floats(*got.shape)
    (expected * torch.tensor(upstream.astype(np.float64))).sum().backward()
    glassnet.ops.sum(glassnet.ops.multiply(got, upstream)).backward()
    np.testing.assert_allclose(qg.grad, qt.grad.numpy(), atol=1e-4)
    np.testing.assert_allclose(vg.grad, vt.grad.numpy(), atol=1e-4)
    if kdim:
        np.testing.assert_allclose(kg.grad, kt.grad.numpy(), atol=1e-4)


def test_matches_torch_padding_and_causal_masks():
    torch, ours, theirs, (q, v, _) = _torch_pair(8, 2)
    q = v = floats(2, 6, 8)
    keep = np.ones((2, 6), bool)
    keep[0, 4:] = False
    causal = np.triu(np.ones((6, 6), bool), 1)  # torch: True = not allowed
    expected, _ = theirs(torch.tensor(q, dtype=torch.float64), torch.tensor(v, dtype=torch.float64),
                         torch.tensor(v, dtype=torch.float64), key_padding_mask=torch.tensor(~keep),
                         attn_mask=torch.tensor(causal))
    got = ours(q, v, value_mask=keep, use_causal_mask=True)
    np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), atol=1e-5)


# --- run_layer_test ---------------------------------------------------------------------------------------------------
class SelfAttention(layers.MultiHeadAttention):
    """MultiHeadAttention called on one tensor (query = value), for run_layer_test."""

    def __call__(self, x, **kwargs):
        return super().__call__(x, x, **kwargs)


@pytest.mark.parametrize("options", [{"num_heads": 2, "key_dim": 3}, {"num_heads": 1, "key_dim": 4, "output_shape": 5},
                                     {"num_heads": 2, "key_dim": 2, "use_gate": True, "use_bias": False}])
def test_run_layer_test_multi_head_attention(options):
    weights = 4 if options.get("use_bias") is False else 8
    weights += (1 if options.get("use_bias") is False else 2) if options.get("use_gate") else 0
    run_layer_test(SelfAttention, options, input_shape=(2, 5, 6),
                   expected_output_shape=(2, 5, options.get("output_shape", 6)),
                   expected_num_trainable_weights=weights)


@pytest.mark.parametrize("options, input_shape, expected", [
    ({"equation": "abc,cd->abd", "output_shape": (None, 4), "bias_axes": "d"}, (2, 3, 5), (2, 3, 4)),
    ({"equation": "abc,cde->abde", "output_shape": (None, 2, 3), "bias_axes": "e", "activation": "relu"}, (2, 3, 5),
     (2, 3, 2, 3)),
    ({"equation": "...b,bc->...c", "output_shape": 4}, (2, 3, 5), (2, 3, 4)),
])
def test_run_layer_test_einsum_dense(options, input_shape, expected):
    run_layer_test(layers.EinsumDense, options, input_shape=input_shape, expected_output_shape=expected,
                   expected_num_trainable_weights=2 if options.get("bias_axes") else 1)


def test_einsum_dense_kernel_fans_as_keras():
    layer = layers.EinsumDense("abc,cde->abde", output_shape=(None, 16, 32), kernel_initializer="glorot_uniform")
    layer.build((None, 3, 64))
    limit = np.sqrt(6.0 / (64 + 16 * 32))  # fan_in over the input letters, fan_out over the output letters
    kernel = layer.kernel.numpy()
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit


# --- masks, dropout, GroupedQueryAttention ------------------------------------------------------------------------------
def test_embedding_mask_is_used_and_carried():
    tokens = np.array([[4, 2, 7, 0, 0], [1, 3, 0, 0, 0]])
    embedded = layers.Embedding(10, 6, mask_zero=True)(tokens)
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    out, scores = mha(embedded, embedded, return_attention_scores=True)
    np.testing.assert_array_equal(out._keras_mask, tokens != 0)
    assert np.all(scores.numpy()[0, :, :3, 3:] == 0) and np.all(scores.numpy()[1, :, :, 2:] == 0)
    np.testing.assert_allclose(scores.numpy()[0, :, :3].sum(-1), 1.0, atol=1e-6)
    plain = layers.Embedding(10, 6)
    plain.build((None, 5))
    assert not np.allclose(out.numpy()[0, :3], mha(embedded.numpy(), embedded.numpy()).numpy()[0, :3], atol=1e-4)


def test_causal_mask_hides_the_future():
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    x = floats(1, 5, 6)
    first = mha(x, x, use_causal_mask=True).numpy()
    changed = x.copy()
    changed[:, 3:] += 1.0
    second = mha(changed, changed, use_causal_mask=True).numpy()
    np.testing.assert_allclose(first[:, :3], second[:, :3], atol=1e-6)
    assert not np.allclose(first[:, 3:], second[:, 3:])


def test_dropout_only_in_training():
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5, seed=1)
    x = floats(2, 5, 6)
    inference = mha(x, x).numpy()
    np.testing.assert_allclose(mha(x, x, training=False).numpy(), inference)
    assert not np.allclose(mha(x, x, training=True).numpy(), inference)


def test_grouped_query_attention_with_as_many_heads_is_multi_head_attention():
    x, y = floats(2, 4, 6), floats(2, 5, 6)
    gqa = layers.GroupQueryAttention(head_dim=3, num_query_heads=2, num_key_value_heads=2)
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    gqa(x, y)
    mha(x, y)
    mha.set_weights(gqa.get_weights())
    np.testing.assert_allclose(gqa(x, y).numpy(), mha(x, y).numpy(), atol=1e-6)


def test_grouped_query_attention_shares_key_value_heads():
    gqa = layers.GroupedQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2)
    out, scores = gqa(floats(2, 3, 6), floats(2, 5, 6), return_attention_scores=True)
    assert out.shape == (2, 3, 6) and scores.shape == (2, 4, 3, 5)
    assert [tuple(w.shape) for w in gqa.weights][:4] == [(6, 4, 2), (4, 2), (6, 2, 2), (2, 2)]


def test_symbolic_shapes():
    q, v = glassnet.Input((4, 6)), glassnet.Input((7, 5))
    out, scores = layers.MultiHeadAttention(3, 2, output_shape=9)(q, v, return_attention_scores=True)
    assert out.shape == (None, 4, 9) and scores.shape == (None, 3, 4, 7)
    out, scores = layers.Attention()([q, glassnet.Input((7, 6))], return_attention_scores=True)
    assert out.shape == (None, 4, 6) and scores.shape == (None, 4, 7)


def test_attention_dot_matches_formula():
    q, v = floats(2, 3, 4), floats(2, 5, 4)
    scores = np.einsum("btd,bsd->bts", q, v)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    np.testing.assert_allclose(layers.Attention()([q, v]).numpy(), weights @ v, atol=1e-5)


# --- training ------------------------------------------------------------------------------------------------------------
def test_transformer_block_trains_with_fit():
    glassnet.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 8, (256, 10))
    y = (x == 3).sum(axis=1) >= 2
    inputs = glassnet.Input((10,), dtype="int32")
    h = layers.Embedding(8, 16)(inputs)
    a = layers.MultiHeadAttention(num_heads=2, key_dim=8)(h, h)
    h = layers.LayerNormalization()(layers.Add()([h, a]))
    f = layers.Dense(16)(layers.Dense(32, activation="relu")(h))
    h = layers.LayerNormalization()(layers.Add()([h, f]))
    outputs = layers.Dense(2, activation="softmax")(layers.GlobalAveragePooling1D()(h))
    model = glassnet.Model(inputs, outputs)
    model.compile(optimizer=glassnet.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    first = model.evaluate(x, y, verbose=0)[0]
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.5 * first
    assert history.history["accuracy"][-1] > 0.9


# --- bad input -------------------------------------------------------------------------------------------------------------
def test_key_dim_missing():
    with pytest.raises(ValueError, match="needs key_dim"):
        layers.MultiHeadAttention(num_heads=2)
    with pytest.raises(ValueError, match="num_heads must be a positive integer"):
        layers.MultiHeadAttention(num_heads=0, key_dim=2)


def test_called_with_one_tensor():
    with pytest.raises(ValueError, match=r"layer\(query, value\)"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2)(floats(2, 3, 4))


def test_mismatched_last_dimension_after_build():
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=2)
    mha(floats(2, 3, 4), floats(2, 3, 4))
    before = [w.numpy().copy() for w in mha.weights]
    with pytest.raises(ValueError, match="last dimension 4"):
        mha(floats(2, 3, 5), floats(2, 3, 4))
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(before, mha.weights))


def test_value_key_lengths_differ():
    with pytest.raises(ValueError, match="except the last one, must be equal"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2)(floats(2, 3, 4), floats(2, 5, 4), floats(2, 6, 4))


def test_bad_masks():
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=2)
    x = floats(2, 3, 4)
    with pytest.raises(ValueError, match="attention_mask must have shape"):
        mha(x, x, attention_mask=np.ones((2, 3, 4), bool))
    with pytest.raises(ValueError, match="value_mask must have the shape"):
        mha(x, x, value_mask=np.ones((2, 4), bool))


def test_grouped_query_attention_bad_heads():
    with pytest.raises(ValueError, match="divisible"):
        layers.GroupQueryAttention(head_dim=2, num_query_heads=3, num_key_value_heads=2)
    with pytest.raises(ValueError, match="last dimension of query and value"):
        layers.GroupQueryAttention(2, 2, 1)(floats(2, 3, 4), floats(2, 3, 5))


def test_attention_bad_inputs():
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Attention()(floats(2, 3, 4))
    with pytest.raises(ValueError, match="score_mode"):
        layers.Attention(score_mode="cosine")
    with pytest.raises(ValueError, match="same last dimension"):
        layers.Attention()([floats(2, 3, 4), floats(2, 5, 3)])


def test_einsum_dense_bad_arguments():
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        layers.EinsumDense("ab->b", 3)
    with pytest.raises(ValueError, match="bias_axes"):
        layers.EinsumDense("ab,bc->ac", 3, bias_axes="x")(floats(2, 4))
    with pytest.raises(ValueError, match="expects inputs of rank 2"):
        layers.EinsumDense("ab,bc->ac", 3)(floats(2, 4, 5))
