"""Optimizer options shared by all: clipping, learning rate and schedules, constraints, state, None gradients."""

import math

import numpy as np
import pytest

import glassnet
from glassnet import constraints, optimizers
from glassnet.optimizers.schedules import LearningRateSchedule

ALL = [optimizers.SGD, optimizers.Adam, optimizers.AdamW, optimizers.RMSprop, optimizers.Adagrad]


def _variables(*arrays):
    return [glassnet.Variable(np.asarray(a, "float32").copy()) for a in arrays]


@pytest.fixture
def grads():
    big = np.array([[3.0, 4.0]], "float32")    # norm 5
    small = np.array([0.3, -0.4], "float32")   # norm 0.5
    return big, small


# --- clipping -------------------------------------------------------------------------------------------


def test_clipnorm_clips_each_gradient_by_its_own_norm(grads):
    big, small = grads
    w = _variables(np.zeros((1, 2)), np.zeros(2))
    optimizers.SGD(learning_rate=1.0, clipnorm=1.0).apply([big, small], w)
    np.testing.assert_allclose(w[0].numpy(), -big / 5.0, rtol=1e-6)
    np.testing.assert_allclose(w[1].numpy(), -small, rtol=1e-6)  # under the limit: untouched


def test_global_clipnorm_scales_all_gradients_together(grads):
    big, small = grads
    w = _variables(np.zeros((1, 2)), np.zeros(2))
    optimizers.SGD(learning_rate=1.0, global_clipnorm=2.0).apply([big, small], w)
    scale = 2.0 / math.sqrt(25 + 0.25)
    np.testing.assert_allclose(w[0].numpy(), -big * scale, rtol=1e-6)
    np.testing.assert_allclose(w[1].numpy(), -small * scale, rtol=1e-6)
    w = _variables(np.zeros((1, 2)), np.zeros(2))
    optimizers.SGD(learning_rate=1.0, global_clipnorm=10.0).apply([big, small], w)
    np.testing.assert_allclose(w[0].numpy(), -big, rtol=1e-6)


def test_clipvalue_clips_elementwise(grads):
    big, small = grads
    w = _variables(np.zeros((1, 2)), np.zeros(2))
    optimizers.SGD(learning_rate=1.0, clipvalue=0.35).apply([big, small], w)
    np.testing.assert_allclose(w[0].numpy(), [[-0.35, -0.35]], rtol=1e-6)
    np.testing.assert_allclose(w[1].numpy(), [-0.3, 0.35], rtol=1e-6)


def test_clipnorm_with_adam_clips_before_the_moments(grads):
    big, _ = grads
    w = _variables(np.zeros((1, 2)))
    optimizer = optimizers.Adam(learning_rate=0.1, clipnorm=1.0)
    optimizer.apply([big], w)
    np.testing.assert_allclose(optimizer.slots_of(w[0])["momentum"], 0.1 * big / 5.0, rtol=1e-6)


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("clip", [dict(), dict(clipnorm=1.0), dict(clipvalue=0.5), dict(global_clipnorm=1.0)])
def test_gradient_arrays_passed_in_are_not_modified(cls, clip, grads):
    big, small = grads
    copies = big.copy(), small.copy()
    w = _variables(np.ones((1, 2)), np.ones(2))
    optimizer = cls(**clip)
    for _ in range(2):
        optimizer.apply([big, small], w)
    np.testing.assert_array_equal(big, copies[0])
    np.testing.assert_array_equal(small, copies[1])


@pytest.mark.parametrize("pair", [("clipnorm", "clipvalue"), ("clipnorm", "global_clipnorm"),
                                  ("clipvalue", "global_clipnorm")])
def test_only_one_clipping_option(pair):
    with pytest.raises(ValueError, match="Only one"):
        optimizers.Adam(**{pair[0]: 1.0, pair[1]: 1.0})


@pytest.mark.parametrize("name", ["clipnorm", "clipvalue", "global_clipnorm"])
def test_clipping_values_must_be_positive(name):
    with pytest.raises(ValueError, match=name):
        optimizers.SGD(**{name: -1.0})


# --- learning rate --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls,default", [(optimizers.SGD, 0.01), (optimizers.Adam, 0.001), (optimizers.AdamW, 0.001),
                                         (optimizers.RMSprop, 0.001), (optimizers.Adagrad, 0.001)])
def test_default_learning_rates(cls, default):
    assert cls().learning_rate == default


def test_learning_rate_is_settable_and_used():
    w = _variables(np.zeros(2))
    optimizer = optimizers.SGD(learning_rate=0.1)
    optimizer.apply([np.ones(2, "float32")], w)
    optimizer.learning_rate = 0.5
    assert optimizer.learning_rate == 0.5 and optimizer.lr == 0.5
    optimizer.apply([np.ones(2, "float32")], w)
    np.testing.assert_allclose(w[0].numpy(), [-0.6, -0.6], rtol=1e-6)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "fast", None])
