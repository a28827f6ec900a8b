"""Optimizer steps against NumPy transcriptions of Keras 3's update rules (and Keras 3 itself when installed)."""

import math

import numpy as np
import pytest

import glassnet
from glassnet import optimizers

STEPS = 6


# --- NumPy references, written from Keras 3's optimizers (keras/src/optimizers/*.py) -------------------


def sgd_reference(w, grads, lr=0.01, momentum=0.0, nesterov=False, weight_decay=None):
    w, m = w.astype("float64"), np.zeros_like(w, dtype="float64")
    for g in grads:
        if weight_decay:
            w = w - w * weight_decay * lr
        if momentum:
            m = momentum * m - lr * g
            w = w + (momentum * m - lr * g if nesterov else m)
        else:
            w = w - lr * g
        yield w


def adam_reference(w, grads, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None):
    w = w.astype("float64")
    m, v, v_hat = (np.zeros_like(w) for _ in range(3))
    for t, g in enumerate(grads, start=1):
        if weight_decay:
            w = w - w * weight_decay * lr  # AdamW: decoupled decay first
        alpha = lr * math.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        m = m + (g - m) * (1 - beta_1)
        v = v + (g * g - v) * (1 - beta_2)
        if amsgrad:
            v_hat = np.maximum(v_hat, v)
            w = w - alpha * m / (np.sqrt(v_hat) + epsilon)
        else:
            w = w - alpha * m / (np.sqrt(v) + epsilon)
        yield w


def rmsprop_reference(w, grads, lr=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    w = w.astype("float64")
    velocity, average, buffer = (np.zeros_like(w) for _ in range(3))
    for g in grads:
        velocity = rho * velocity + (1 - rho) * g * g
        if centered:
            average = rho * average + (1 - rho) * g
            denominator = velocity - average * average + epsilon
        else:
            denominator = velocity + epsilon
        increment = lr * g / np.sqrt(denominator)  # epsilon inside the square root
        if momentum:
            buffer = momentum * buffer + increment
            w = w - buffer
        else:
            w = w - increment
        yield w


def adagrad_reference(w, grads, lr=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
    w = w.astype("float64")
    accumulator = np.full_like(w, initial_accumulator_value)
    for g in grads:
        accumulator = accumulator + g * g
        w = w - lr * g / np.sqrt(accumulator + epsilon)
        yield w


# --- helpers ---------------------------------------------------------------------------------------------


def _gradient_sequences(rng, shapes):
    """Per variable, STEPS gradients that shrink over time (so amsgrad's max matters) and change sign."""
    sequences = []
    for shape in shapes:
        scale = np.geomspace(2.0, 0.05, STEPS)
        sequences.append([(rng.standard_normal(shape) * s).astype("float32") for s in scale])
    return sequences


def _compare(make_optimizer, reference, rng, shapes=((3, 4), (4,)), rtol=1e-5, atol=1e-6, **ref_kwargs):
    initial = [rng.standard_normal(shape).astype("float32") for shape in shapes]
    grads = _gradient_sequences(rng, shapes)
    variables = [glassnet.Variable(w.copy()) for w in initial]
    optimizer = make_optimizer()
    expected = [list(reference(w, gs, **ref_kwargs)) for w, gs in zip(initial, grads)]
    for step in range(STEPS):
        optimizer.apply([gs[step] for gs in grads], variables)
        assert optimizer.iterations == step + 1
        for variable, per_step in zip(variables, expected):
            assert variable.dtype == np.float32
            np.testing.assert_allclose(variable.numpy(), per_step[step], rtol=rtol, atol=atol,
                                       err_msg=f"step {step + 1}")
    return optimizer, variables


# --- SGD -----------------------------------------------------------------------------------------------------


def test_sgd_plain(rng):
    _compare(lambda: optimizers.SGD(learning_rate=0.1), sgd_reference, rng, lr=0.1)


def test_sgd_default_learning_rate_is_0_01(rng):
    _compare(lambda: optimizers.SGD(), sgd_reference, rng, lr=0.01)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(nesterov, rng):
    _compare(lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=nesterov), sgd_reference, rng,
             lr=0.05, momentum=0.9, nesterov=nesterov)


def test_sgd_with_weight_decay(rng):
    _compare(lambda: optimizers.SGD(learning_rate=0.1, weight_decay=0.2), sgd_reference, rng, lr=0.1,
             weight_decay=0.2)


def test_sgd_rejects_momentum_outside_unit_interval():
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=-0.1)


