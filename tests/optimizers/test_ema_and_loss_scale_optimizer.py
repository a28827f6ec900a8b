"""use_ema (ema_momentum, ema_overwrite_frequency) and LossScaleOptimizer against Keras 3; configs; .keras files."""

import os

import numpy as np
import pytest

import glassnet as gn
from glassnet import optimizers
from glassnet.autodiff.variable import Variable

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

SHAPES = [(3, 2), (2,)]


def to_numpy(keras, value):
    return np.asarray(keras.ops.convert_to_numpy(value))


def start(rng):
    return [rng.standard_normal(s).astype("float32") for s in SHAPES]


def steps(rng, count, inf_at=()):
    out = []
    for i in range(count):
        grads = [rng.standard_normal(s).astype("float32") for s in SHAPES]
        if i in inf_at:
            grads[1][0] = np.inf
        out.append(grads)
    return out


def run_keras(keras, optimizer, initial, all_grads):
    variables = [keras.Variable(v) for v in initial]
    for grads in all_grads:
        optimizer.apply([keras.ops.convert_to_tensor(g) for g in grads], variables)
    return [to_numpy(keras, v) for v in variables]


def run_ours(optimizer, initial, all_grads):
    variables = [Variable(v.copy()) for v in initial]
    for grads in all_grads:
        optimizer.apply([g.copy() for g in grads], variables)
    return [v.numpy() for v in variables]


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", dict(learning_rate=0.1, use_ema=True)),
    ("SGD", dict(learning_rate=0.1, momentum=0.9, use_ema=True, ema_momentum=0.8, ema_overwrite_frequency=3)),
    ("Adam", dict(learning_rate=0.05, use_ema=True, ema_momentum=0.5)),
])
def test_ema_equals_keras(name, kwargs, rng):
    keras = pytest.importorskip("keras")
    initial, all_grads = start(rng), steps(rng, 7)
    theirs, ours = getattr(keras.optimizers, name)(**kwargs), getattr(optimizers, name)(**kwargs)
    want, got = run_keras(keras, theirs, initial, all_grads), run_ours(ours, initial, all_grads)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(ours._model_variables_moving_average, theirs._model_variables_moving_average):
        np.testing.assert_allclose(a, to_numpy(keras, b), rtol=1e-5, atol=1e-6)
    config = theirs.get_config()
    for key in ("use_ema", "ema_momentum", "ema_overwrite_frequency"):
        assert ours.get_config()[key] == config[key]
    again = type(ours).from_config(ours.get_config())
    assert (again.use_ema, again.ema_momentum, again.ema_overwrite_frequency) == \
        (ours.use_ema, ours.ema_momentum, ours.ema_overwrite_frequency)


def test_ema_arguments_are_checked():
    with pytest.raises(ValueError, match="ema_momentum.*\\[0, 1\\].*1.5"):
        optimizers.SGD(use_ema=True, ema_momentum=1.5)
    with pytest.raises(ValueError, match="ema_overwrite_frequency.*integer >= 1.*0.5"):
        optimizers.SGD(use_ema=True, ema_overwrite_frequency=0.5)


def test_finalize_variable_values_puts_the_averages_into_the_weights(rng):
    opt = optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5)
    variables = [Variable(v) for v in start(rng)]
    for grads in steps(rng, 3):
        opt.apply(grads, variables)
    averages = [a.copy() for a in opt._model_variables_moving_average]
    assert not np.allclose(averages[0], variables[0].numpy())
    opt.finalize_variable_values(variables)
    for variable, average in zip(variables, averages):
        np.testing.assert_array_equal(variable.numpy(), average)


# --- LossScaleOptimizer -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("inner, kwargs", [("SGD", dict(learning_rate=0.1)), ("Adam", dict(learning_rate=0.01))])
def test_loss_scale_optimizer_steps_equal_keras_including_inf_gradients(inner, kwargs, rng):
    keras = pytest.importorskip("keras")
    initial = start(rng)
    scale = 2.0 ** 4
    all_grads = [[g * scale for g in grads] for grads in steps(rng, 7, inf_at=(3,))]
    theirs = keras.optimizers.LossScaleOptimizer(getattr(keras.optimizers, inner)(**kwargs), initial_scale=scale,
                                                 dynamic_growth_steps=2)
    ours = optimizers.LossScaleOptimizer(getattr(optimizers, inner)(**kwargs), initial_scale=scale,
                                         dynamic_growth_steps=2)
    keras_vars = [keras.Variable(v) for v in initial]
    our_vars = [Variable(v.copy()) for v in initial]
    for grads in all_grads:
        theirs.apply([keras.ops.convert_to_tensor(g) for g in grads], keras_vars)
        ours.apply([g.copy() for g in grads], our_vars)
        for a, b in zip(our_vars, keras_vars):
            np.testing.assert_allclose(a.numpy(), to_numpy(keras, b), rtol=1e-5, atol=1e-6)
        assert float(ours.dynamic_scale) == float(to_numpy(keras, theirs.dynamic_scale))
        assert ours.step_counter == int(to_numpy(keras, theirs.step_counter))
        assert ours.iterations == int(to_numpy(keras, theirs.iterations))
    assert ours.iterations == 6  # the inf step was skipped