def test_learning_rate_is_validated(bad):
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.Adam(learning_rate=bad)
    optimizer = optimizers.Adam()
    with pytest.raises(ValueError, match="learning_rate"):
        optimizer.learning_rate = bad
    assert optimizer.learning_rate == 0.001  # unchanged after the rejected value


class InverseTime(LearningRateSchedule):
    def __init__(self, initial=0.5, rate=1.0):
        self.initial, self.rate = initial, rate

    def __call__(self, step):
        return self.initial / (1.0 + self.rate * step)

    def get_config(self):
        return {"initial": self.initial, "rate": self.rate}


def test_learning_rate_schedule_is_evaluated_at_the_iteration_count():
    w = _variables(np.zeros(1))
    optimizer = optimizers.SGD(learning_rate=InverseTime())
    assert optimizer.learning_rate == pytest.approx(0.5)
    assert isinstance(optimizer.learning_rate_schedule, InverseTime)
    for _ in range(4):
        optimizer.apply([np.ones(1, "float32")], w)
    # Keras evaluates the schedule at iterations 0, 1, 2, 3 for the four updates.
    expected = -sum(0.5 / (1 + step) for step in range(4))
    np.testing.assert_allclose(w[0].numpy(), [expected], rtol=1e-6)
    assert optimizer.learning_rate == pytest.approx(0.5 / 5)


def test_schedule_drives_adam_bias_correction_consistently():
    w = _variables(np.zeros(1))
    optimizer = optimizers.Adam(learning_rate=InverseTime(0.1, 0.5))
    g = np.array([2.0], "float32")
    optimizer.apply([g], w)
    optimizer.apply([g], w)
    # Constant gradient: m / sqrt(v) corrected is 1 each step, so w = -(lr(0) + lr(1)) up to epsilon.
    np.testing.assert_allclose(w[0].numpy(), [-(0.1 + 0.1 / 1.5)], rtol=1e-4)


def test_callable_learning_rate_like_keras():
    w = _variables(np.zeros(2))
    optimizer = optimizers.SGD(learning_rate=lambda: 0.25)
    optimizer.apply([np.ones(2, "float32")], w)
    np.testing.assert_allclose(w[0].numpy(), [-0.25, -0.25], rtol=1e-6)


# --- constraints, weight decay exclusions ------------------------------------------------------------------


@pytest.mark.parametrize("cls", ALL)
def test_constraint_is_applied_after_the_update(cls):
    variable = glassnet.Variable(np.array([0.001, 0.5, -0.2], "float32"), constraint=constraints.NonNeg())
    optimizer = cls(learning_rate=0.1)
    optimizer.apply([np.array([1.0, -1.0, 1.0], "float32")], [variable])
    values = variable.numpy()
    assert values[0] == 0.0 and values[2] == 0.0  # pushed below zero, projected back
    assert values[1] > 0.5


def test_max_norm_constraint_after_sgd_step():
    variable = glassnet.Variable(np.array([[1.0], [0.0]], "float32"), constraint=constraints.MaxNorm(max_value=1.0))
    optimizers.SGD(learning_rate=1.0).apply([np.array([[-2.0], [-4.0]], "float32")], [variable])
    updated = np.array([[3.0], [4.0]])
    np.testing.assert_allclose(variable.numpy(), updated / (5 + 1e-7), rtol=1e-6)


def test_exclude_from_weight_decay_by_name():
    layer = glassnet.layers.Dense(2, bias_initializer="ones", kernel_initializer="ones")
    layer.build((None, 2))
    optimizer = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    zeros = [np.zeros((2, 2), "float32"), np.zeros(2, "float32")]
    optimizer.apply(zeros, layer.trainable_weights)
    np.testing.assert_allclose(layer.kernel.numpy(), 1 - 0.5 * 0.1, rtol=1e-6)
    np.testing.assert_allclose(layer.bias.numpy(), 1.0)


# --- state, iterations, None gradients ---------------------------------------------------------------------


def test_variables_are_iterations_then_slots():
    w = _variables(np.zeros((2, 2)), np.zeros(3))
    optimizer = optimizers.Adam(learning_rate=0.1)
    g = [np.full((2, 2), 2.0, "float32"), np.full(3, -1.0, "float32")]
    optimizer.apply(g, w)
    optimizer.apply(g, w)
    state = optimizer.variables
    assert len(state) == 1 + 2 * 2
    assert int(state[0]) == 2 and optimizer.iterations == 2
    # Momentum after two equal gradients: g (1 - 0.9^2); velocity: g^2 (1 - 0.999^2).
    momentum, velocity = optimizer.slots_of(w[0])["momentum"], optimizer.slots_of(w[0])["velocity"]
    np.testing.assert_allclose(momentum, 2.0 * (1 - 0.9 ** 2), rtol=1e-5)
    np.testing.assert_allclose(velocity, 4.0 * (1 - 0.999 ** 2), rtol=1e-4)
    # Order: iterations, then the first weight's slots, then the second's.
    np.testing.assert_array_equal(state[1], momentum)
    np.testing.assert_array_equal(state[2], velocity)
    np.testing.assert_allclose(state[3], -1.0 * (1 - 0.9 ** 2), rtol=1e-5)
    assert state[3].shape == (3,) and state[4].shape == (3,)


