"""Forward and backward parity with PyTorch in float32 (skipped when torch is not installed)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from glassnet import ops  # noqa: E402
from glassnet.autodiff import Tensor  # noqa: E402

RTOL, ATOL = 1e-5, 1e-6


def run_both(gn_fn, torch_fn, *arrays, grad_positions=None, seed=0):
    """Run an op in glassnet and torch on the same float32 inputs and upstream gradient."""
    arrays = [np.asarray(a) for a in arrays]
    if grad_positions is None:
        grad_positions = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    gn_in = [Tensor(a.copy(), requires_grad=i in grad_positions) for i, a in enumerate(arrays)]
    th_in = [torch.tensor(a.copy(), requires_grad=i in grad_positions) for i, a in enumerate(arrays)]
    gn_out = gn_fn(*gn_in)
    th_out = torch_fn(*th_in)
    upstream = np.random.default_rng(seed).standard_normal(tuple(th_out.shape)).astype(np.float32)
    gn_out.backward(grad=upstream)
    th_out.backward(torch.from_numpy(upstream.copy()))
    assert gn_out.dtype == np.float32
    np.testing.assert_allclose(gn_out.data, th_out.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg="forward")
    for i in grad_positions:
        assert gn_in[i].grad.dtype == np.float32
        np.testing.assert_allclose(
            gn_in[i].grad, th_in[i].grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=f"gradient of input {i}"
        )


def sample(*shape, scale=3.0, seed=0):
    """float32 values of both signs, none within 1e-3 of zero (the kink of relu-like ops)."""
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32) * scale
    return np.where(np.abs(x) < 1e-3, np.float32(0.5), x).astype(np.float32)


ACTIVATIONS = [
    ("relu", ops.relu, F.relu),
    ("relu6", ops.relu6, F.relu6),
    ("leaky_relu_default_0.2", ops.leaky_relu, lambda x: F.leaky_relu(x, 0.2)),
    ("leaky_relu_0.01", lambda x: ops.leaky_relu(x, negative_slope=0.01), lambda x: F.leaky_relu(x, 0.01)),
    ("elu", ops.elu, F.elu),
    ("elu_alpha", lambda x: ops.elu(x, alpha=0.7), lambda x: F.elu(x, alpha=0.7)),
    ("selu", ops.selu, F.selu),
    ("gelu_exact", ops.gelu, F.gelu),
    ("gelu_tanh", lambda x: ops.gelu(x, approximate=True), lambda x: F.gelu(x, approximate="tanh")),
    ("sigmoid", ops.sigmoid, torch.sigmoid),
    ("hard_sigmoid", ops.hard_sigmoid, F.hardsigmoid),
    ("tanh", ops.tanh, torch.tanh),
    ("softplus", ops.softplus, F.softplus),
    ("softsign", ops.softsign, F.softsign),
    ("silu", ops.silu, F.silu),
    ("swish", ops.swish, F.silu),
    ("softmax", ops.softmax, lambda x: torch.softmax(x, dim=-1)),
    ("softmax_axis0", lambda x: ops.softmax(x, axis=0), lambda x: torch.softmax(x, dim=0)),
    ("log_softmax", ops.log_softmax, lambda x: torch.log_softmax(x, dim=-1)),
    ("log_softmax_axis1", lambda x: ops.log_softmax(x, axis=1), lambda x: torch.log_softmax(x, dim=1)),
]


@pytest.mark.parametrize("name, gn_fn, torch_fn", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_parity(name, gn_fn, torch_fn):
    x = sample(4, 3, 6)
    if name == "relu6" or name == "hard_sigmoid":  # keep away from the kinks at 0, 6 and +-3
        x = np.where(np.abs(np.abs(x) - 3.0) < 1e-2, np.float32(1.0), x)
        x = np.where(np.abs(x - 6.0) < 1e-2, np.float32(1.0), x)
    run_both(gn_fn, torch_fn, x)


@pytest.mark.parametrize("name, gn_fn, torch_fn", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_parity_on_extreme_values(name, gn_fn, torch_fn):
    # saturated regions: no overflow warnings, no NaN, same limits as torch
    x = np.array([[-80.0, -30.0, -12.5, -4.5, 4.5, 12.5, 30.0, 80.0]], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise"):
        run_both(gn_fn, torch_fn, x)


def test_hard_sigmoid_is_keras3_relu6_formula():
    x = np.linspace(-5, 5, 41).astype(np.float32)
    y = ops.hard_sigmoid(Tensor(x)).data
    np.testing.assert_allclose(y, np.clip(x + 3.0, 0.0, 6.0) / 6.0, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "a_shape, b_shape",
    [((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (3, 4, 2))],
)
def test_matmul_parity(a_shape, b_shape):
    run_both(ops.matmul, torch.matmul, sample(*a_shape, scale=1.0, seed=1), sample(*b_shape, scale=1.0, seed=2))


@pytest.mark.parametrize("axis, keepdims", [(-1, False), (0, True), ((0, 2), False), (None, False)])
def test_logsumexp_parity(axis, keepdims):
    x = sample(3, 4, 5, seed=3)
    dim = tuple(range(x.ndim)) if axis is None else axis
    run_both(lambda t: ops.logsumexp(t, axis=axis, keepdims=keepdims),
             lambda t: torch.logsumexp(t, dim=dim, keepdim=keepdims), x)


def test_logsumexp_large_values_forward_parity_and_exact_gradient():
    # near 1000, float32 spacing is 6e-5: torch's backward exp(x - logsumexp(x)) loses that much,
    # so the gradient is compared with the float64 softmax instead (glassnet must be at least as good)
    x = (sample(3, 5, seed=4) + 1000.0).astype(np.float32)
    t = Tensor(x, requires_grad=True)
    y = ops.logsumexp(t, axis=-1)
    np.testing.assert_allclose(y.data, torch.logsumexp(torch.tensor(x), dim=-1).numpy(), rtol=RTOL)
    y.sum().backward()
    x64 = x.astype(np.float64)
    softmax = np.exp(x64 - x64.max(-1, keepdims=True))
    softmax /= softmax.sum(-1, keepdims=True)
    assert t.grad.dtype == np.float32
    np.testing.assert_allclose(t.grad, softmax, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("activation", [None, "linear", "relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("x_shape", [(8, 5), (2, 3, 5)])
def test_dense_parity(activation, use_bias, x_shape):
    torch_act = {None: lambda z: z, "linear": lambda z: z, "relu": F.relu, "sigmoid": torch.sigmoid,
                 "tanh": torch.tanh}[activation]
    arrays = [sample(*x_shape, scale=1.0, seed=5), sample(5, 4, scale=0.5, seed=6)]
    if use_bias:
        arrays.append(sample(4, scale=0.1, seed=7))

        def gn_fn(x, k, b):
            return ops.dense(x, k, b, activation=activation)

        def torch_fn(x, k, b):
            return torch_act(x @ k + b)
    else:
        def gn_fn(x, k):
            return ops.dense(x, k, None, activation=activation)

        def torch_fn(x, k):
            return torch_act(x @ k)
    run_both(gn_fn, torch_fn, *arrays)


def test_sparse_softmax_cross_entropy_parity():
    logits = sample(6, 5, seed=8)
    labels = np.array([0, 4, 2, 2, 1, 3])
    run_both(ops.sparse_softmax_cross_entropy,
             lambda z, y: F.cross_entropy(z, y, reduction="none"), logits, labels, grad_positions=[0])


def test_softmax_cross_entropy_parity_with_probability_targets():
    logits = sample(6, 5, seed=9)
    target = np.random.default_rng(0).uniform(0.1, 1.0, (6, 5)).astype(np.float32)
    target /= target.sum(axis=1, keepdims=True)
    run_both(ops.softmax_cross_entropy,
             lambda z, t: F.cross_entropy(z, t, reduction="none"), logits, target, grad_positions=[0])


def test_sigmoid_cross_entropy_parity():
    logits = sample(4, 5, scale=5.0, seed=10)
    target = np.random.default_rng(1).uniform(0, 1, (4, 5)).astype(np.float32)
    run_both(ops.sigmoid_cross_entropy,
             lambda z, t: F.binary_cross_entropy_with_logits(z, t, reduction="none"), logits, target,
             grad_positions=[0])


@pytest.mark.parametrize(
    "name, gn_fn, torch_fn",
    [
        ("var", lambda x: ops.var(x, axis=1), lambda x: torch.var(x, dim=1, unbiased=False)),
        ("std", lambda x: ops.std(x, axis=0), lambda x: torch.std(x, dim=0, unbiased=False)),
        ("mean", lambda x: ops.mean(x, axis=(0, 2)), lambda x: torch.mean(x, dim=(0, 2))),
        ("max", lambda x: ops.max(x, axis=-1), lambda x: torch.amax(x, dim=-1)),
        ("min", lambda x: ops.min(x, axis=1, keepdims=True), lambda x: torch.amin(x, dim=1, keepdim=True)),
        ("sqrt_abs", lambda x: ops.sqrt(ops.abs(x)), lambda x: torch.sqrt(torch.abs(x))),
        ("log_exp", lambda x: ops.log(ops.exp(x) + 1.0), lambda x: torch.log(torch.exp(x) + 1.0)),
        ("clip", lambda x: ops.clip(x, -1.0, 2.0), lambda x: torch.clamp(x, -1.0, 2.0)),
    ],
)
def test_other_op_parity(name, gn_fn, torch_fn):
    run_both(gn_fn, torch_fn, sample(3, 4, 5, scale=1.5, seed=11))