def test_a_step_with_inf_gradients_changes_no_weight_and_halves_the_scale(rng):
    variables = [Variable(v) for v in start(rng)]
    opt = optimizers.LossScaleOptimizer(optimizers.Adam(), initial_scale=1024.0)
    before = [v.numpy() for v in variables]
    grads = [np.full(s, np.nan, "float32") for s in SHAPES]
    opt.apply(grads, variables)
    assert [v.numpy().tolist() for v in variables] == [b.tolist() for b in before]
    assert opt.dynamic_scale == 512.0 and opt.step_counter == 0 and opt.iterations == 0
    opt.apply([np.ones(s, "float32") * 512 for s in SHAPES], variables)
    assert opt.iterations == 1 and opt.step_counter == 1
    assert not np.allclose(variables[0].numpy(), before[0])


def test_scale_loss_and_learning_rate_delegation():
    opt = optimizers.LossScaleOptimizer(optimizers.SGD(0.3), initial_scale=8.0)
    assert float(opt.scale_loss(gn.ops.convert_to_tensor(np.float32(2.0))).numpy()) == 16.0
    assert opt.learning_rate == pytest.approx(0.3)
    opt.learning_rate = 0.05
    assert opt.inner_optimizer.learning_rate == pytest.approx(0.05)


def test_loss_scale_optimizer_arguments_are_checked():
    with pytest.raises(ValueError, match="does not support clipnorm.*inner_optimizer"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), clipnorm=1.0)
    with pytest.raises(ValueError, match="dynamic=False"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), dynamic=False)
    with pytest.raises(ValueError, match="Optimizer instance.*'sgd'"):
        optimizers.LossScaleOptimizer("sgd")
    with pytest.raises(ValueError, match="dynamic_growth_steps.*got 0"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), dynamic_growth_steps=0)


def test_loss_scale_optimizer_config_matches_keras_and_round_trips():
    keras = pytest.importorskip("keras")
    theirs = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.01), initial_scale=64.0,
                                                 dynamic_growth_steps=10)
    ours = optimizers.LossScaleOptimizer(optimizers.Adam(0.01), initial_scale=64.0, dynamic_growth_steps=10)
    assert set(ours.get_config()) == set(theirs.get_config())
    again = optimizers.deserialize(optimizers.serialize(ours))
    assert isinstance(again, optimizers.LossScaleOptimizer) and isinstance(again.inner_optimizer, optimizers.Adam)
    assert (again.initial_scale, again.dynamic_growth_steps) == (64.0, 10)
    assert again.learning_rate == pytest.approx(0.01)
    from_keras = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert isinstance(from_keras.inner_optimizer, optimizers.Adam) and from_keras.dynamic_growth_steps == 10


def test_fit_with_loss_scaling_matches_plain_training(rng):
    x, y = rng.standard_normal((16, 3)).astype("float32"), rng.standard_normal((16, 1)).astype("float32")
    results = []
    for wrap in (False, True):
        gn.utils.set_random_seed(3)
        model = gn.Sequential([gn.Input((3,)), gn.layers.Dense(1)])
        opt = optimizers.SGD(0.05)
        model.compile(optimizer=optimizers.LossScaleOptimizer(opt, initial_scale=256.0) if wrap else opt,
                      loss="mse", jit_compile=False)
        history = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
        results.append((model.get_weights(), history.history["loss"]))
    for a, b in zip(results[0][0], results[1][0]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5)


# --- .keras files both ways ------------------------------------------------------------------------------------------------
def _trained(m, x, y, inner):
    model = m.Sequential([m.Input((3,)), m.layers.Dense(2)])
    model.compile(optimizer=m.optimizers.LossScaleOptimizer(inner, initial_scale=32.0, dynamic_growth_steps=2),
                  loss="mse")
    model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)
    return model


@pytest.mark.parametrize("direction", ["keras_to_glassnet", "glassnet_to_keras"])
def test_loss_scale_and_ema_state_in_keras_files_both_ways(direction, tmp_path, rng):
    keras = pytest.importorskip("keras")
    x, y = rng.standard_normal((4, 3)).astype("float32"), rng.standard_normal((4, 2)).astype("float32")
    source, target = (keras, gn) if direction == "keras_to_glassnet" else (gn, keras)
    model = _trained(source, x, y, source.optimizers.Adam(0.01, use_ema=True, ema_momentum=0.7))
    path = str(tmp_path / "lso.keras")
    model.save(path)
    loaded = target.models.load_model(path)

    def state(m, framework):
        opt = m.optimizer
        read = (lambda v: to_numpy(keras, v)) if framework is keras else np.asarray
        inner = opt.inner_optimizer
        return (float(read(opt.dynamic_scale)), int(read(opt.step_counter)), int(read(inner.iterations)),
                [read(a) for a in inner._model_variables_moving_average])

    want, got = state(model, source), state(loaded, target)
    assert got[:3] == want[:3] and want[2] == 3 and want[0] == 64.0
    for a, b in zip(got[3], want[3]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