@pytest.mark.parametrize("cls,slots", [(lambda: optimizers.SGD(), 0), (lambda: optimizers.SGD(momentum=0.9), 1),
                                       (lambda: optimizers.Adam(amsgrad=True), 3),
                                       (lambda: optimizers.RMSprop(centered=True, momentum=0.5), 3),
                                       (lambda: optimizers.Adagrad(), 1)])
def test_number_of_slots(cls, slots):
    optimizer = cls()
    optimizer.apply([np.ones(2, "float32")], _variables(np.zeros(2)))
    assert len(optimizer.variables) == 1 + slots


def test_none_gradients_are_skipped():
    a, b = _variables(np.ones(2), np.ones(2))
    optimizer = optimizers.SGD(learning_rate=0.5)
    optimizer.apply([None, np.ones(2, "float32")], [a, b])
    np.testing.assert_array_equal(a.numpy(), [1.0, 1.0])
    np.testing.assert_allclose(b.numpy(), [0.5, 0.5])
    assert optimizer.iterations == 1
    optimizer.apply([np.ones(2, "float32"), None], [a, b])
    np.testing.assert_allclose(a.numpy(), [0.5, 0.5])
    np.testing.assert_allclose(b.numpy(), [0.5, 0.5])
    assert optimizer.iterations == 2


def test_apply_gradients_pairs_and_tensor_gradients():
    a, b = _variables(np.zeros(2), np.zeros(3))
    optimizer = optimizers.SGD(learning_rate=1.0)
    optimizer.apply_gradients(zip([np.ones(2, "float32"), glassnet.Tensor(np.full(3, 2.0, "float32"))], [a, b]))
    np.testing.assert_allclose(a.numpy(), [-1, -1])
    np.testing.assert_allclose(b.numpy(), [-2, -2, -2])


@pytest.mark.parametrize("cls", ALL)
def test_updates_reuse_the_weight_buffer_and_keep_float32(cls):
    variable = _variables(np.ones((2, 3)))[0]
    optimizer = cls(learning_rate=0.1)
    optimizer.apply([np.ones((2, 3), "float32")], [variable])
    buffer = variable.data
    before = variable.numpy()
    optimizer.apply([np.ones((2, 3), "float32")], [variable])
    assert variable.data is buffer  # later steps write in place
    assert variable.dtype == np.float32
    assert not np.allclose(variable.numpy(), before)


def test_trained_layer_updates_through_its_weights():
    layer = glassnet.layers.Dense(2)
    x = np.ones((3, 4), "float32")
    glassnet.ops.sum(layer(x)).backward()
    kernel = layer.kernel.numpy()
    optimizers.SGD(learning_rate=0.1).apply([w.grad for w in layer.trainable_weights], layer.trainable_weights)
    np.testing.assert_allclose(layer.kernel.numpy(), kernel - 0.1 * 3.0, rtol=1e-6)
    np.testing.assert_allclose(layer.bias.numpy(), -0.1 * 3.0, rtol=1e-6)


# --- lookup and config --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,cls", [("sgd", optimizers.SGD), ("adam", optimizers.Adam), ("Adam", optimizers.Adam),
                                      ("adamw", optimizers.AdamW), ("rmsprop", optimizers.RMSprop),
                                      ("adagrad", optimizers.Adagrad)])
def test_get_by_name(name, cls):
    assert type(optimizers.get(name)) is cls


def test_get_instance_class_config_and_unknown_name():
    adam = optimizers.Adam(learning_rate=0.2)
    assert optimizers.get(adam) is adam
    assert type(optimizers.get(optimizers.RMSprop)) is optimizers.RMSprop
    rebuilt = optimizers.get({"class_name": "sgd", "config": {"learning_rate": 0.3, "momentum": 0.5}})
    assert rebuilt.learning_rate == 0.3 and rebuilt.momentum == 0.5
    with pytest.raises(ValueError) as info:
        optimizers.get("adamm")
    message = str(info.value)
    assert "adamm" in message and "adam" in message and "sgd" in message and "rmsprop" in message


@pytest.mark.parametrize("optimizer", [optimizers.SGD(0.2, momentum=0.3, nesterov=True),
                                       optimizers.Adam(0.01, beta_1=0.8, amsgrad=True, clipnorm=1.0),
                                       optimizers.RMSprop(0.02, rho=0.7, centered=True),
                                       optimizers.Adagrad(0.3, initial_accumulator_value=0.5),
                                       optimizers.AdamW(0.01, weight_decay=0.02)])
def test_config_round_trip(optimizer):
    config = optimizer.get_config()
    clone = type(optimizer).from_config(config)
    assert clone.get_config() == config


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="momentun"):
        optimizers.SGD(momentun=0.9)
