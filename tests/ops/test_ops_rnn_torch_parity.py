"""The recurrent ops against torch.nn.RNN / LSTM / GRU with mapped weights: outputs, final states, and the gradients
of the inputs, initial states and every weight (float32), forwards and with go_backwards (torch on the flipped
sequence).

Mapping (sequences.md): Keras kernel = weight_ih.T, recurrent_kernel = weight_hh.T. LSTM gates are i, f, c, o in
both; LSTM bias = bias_ih + bias_hh. GRU: torch's gates are r, z, n, Keras' z, r, h (swap the first two blocks);
bias rows = [bias_ih, bias_hh]; torch's formula is reset_after=True.
"""

import numpy as np
import pytest

from glassnet.autodiff.tensor import Tensor
from glassnet.ops import rnn

torch = pytest.importorskip("torch")

BATCH, STEPS, FEATURES, UNITS = 4, 7, 5, 6


def _swap_gru_blocks(array, axis):
    """torch's r, z, n blocks <-> Keras' z, r, h (the same permutation both ways)."""
    r, z, n = np.split(array, 3, axis=axis)
    return np.concatenate([z, r, n], axis=axis)


def keras_weights(kind, module):
    w_ih, w_hh = module.weight_ih_l0.detach().numpy(), module.weight_hh_l0.detach().numpy()
    b_ih, b_hh = module.bias_ih_l0.detach().numpy(), module.bias_hh_l0.detach().numpy()
    if kind == "gru":
        return (_swap_gru_blocks(w_ih.T, 1), _swap_gru_blocks(w_hh.T, 1),
                np.stack([_swap_gru_blocks(b_ih, 0), _swap_gru_blocks(b_hh, 0)]))
    return w_ih.T.copy(), w_hh.T.copy(), b_ih + b_hh


def torch_gradients_as_keras(kind, module):
    g_ih, g_hh = module.weight_ih_l0.grad.numpy(), module.weight_hh_l0.grad.numpy()
    g_bih, g_bhh = module.bias_ih_l0.grad.numpy(), module.bias_hh_l0.grad.numpy()
    if kind == "gru":
        return (_swap_gru_blocks(g_ih.T, 1), _swap_gru_blocks(g_hh.T, 1),
                np.stack([_swap_gru_blocks(g_bih, 0), _swap_gru_blocks(g_bhh, 0)]))
    return g_ih.T, g_hh.T, g_bih  # d bias = d bias_ih = d bias_hh


MODULES = {"simple_rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


@pytest.mark.parametrize("kind", list(MODULES))
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_recurrent_op_matches_torch(kind, go_backwards, return_sequences):
    torch.manual_seed(0)
    rng = np.random.default_rng(1)
    module = MODULES[kind](FEATURES, UNITS, batch_first=True)
    x = rng.standard_normal((BATCH, STEPS, FEATURES)).astype("float32")
    n_states = 2 if kind == "lstm" else 1
    initial = [rng.standard_normal((BATCH, UNITS)).astype("float32") for _ in range(n_states)]
    out_weight = rng.standard_normal((BATCH, STEPS, UNITS) if return_sequences else (BATCH, UNITS)).astype("float32")
    state_weights = [rng.standard_normal((BATCH, UNITS)).astype("float32") for _ in range(n_states)]

    # torch: the flipped sequence gives Keras' go_backwards (outputs in processing order)
    tx = torch.tensor(x[:, ::-1].copy() if go_backwards else x, requires_grad=True)
    t_init = [torch.tensor(s[None], requires_grad=True) for s in initial]
    t_out, t_final = module(tx, tuple(t_init) if kind == "lstm" else t_init[0])
    t_final = list(t_final) if kind == "lstm" else [t_final]
    t_result = t_out if return_sequences else t_out[:, -1]
    loss = (t_result * torch.tensor(out_weight)).sum() + sum(
        (f[0] * torch.tensor(w)).sum() for f, w in zip(t_final, state_weights))
    loss.backward()

    kernel, recurrent, bias = [Tensor(a, requires_grad=True) for a in keras_weights(kind, module)]
    gx = Tensor(x, requires_grad=True)
    g_init = [Tensor(s, requires_grad=True) for s in initial]
    op = {"simple_rnn": rnn.simple_rnn, "lstm": rnn.lstm, "gru": rnn.gru}[kind]
    out, *finals = op(gx, *g_init, kernel, recurrent, bias, go_backwards=go_backwards,
                      return_sequences=return_sequences)
    total = (out * Tensor(out_weight)).sum()
    for f, w in zip(finals, state_weights):
        total = total + (f * Tensor(w)).sum()
    total.backward()

    close = dict(rtol=2e-4, atol=2e-5)
    np.testing.assert_allclose(out.numpy(), t_result.detach().numpy(), **close)
    for mine, theirs in zip(finals, t_final):
        np.testing.assert_allclose(mine.numpy(), theirs[0].detach().numpy(), **close)
    expected_dx = tx.grad.numpy()[:, ::-1] if go_backwards else tx.grad.numpy()
    np.testing.assert_allclose(gx.grad, expected_dx, **close)
    for mine, theirs in zip(g_init, t_init):
        np.testing.assert_allclose(mine.grad, theirs.grad.numpy()[0], **close)
    for mine, theirs in zip((kernel, recurrent, bias), torch_gradients_as_keras(kind, module)):
        np.testing.assert_allclose(mine.grad, theirs, **close)
    assert out.dtype == np.float32 and kernel.grad.dtype == np.float32
