"""Dense forward and backward against torch.nn.Linear (kernel transposed into the weight), per activation.

Dropout is random, so it has no parity test here.
"""

import numpy as np
import pytest

import glassnet
from glassnet import layers, ops

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH_ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": F.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda z: F.softmax(z, dim=-1),
    "log_softmax": lambda z: F.log_softmax(z, dim=-1),
    "elu": F.elu,
    "selu": F.selu,
    "gelu": F.gelu,  # Keras' default is the exact (erf) form, as is torch's
    "softplus": F.softplus,
    "softsign": F.softsign,
    "silu": F.silu,
    "swish": F.silu,
    "leaky_relu": lambda z: F.leaky_relu(z, negative_slope=0.2),  # Keras' function default is 0.2
    "relu6": F.relu6,
    "hard_sigmoid": F.hardsigmoid,  # Keras 3: relu6(x + 3) / 6
    "exponential": torch.exp,
    "mish": F.mish,
}


@pytest.mark.parametrize("activation", sorted(TORCH_ACTIVATIONS))
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_forward_and_backward_match_torch_linear(activation, use_bias, rng):
    batch, features, units = 6, 5, 4
    x = (rng.standard_normal((batch, features)) * 1.5).astype("float32")
    upstream = rng.standard_normal((batch, units)).astype("float32")
    layer = layers.Dense(units, activation=activation, use_bias=use_bias)
    layer.build((None, features))
    if use_bias:
        layer.bias.assign(rng.standard_normal(units).astype("float32") * 0.5)

    x_t = glassnet.Tensor(x, requires_grad=True)
    out = layer(x_t)
    ops.sum(ops.multiply(out, upstream)).backward()

    linear = torch.nn.Linear(features, units, bias=use_bias, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(layer.kernel.numpy().T.astype("float64")))
        if use_bias:
            linear.bias.copy_(torch.from_numpy(layer.bias.numpy().astype("float64")))
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ref = TORCH_ACTIVATIONS[activation](linear(xt))
    (ref * torch.from_numpy(upstream.astype("float64"))).sum().backward()

    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(x_t.grad, xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.kernel.grad, linear.weight.grad.numpy().T, rtol=1e-4, atol=1e-5)
    if use_bias:
        np.testing.assert_allclose(layer.bias.grad, linear.bias.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("activation", ["relu", "softmax"])
def test_dense_on_3d_input_matches_torch(activation, rng):
    x = rng.standard_normal((2, 3, 5)).astype("float32")
    layer = layers.Dense(4, activation=activation)
    x_t = glassnet.Tensor(x, requires_grad=True)
    out = layer(x_t)
    upstream = rng.standard_normal(out.shape).astype("float32")
    ops.sum(ops.multiply(out, upstream)).backward()

    weight = torch.tensor(layer.kernel.numpy().T.astype("float64"), requires_grad=True)
    bias = torch.tensor(layer.bias.numpy().astype("float64"), requires_grad=True)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ref = TORCH_ACTIVATIONS[activation](F.linear(xt, weight, bias))
    (ref * torch.from_numpy(upstream.astype("float64"))).sum().backward()
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(x_t.grad, xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.kernel.grad, weight.grad.numpy().T, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.bias.grad, bias.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_gradients_accumulate_over_two_backward_passes(rng):
    x = rng.standard_normal((3, 4)).astype("float32")
    layer = layers.Dense(2, activation="tanh")
    for _ in range(2):
        ops.sum(layer(x)).backward()
    linear = torch.nn.Linear(4, 2, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(layer.kernel.numpy().T.astype("float64")))
        linear.bias.copy_(torch.from_numpy(layer.bias.numpy().astype("float64")))
    for _ in range(2):
        torch.tanh(linear(torch.from_numpy(x.astype("float64")))).sum().backward()
    np.testing.assert_allclose(layer.kernel.grad, linear.weight.grad.numpy().T, rtol=1e-4, atol=1e-5)
