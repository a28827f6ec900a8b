"""Optimizers against torch.optim where the formulas coincide (and where they must not)."""

import numpy as np
import pytest

import glassnet
from glassnet import optimizers

torch = pytest.importorskip("torch")

STEPS = 8


def _run_both(ours, make_theirs, rng, shape=(4, 3), lr_changes=None):
    """Apply the same gradient sequence with glassnet and torch; return both final weights."""
    initial = rng.standard_normal(shape).astype("float32")
    grads = [(rng.standard_normal(shape) * s).astype("float32") for s in np.linspace(1.5, 0.3, STEPS)]
    variable = glassnet.Variable(initial.copy())
    parameter = torch.nn.Parameter(torch.tensor(initial.astype("float64")))
    theirs = make_theirs([parameter])
    for step, g in enumerate(grads):
        if lr_changes and step in lr_changes:
            ours.learning_rate = lr_changes[step]
            for group in theirs.param_groups:
                group["lr"] = lr_changes[step]
        ours.apply([g], [variable])
        parameter.grad = torch.tensor(g.astype("float64"))
        theirs.step()
    return variable.numpy(), parameter.detach().numpy()


def test_adam_with_keras_epsilon_agrees_with_torch_adam(rng):
    ours, theirs = _run_both(optimizers.Adam(learning_rate=0.01),
                             lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-7), rng)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_adam_amsgrad_agrees_with_torch(rng):
    ours, theirs = _run_both(optimizers.Adam(learning_rate=0.01, beta_2=0.9, amsgrad=True),
                             lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.9), eps=1e-7, amsgrad=True), rng)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_adamw_agrees_with_torch_adamw(rng):
    ours, theirs = _run_both(optimizers.AdamW(learning_rate=0.01, weight_decay=0.05),
                             lambda p: torch.optim.AdamW(p, lr=0.01, eps=1e-7, weight_decay=0.05), rng)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_equivalent_to_torch_for_constant_lr(nesterov, rng):
    # torch: v = m v + g, w -= lr v.  Keras: m = mom m - lr g, w += m.  Same path while lr is constant.
    ours, theirs = _run_both(optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=nesterov),
                             lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=nesterov), rng)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_sgd_momentum_follows_keras_not_torch_when_lr_changes(rng):
    changes = {4: 0.5}
    ours, theirs = _run_both(optimizers.SGD(learning_rate=0.05, momentum=0.9),
                             lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), np.random.default_rng(1),
                             lr_changes=changes)
    # Keras keeps lr inside the momentum buffer, torch multiplies the buffer by the new lr.
    assert not np.allclose(ours, theirs, rtol=1e-3)
    rng = np.random.default_rng(1)
    initial = rng.standard_normal((4, 3))
    grads = [rng.standard_normal((4, 3)) * s for s in np.linspace(1.5, 0.3, STEPS)]
    w, m, lr = initial, np.zeros_like(initial), 0.05
    for step, g in enumerate(grads):
        lr = changes.get(step, lr)
        m = 0.9 * m - lr * g
        w = w + m
    np.testing.assert_allclose(ours, w, rtol=1e-5, atol=1e-6)


def test_sgd_plain_agrees_with_torch(rng):
    ours, theirs = _run_both(optimizers.SGD(learning_rate=0.1), lambda p: torch.optim.SGD(p, lr=0.1), rng)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("centered,momentum", [(False, 0.0), (True, 0.0), (False, 0.8), (True, 0.5)])
def test_rmsprop_agrees_with_torch_for_tiny_epsilon(centered, momentum, rng):
    # torch adds epsilon outside the square root, Keras inside; with epsilon ~ 0 they coincide.
    ours, theirs = _run_both(
        optimizers.RMSprop(learning_rate=0.01, rho=0.9, momentum=momentum, centered=centered, epsilon=1e-12),
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-12, momentum=momentum, centered=centered), rng)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_adagrad_agrees_with_torch(rng):
    ours, theirs = _run_both(optimizers.Adagrad(learning_rate=0.1, epsilon=1e-12),
                             lambda p: torch.optim.Adagrad(p, lr=0.1, initial_accumulator_value=0.1, eps=1e-12), rng)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_training_a_linear_model_matches_torch(rng):
    """A few steps of full training, glassnet's autodiff plus Adam against torch's."""
    from glassnet import layers, losses

    x = rng.standard_normal((16, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3).astype("float32")
    layer = layers.Dense(1)
    layer.build((None, 3))
    linear = torch.nn.Linear(3, 1, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor(layer.kernel.numpy().T.astype("float64")))
        linear.bias.copy_(torch.tensor(layer.bias.numpy().astype("float64")))
    ours = optimizers.Adam(learning_rate=0.05)
    theirs = torch.optim.Adam(linear.parameters(), lr=0.05, eps=1e-7)
    mse = losses.MeanSquaredError()
    for _ in range(10):
        for weight in layer.trainable_weights:
            weight.grad = None
        mse(y, layer(x)).backward()
        ours.apply([w.grad for w in layer.trainable_weights], layer.trainable_weights)
        theirs.zero_grad()
        torch.nn.functional.mse_loss(linear(torch.tensor(x.astype("float64"))),
                                     torch.tensor(y.astype("float64"))).backward()
        theirs.step()
    np.testing.assert_allclose(layer.kernel.numpy(), linear.weight.detach().numpy().T, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.bias.numpy(), linear.bias.detach().numpy(), rtol=1e-4, atol=1e-5)