# --- Adam / AdamW ------------------------------------------------------------------------------------------------


def test_adam_defaults(rng):
    optimizer, _ = _compare(lambda: optimizers.Adam(), adam_reference, rng)
    assert (optimizer.learning_rate, optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.001, 0.9, 0.999, 1e-7)


def test_adam_custom(rng):
    _compare(lambda: optimizers.Adam(learning_rate=0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-4), adam_reference, rng,
             lr=0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-4)


def test_adam_amsgrad(rng):
    _compare(lambda: optimizers.Adam(learning_rate=0.05, beta_2=0.9, amsgrad=True), adam_reference, rng, lr=0.05,
             beta_2=0.9, amsgrad=True)
    # ...and amsgrad really changes the result for these shrinking gradients.
    initial = rng.standard_normal(5).astype("float32")
    grads = _gradient_sequences(rng, [(5,)])[0]
    plain = list(adam_reference(initial, grads, lr=0.05, beta_2=0.9))[-1]
    ams = list(adam_reference(initial, grads, lr=0.05, beta_2=0.9, amsgrad=True))[-1]
    assert not np.allclose(plain, ams, rtol=1e-3)


def test_adam_first_step_moves_each_weight_by_about_lr(rng):
    w = glassnet.Variable(np.zeros(4, "float32"))
    optimizers.Adam(learning_rate=0.01).apply([np.array([3.0, -0.5, 0.05, -20.0], "float32")], [w])
    # At t=1, m / sqrt(v) = sign(g): the step is lr * sign(g) (up to epsilon).
    np.testing.assert_allclose(w.numpy(), [-0.01, 0.01, -0.01, 0.01], rtol=1e-3)


def test_adamw_decays_before_the_adam_step(rng):
    _compare(lambda: optimizers.AdamW(learning_rate=0.05, weight_decay=0.1), adam_reference, rng, lr=0.05,
             weight_decay=0.1)


def test_adamw_default_weight_decay(rng):
    optimizer, _ = _compare(lambda: optimizers.AdamW(learning_rate=0.01), adam_reference, rng, lr=0.01,
                            weight_decay=0.004)
    assert optimizer.weight_decay == 0.004


def test_adamw_decay_alone_with_zero_gradient():
    w = glassnet.Variable(np.full(3, 2.0, "float32"))
    optimizers.AdamW(learning_rate=0.1, weight_decay=0.5).apply([np.zeros(3, "float32")], [w])
    np.testing.assert_allclose(w.numpy(), 2.0 * (1 - 0.5 * 0.1), rtol=1e-6)


# --- RMSprop ---------------------------------------------------------------------------------------------------


def test_rmsprop_defaults(rng):
    optimizer, _ = _compare(lambda: optimizers.RMSprop(), rmsprop_reference, rng)
    assert (optimizer.learning_rate, optimizer.rho, optimizer.momentum, optimizer.epsilon) == (0.001, 0.9, 0.0, 1e-7)


def test_rmsprop_epsilon_is_inside_the_square_root():
    # With v = 0.1 * g^2 tiny and a large epsilon the two placements differ a lot.
    w = glassnet.Variable(np.zeros(1, "float32"))
    optimizers.RMSprop(learning_rate=1.0, epsilon=0.01).apply([np.array([0.1], "float32")], [w])
    inside = -0.1 / math.sqrt(0.1 * 0.01 + 0.01)
    outside = -0.1 / (math.sqrt(0.1 * 0.01) + 0.01)
    assert w.numpy()[0] == pytest.approx(inside, rel=1e-5)
    assert abs(inside - outside) > 0.1


