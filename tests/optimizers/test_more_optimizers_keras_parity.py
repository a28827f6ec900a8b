"""Adadelta, Adafactor, Adamax, Ftrl, Lamb, Lion, Nadam against Keras 3 (torch backend): same steps, same state."""

import os

import numpy as np
import pytest

import glassnet
from glassnet import optimizers

os.environ.setdefault("KERAS_BACKEND", "torch")
STEPS = 5
SHAPES = ((3, 4), (4,), (2, 3, 2))

CASES = [
    ("Adadelta", dict(learning_rate=0.5)),
    ("Adadelta", dict(learning_rate=1.0, rho=0.8, epsilon=1e-5, weight_decay=0.01)),
    ("Adafactor", dict(learning_rate=0.05)),
    ("Adafactor", dict(learning_rate=0.3, relative_step=False, clip_threshold=0.5, epsilon_2=1e-2)),
    ("Adamax", dict(learning_rate=0.05)),
    ("Adamax", dict(learning_rate=0.02, beta_1=0.8, beta_2=0.9, clipnorm=0.7)),
    ("Ftrl", dict(learning_rate=0.1)),
    ("Ftrl", dict(learning_rate=0.2, learning_rate_power=-0.3, l1_regularization_strength=0.05,
                  l2_regularization_strength=0.1, l2_shrinkage_regularization_strength=0.02, beta=0.3)),
    ("Lamb", dict(learning_rate=0.05)),
    ("Lamb", dict(learning_rate=0.1, beta_1=0.8, weight_decay=0.05)),
    ("Lion", dict(learning_rate=0.01)),
    ("Lion", dict(learning_rate=0.02, beta_1=0.7, beta_2=0.9, weight_decay=0.1)),
    ("Nadam", dict(learning_rate=0.05)),
    ("Nadam", dict(learning_rate=0.01, beta_1=0.8, beta_2=0.95, global_clipnorm=1.0)),
    ("Muon", dict(learning_rate=0.01)),
    ("Muon", dict(learning_rate=0.02, momentum=0.8, nesterov=False, rms_rate=None, adam_lr_ratio=0.5,
                  weight_decay=0.1, adam_weight_decay=0.01, ns_steps=3)),
]
# ScheduleFreeAdamW is compared with a NumPy transcription of Keras' update_step instead (see below): on the torch
# backend Keras' "momentum_old = momentum.value" is the tensor that the next line updates in place.
SCHEDULE_FREE_CASES = [dict(learning_rate=0.01), dict(learning_rate=0.05, beta_1=0.8, warmup_steps=3, weight_decay=0.01)]


@pytest.fixture(scope="module")
def keras():
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("needs the Keras torch backend")
    return keras


def _gradients(rng, shapes):
    scale = np.geomspace(2.0, 0.1, STEPS)
    return [[(rng.standard_normal(shape) * s).astype("float32") for shape in shapes] for s in scale]


def _run_both(keras, name, kwargs, rng, shapes=SHAPES, steps=None):
    initial = [rng.standard_normal(shape).astype("float32") for shape in shapes]
    ours = [glassnet.Variable(w.copy()) for w in initial]
    theirs = [keras.Variable(w.copy()) for w in initial]
    our_optimizer = getattr(optimizers, name)(**kwargs)
    their_optimizer = getattr(keras.optimizers, name)(**kwargs)
    for grads in steps or _gradients(rng, shapes):
        our_optimizer.apply(grads, ours)
        their_optimizer.apply([None if g is None else keras.ops.convert_to_tensor(g) for g in grads], theirs)
    return our_optimizer, ours, their_optimizer, theirs


@pytest.mark.parametrize("name,kwargs", CASES)
def test_steps_match_keras(name, kwargs, keras, rng):
    our_optimizer, ours, their_optimizer, theirs = _run_both(keras, name, kwargs, rng)
    for mine, other in zip(ours, theirs):
        assert mine.dtype == np.float32
        np.testing.assert_allclose(mine.numpy(), keras.ops.convert_to_numpy(other), rtol=1e-5, atol=1e-6)
    assert our_optimizer.iterations == int(keras.ops.convert_to_numpy(their_optimizer.iterations))


@pytest.mark.parametrize("name,kwargs", CASES[::2])
def test_state_matches_keras_variable_for_variable(name, kwargs, keras, rng):
    from glassnet.saving.weights_h5 import optimizer_arrays

    our_optimizer, _, their_optimizer, _ = _run_both(keras, name, kwargs, rng)
    mine = optimizer_arrays(our_optimizer)
    reference = [keras.ops.convert_to_numpy(v) for v in their_optimizer.variables]
    assert [np.shape(a) for a in mine] == [np.shape(a) for a in reference]
    for a, b in zip(mine, reference):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["Adadelta", "Adamax", "Ftrl", "Lamb", "Lion", "Nadam", "Adafactor", "Muon"])