@pytest.mark.parametrize("centered,momentum", [(True, 0.0), (False, 0.9), (True, 0.5)])
def test_rmsprop_centered_and_momentum(centered, momentum, rng):
    _compare(lambda: optimizers.RMSprop(learning_rate=0.01, rho=0.8, momentum=momentum, centered=centered),
             rmsprop_reference, rng, lr=0.01, rho=0.8, momentum=momentum, centered=centered, rtol=2e-5)


# --- Adagrad ---------------------------------------------------------------------------------------------------


def test_adagrad_defaults(rng):
    optimizer, _ = _compare(lambda: optimizers.Adagrad(), adagrad_reference, rng)
    assert (optimizer.learning_rate, optimizer.initial_accumulator_value, optimizer.epsilon) == (0.001, 0.1, 1e-7)


def test_adagrad_custom(rng):
    _compare(lambda: optimizers.Adagrad(learning_rate=0.5, initial_accumulator_value=0.01, epsilon=1e-3),
             adagrad_reference, rng, lr=0.5, initial_accumulator_value=0.01, epsilon=1e-3)


# --- Keras 3 itself ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keras():
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("needs the Keras torch backend")
    return keras


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(learning_rate=0.05, beta_2=0.9, amsgrad=True)),
    ("AdamW", dict(learning_rate=0.05, weight_decay=0.1)),
    ("RMSprop", dict(learning_rate=0.01, momentum=0.5, centered=True)),
    ("Adagrad", dict(learning_rate=0.1)),
    ("Adam", dict(learning_rate=0.01, clipnorm=0.5)),
    ("SGD", dict(learning_rate=0.1, global_clipnorm=1.0)),
    ("RMSprop", dict(learning_rate=0.01, clipvalue=0.3)),
])
def test_matches_keras_3(name, kwargs, keras, rng):
    shapes = ((3, 4), (4,))
    initial = [rng.standard_normal(shape).astype("float32") for shape in shapes]
    grads = _gradient_sequences(rng, shapes)
    ours = [glassnet.Variable(w.copy()) for w in initial]
    theirs = [keras.Variable(w.copy()) for w in initial]
    our_optimizer = getattr(optimizers, name)(**kwargs)
    their_optimizer = getattr(keras.optimizers, name)(**kwargs)
    for step in range(STEPS):
        step_grads = [gs[step] for gs in grads]
        our_optimizer.apply(step_grads, ours)
        their_optimizer.apply([keras.ops.convert_to_tensor(g) for g in step_grads], theirs)
    for mine, other in zip(ours, theirs):
        np.testing.assert_allclose(mine.numpy(), keras.ops.convert_to_numpy(other), rtol=1e-5, atol=1e-6)
    assert our_optimizer.iterations == int(keras.ops.convert_to_numpy(their_optimizer.iterations))


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(learning_rate=0.1, momentum=0.9)),
    ("Adam", dict(learning_rate=0.1)),
    ("RMSprop", dict(learning_rate=0.1, momentum=0.9)),
    ("Adagrad", dict(learning_rate=0.1)),
])
def test_none_gradients_skip_weights_like_keras_3(name, kwargs, keras, rng):
    a0, b0 = rng.standard_normal(3).astype("float32"), rng.standard_normal(2).astype("float32")
    steps = [(None, rng.standard_normal(2)), (rng.standard_normal(3), rng.standard_normal(2)), (rng.standard_normal(3), None)]
    ours = [glassnet.Variable(a0.copy()), glassnet.Variable(b0.copy())]
    theirs = [keras.Variable(a0.copy()), keras.Variable(b0.copy())]
    our_optimizer = getattr(optimizers, name)(**kwargs)
    their_optimizer = getattr(keras.optimizers, name)(**kwargs)
    for ga, gb in steps:
        grads = [None if g is None else g.astype("float32") for g in (ga, gb)]
        our_optimizer.apply(grads, ours)
        their_optimizer.apply([None if g is None else keras.ops.convert_to_tensor(g) for g in grads], theirs)
        if ga is None:
            np.testing.assert_array_equal(ours[0].numpy(), a0)
    for mine, other in zip(ours, theirs):
        np.testing.assert_allclose(mine.numpy(), keras.ops.convert_to_numpy(other), rtol=1e-5, atol=1e-5)
    assert our_optimizer.iterations == 3