def test_none_gradients_skip_weights_like_keras(name, keras, rng):
    shapes = ((3, 2), (2,))
    steps = [[None, rng.standard_normal(2).astype("float32")],
             [rng.standard_normal((3, 2)).astype("float32"), rng.standard_normal(2).astype("float32")],
             [rng.standard_normal((3, 2)).astype("float32"), None]]
    _, ours, _, theirs = _run_both(keras, name, dict(learning_rate=0.05), rng, shapes, steps)
    for mine, other in zip(ours, theirs):
        np.testing.assert_allclose(mine.numpy(), keras.ops.convert_to_numpy(other), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,kwargs", CASES)
def test_config_matches_keras_and_round_trips(name, kwargs, keras):
    ours = getattr(optimizers, name)(**kwargs)
    theirs = getattr(keras.optimizers, name)(**kwargs)
    config = ours.get_config()
    expected = theirs.get_config()
    for key, value in config.items():
        assert key in expected, key
        if key == "name":
            continue  # Keras numbers its optimizers' names (adadelta_4)
        if isinstance(value, float):
            assert value == pytest.approx(expected[key], rel=1e-6), key
        else:
            assert value == expected[key], key
    assert type(ours).from_config(config).get_config() == config
    assert type(getattr(optimizers, name).from_config(expected)) is getattr(optimizers, name)  # Keras' config loads


def test_serialize_deserialize_and_get(keras):
    optimizer = optimizers.Nadam(learning_rate=0.02, beta_1=0.8)
    entry = optimizers.serialize(optimizer)
    assert entry["class_name"] == "Nadam" and entry["module"] == "keras.optimizers"
    rebuilt = optimizers.deserialize(entry)
    assert type(rebuilt) is optimizers.Nadam and rebuilt.get_config() == optimizer.get_config()
    theirs = keras.optimizers.deserialize(entry)
    assert type(theirs).__name__ == "Nadam" and float(theirs.beta_1) == 0.8
    from_keras = optimizers.deserialize(keras.optimizers.serialize(keras.optimizers.Lion(learning_rate=0.003)))
    assert type(from_keras) is optimizers.Lion and from_keras.learning_rate == pytest.approx(0.003)
    for name in ("adadelta", "Adafactor", "adamax", "ftrl", "lamb", "lion", "nadam", "muon", "schedulefreeadamw"):
        assert type(optimizers.get(name)).__name__.lower() == name.lower()
    assert type(optimizers.get({"class_name": "lamb", "config": {"learning_rate": 0.1}})) is optimizers.Lamb
    with pytest.raises(ValueError, match="adamx"):
        optimizers.get("adamx")


@pytest.mark.parametrize("bad,message", [
    (lambda: optimizers.Lion(beta_1=0.0), "beta_1"),
    (lambda: optimizers.Ftrl(learning_rate_power=0.5), "learning_rate_power"),
    (lambda: optimizers.Ftrl(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (lambda: optimizers.Ftrl(l1_regularization_strength=-0.1), "l1_regularization_strength"),
])
def test_bad_arguments_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        bad()


def test_updates_keep_the_weight_buffer_in_place(rng):
    for name in ("Adadelta", "Adamax", "Ftrl", "Lion", "Nadam", "Lamb", "Adafactor", "Muon", "ScheduleFreeAdamW"):
        variables = [glassnet.Variable(rng.standard_normal(shape).astype("float32")) for shape in SHAPES]
        optimizer = getattr(optimizers, name)()
        optimizer.apply([np.ones(shape, "float32") for shape in SHAPES], variables)
        buffers = [v.data for v in variables]
        optimizer.apply([np.ones(shape, "float32") for shape in SHAPES], variables)
        assert all(v.data is b and v.data.dtype == np.float32 for v, b in zip(variables, buffers)), name


def schedule_free_reference(w, grads, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8, warmup_steps=0,
                            weight_decay=None, aliased=False):
    """Keras' ScheduleFreeAdamW.update_step in float64; ``aliased`` reads momentum_old after its update (torch)."""
    y = w.astype("float64")
    z, v = y.copy(), np.zeros_like(y)
    for t, g in enumerate(grads, start=1):
        if weight_decay:
            y = y - y * weight_decay * learning_rate
        lr = learning_rate * min(t / warmup_steps, 1.0) if warmup_steps > 0 else learning_rate
        v = v + (g * g - v) * (1 - beta_2)
        z_old = z
        z = z - lr * g / (np.sqrt(v / (1 - beta_2 ** t)) + epsilon)
        x_old = (y - (1 - beta_1) * (z if aliased else z_old)) / beta_1
        x_new = (1 - 1 / t) * x_old + z / t
        y = (1 - beta_1) * z + beta_1 * x_new
    return y


@pytest.mark.parametrize("kwargs", SCHEDULE_FREE_CASES)
def test_schedule_free_adamw_follows_keras_update_step(kwargs, rng):
    initial = [rng.standard_normal(shape).astype("float32") for shape in SHAPES]
    steps = _gradients(rng, SHAPES)
    variables = [glassnet.Variable(w.copy()) for w in initial]
    optimizer = optimizers.ScheduleFreeAdamW(**kwargs)
    for grads in steps:
        optimizer.apply(grads, variables)
    for i, variable in enumerate(variables):
        expected = schedule_free_reference(initial[i], [grads[i] for grads in steps], **kwargs)
        np.testing.assert_allclose(variable.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_schedule_free_adamw_differs_from_keras_torch_only_by_its_aliased_momentum(keras, rng):
    kwargs = SCHEDULE_FREE_CASES[1]
    _, ours, _, theirs = _run_both(keras, "ScheduleFreeAdamW", kwargs, np.random.default_rng(5))
    replay = np.random.default_rng(5)
    initial = [replay.standard_normal(shape).astype("float32") for shape in SHAPES]
    steps = _gradients(replay, SHAPES)
    for i, (mine, other) in enumerate(zip(ours, theirs)):
        grads = [g[i] for g in steps]
        torch_like = schedule_free_reference(initial[i], grads, aliased=True, **kwargs)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(other), torch_like, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(mine.numpy(), schedule_free_reference(initial[i], grads, **kwargs), rtol=1e-5,
                                   atol=1e-6)
