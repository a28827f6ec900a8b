"""Learning-rate schedules: their formulas (written out here), Keras 3's own schedules, configs, and fit."""

import json
import math
import os
import warnings

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported

import glassnet as gn  # noqa: E402
from glassnet import layers  # noqa: E402
from glassnet.optimizers import schedules  # noqa: E402

STEPS = sorted(set(list(range(0, 1500, 7)) + [1, 2, 49, 50, 51, 99, 100, 101, 149, 150, 151, 250, 251, 300, 301,
                                                 700, 701, 5000, 123456]))


# --- the formulas, written out independently with the math module --------------------------------------------
def exponential(step, lr0, decay_steps, rate, staircase=False):
    p = step / decay_steps
    return lr0 * rate ** (math.floor(p) if staircase else p)


def piecewise(step, boundaries, values):
    for boundary, value in zip(boundaries, values):
        if step <= boundary:
            return value
    return values[-1]


def inverse_time(step, lr0, decay_steps, rate, staircase=False):
    p = step / decay_steps
    return lr0 / (1 + rate * (math.floor(p) if staircase else p))


def polynomial(step, lr0, decay_steps, end=0.0001, power=1.0, cycle=False):
    if cycle:
        decay_steps = decay_steps * (1 if step == 0 else math.ceil(step / decay_steps))
    else:
        step = min(step, decay_steps)
    return (lr0 - end) * (1 - step / decay_steps) ** power + end


def cosine(step, lr0, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
    def decay(s, top):
        return top * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * s / decay_steps)) + alpha)

    if warmup_target is None:
        return decay(min(step, decay_steps), lr0)
    step = min(step, decay_steps + warmup_steps)
    if step < warmup_steps:
        return lr0 + (warmup_target - lr0) * step / warmup_steps
    return decay(step - warmup_steps, warmup_target)


def cosine_restarts(step, lr0, first, t_mul=2.0, m_mul=1.0, alpha=0.0):
    """Walk the periods one by one (no closed form): period i has length first * t_mul**i."""
    start, length, i = 0.0, float(first), 0
    while step >= start + length:
        start, length, i = start + length, length * t_mul, i + 1
    fraction = (step - start) / length
    return lr0 * ((1 - alpha) * m_mul ** i * 0.5 * (1 + math.cos(math.pi * fraction)) + alpha)


CASES = [
    ("ExponentialDecay", (0.1, 100, 0.96), {}, exponential),
    ("ExponentialDecay", (0.1, 100, 0.5), {"staircase": True}, exponential),
    ("ExponentialDecay", (1e-3, 7, 1.02), {}, exponential),
    ("PiecewiseConstantDecay", ([100, 250, 400], [1.0, 0.5, 0.1, 0.01]), {}, piecewise),
    ("PiecewiseConstantDecay", ([50], [0.3, 0.03]), {}, piecewise),
    ("InverseTimeDecay", (0.1, 50, 0.5), {}, inverse_time),
    ("InverseTimeDecay", (0.1, 50, 0.5), {"staircase": True}, inverse_time),
    ("PolynomialDecay", (0.1, 300), {}, polynomial),
    ("PolynomialDecay", (0.1, 300), {"end_learning_rate": 0.01, "power": 2.0, "cycle": True}, polynomial),
    ("PolynomialDecay", (0.1, 300), {"end_learning_rate": 0.0, "power": 0.5}, polynomial),
    ("CosineDecay", (0.1, 300), {}, cosine),
    ("CosineDecay", (0.1, 300), {"alpha": 0.1}, cosine),
    ("CosineDecay", (0.0, 300), {"warmup_target": 0.1, "warmup_steps": 50}, cosine),
    ("CosineDecay", (0.01, 300), {"alpha": 0.2, "warmup_target": 0.1, "warmup_steps": 100}, cosine),
    ("CosineDecayRestarts", (0.1, 100), {}, cosine_restarts),
    ("CosineDecayRestarts", (0.1, 100), {"t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1}, cosine_restarts),
    ("CosineDecayRestarts", (0.1, 37), {"t_mul": 1.5, "m_mul": 0.9}, cosine_restarts),
]
IDS = [f"{name}-{i}" for i, (name, *_rest) in enumerate(CASES)]


def _formula_kwargs(kwargs):
    return {"end" if k == "end_learning_rate" else k: v for k, v in kwargs.items()}


@pytest.mark.parametrize("name,args,kwargs,formula", CASES, ids=IDS)
def test_schedule_follows_its_formula(name, args, kwargs, formula):
    schedule = getattr(schedules, name)(*args, **kwargs)
    ours = [schedule(step) for step in STEPS]
    expected = [formula(step, *args, **_formula_kwargs(kwargs)) for step in STEPS]
    assert all(type(value) is float for value in ours)
    np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name,args,kwargs,formula", CASES, ids=IDS)
def test_schedule_matches_keras(name, args, kwargs, formula):
    keras = pytest.importorskip("keras")
    theirs_schedule = getattr(keras.optimizers.schedules, name)(*args, **kwargs)
    ours_schedule = getattr(schedules, name)(*args, **kwargs)
    theirs = np.array([float(theirs_schedule(step)) for step in STEPS if step < 100000])
    ours = np.array([ours_schedule(step) for step in STEPS if step < 100000])
    # Keras computes in float32: agree to float32 rounding.
    np.testing.assert_allclose(ours, theirs, rtol=5e-5, atol=1e-7 * np.abs(ours).max())
    assert ours_schedule.get_config() == theirs_schedule.get_config()


@pytest.mark.parametrize("name,args,kwargs,formula", CASES, ids=IDS)
def test_an_array_of_steps_gives_an_array(name, args, kwargs, formula):
    schedule = getattr(schedules, name)(*args, **kwargs)
    values = schedule(np.array(STEPS))
    assert isinstance(values, np.ndarray) and values.shape == (len(STEPS),)
    np.testing.assert_array_equal(values, [schedule(step) for step in STEPS])
    assert schedule(np.int64(7)) == schedule(7) == schedule(7.0)


def test_boundaries_of_piecewise_constant_belong_to_the_interval_below():
    schedule = schedules.PiecewiseConstantDecay([100000, 110000], [1.0, 0.5, 0.1])
    assert [schedule(s) for s in (0, 100000, 100001, 110000, 110001)] == [1.0, 1.0, 0.5, 0.5, 0.1]


def test_defaults_and_names_are_keras():
    assert schedules.PolynomialDecay(0.1, 10).end_learning_rate == 0.0001
    assert schedules.PolynomialDecay(0.1, 10).power == 1.0
    cosine_decay = schedules.CosineDecay(0.1, 10)
    assert (cosine_decay.alpha, cosine_decay.warmup_target, cosine_decay.warmup_steps) == (0.0, None, 0)
    restarts = schedules.CosineDecayRestarts(0.1, 10)
    assert (restarts.t_mul, restarts.m_mul, restarts.alpha) == (2.0, 1.0, 0.0)
    names = {cls: cls(*args).name for cls, args in [
        (schedules.ExponentialDecay, (0.1, 10, 0.9)), (schedules.PiecewiseConstantDecay, ([1], [1.0, 0.5])),
        (schedules.PolynomialDecay, (0.1, 10)), (schedules.InverseTimeDecay, (0.1, 10, 0.5)),
        (schedules.CosineDecay, (0.1, 10)), (schedules.CosineDecayRestarts, (0.1, 10))]}
    assert list(names.values()) == ["ExponentialDecay", "PiecewiseConstant", "PolynomialDecay", "InverseTimeDecay",
                                    "CosineDecay", "SGDRDecay"]
    assert issubclass(schedules.CosineDecay, schedules.LearningRateSchedule)
    assert gn.optimizers.schedules.ExponentialDecay is schedules.ExponentialDecay


@pytest.mark.parametrize("make,message", [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.9), "decay_steps"),
    (lambda: schedules.ExponentialDecay(0.1, -5, 0.9), "decay_steps"),
    (lambda: schedules.ExponentialDecay(0.1, 10, 0.0), "decay_rate"),
    (lambda: schedules.ExponentialDecay("0.1", 10, 0.9), "initial_learning_rate"),
    (lambda: schedules.InverseTimeDecay(0.1, 0, 0.5), "decay_steps"),
    (lambda: schedules.InverseTimeDecay(0.1, 10, -0.5), "decay_rate"),
    (lambda: schedules.PolynomialDecay(0.1, 0), "decay_steps"),
    (lambda: schedules.PolynomialDecay(0.1, 10, power=float("nan")), "power"),
    (lambda: schedules.CosineDecay(0.1, 0), "decay_steps"),
    (lambda: schedules.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=-1), "warmup_steps"),
    (lambda: schedules.CosineDecayRestarts(0.1, 0), "first_decay_steps"),
    (lambda: schedules.CosineDecayRestarts(0.1, 10, t_mul=0), "t_mul"),
    (lambda: schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5]), "1 less than the length of values"),
    (lambda: schedules.PiecewiseConstantDecay([20, 10], [1.0, 0.5, 0.1]), "increasing"),
    (lambda: schedules.PiecewiseConstantDecay([10], [1.0, None]), "values"),
])
def test_bad_arguments_raise_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_warmup_steps_without_a_target_warns():
    with pytest.warns(UserWarning, match="warmup_target"):
        schedule = schedules.CosineDecay(0.1, 100, warmup_steps=10)
    assert schedule(0) == pytest.approx(0.1)  # no warmup, as in Keras
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schedules.CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=10)


@pytest.mark.parametrize("name,args,kwargs,formula", CASES, ids=IDS)
def test_config_round_trip_and_serialize(name, args, kwargs, formula):
    schedule = getattr(schedules, name)(*args, **kwargs)
    clone = type(schedule).from_config(schedule.get_config())
    assert clone.get_config() == schedule.get_config()
    serialized = schedules.serialize(schedule)
    assert serialized == {"module": "keras.optimizers.schedules", "class_name": name,
                          "config": schedule.get_config(), "registered_name": None}
    restored = schedules.deserialize(json.loads(json.dumps(serialized)))
    assert type(restored) is type(schedule)
    assert [restored(s) for s in STEPS[:50]] == [schedule(s) for s in STEPS[:50]]


def test_serialize_matches_keras_and_reads_its_output():
    keras = pytest.importorskip("keras")
    theirs = keras.optimizers.schedules.CosineDecay(0.01, 1000, alpha=0.1, warmup_target=0.1, warmup_steps=50)
    ours = schedules.CosineDecay(0.01, 1000, alpha=0.1, warmup_target=0.1, warmup_steps=50)
    assert schedules.serialize(ours) == keras.optimizers.schedules.serialize(theirs)
    restored = schedules.deserialize(keras.optimizers.schedules.serialize(theirs))
    assert restored.get_config() == ours.get_config()
    # and Keras reads ours
    back = keras.optimizers.schedules.deserialize(schedules.serialize(ours))
    assert float(back(60)) == pytest.approx(ours(60), rel=1e-6)


def test_deserialize_errors_and_custom_schedules():
    with pytest.raises(ValueError, match="Unknown learning rate schedule 'Mystery'"):
        schedules.deserialize({"class_name": "Mystery", "config": {}})
    with pytest.raises(ValueError, match="class_name"):
        schedules.deserialize("ExponentialDecay")

    class Halving(schedules.LearningRateSchedule):
        def __init__(self, initial_learning_rate, every):
            self.initial_learning_rate, self.every = initial_learning_rate, every

        def __call__(self, step):
            return self.initial_learning_rate * 0.5 ** (step // self.every)

        def get_config(self):
            return {"initial_learning_rate": self.initial_learning_rate, "every": self.every}

    config = schedules.serialize(Halving(0.2, 10))
    assert config["class_name"] == "Halving"
    restored = schedules.deserialize(config, custom_objects={"Halving": Halving})
    assert restored(25) == pytest.approx(0.05)
    optimizer = gn.optimizers.SGD(learning_rate=Halving(0.2, 10))
    clone = gn.optimizers.SGD.from_config(optimizer.get_config(), custom_objects={"Halving": Halving})
    assert isinstance(clone.learning_rate_schedule, Halving)


def test_base_class_needs_call():
    with pytest.raises(NotImplementedError, match="__call__"):
        schedules.LearningRateSchedule()(0)


# --- with optimizers ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("optimizer_class", [gn.optimizers.SGD, gn.optimizers.Adam, gn.optimizers.AdamW,
                                             gn.optimizers.RMSprop, gn.optimizers.Adagrad])
def test_optimizer_config_serializes_the_schedule(optimizer_class):
    schedule = schedules.PiecewiseConstantDecay([3, 6], [0.1, 0.05, 0.01])
    optimizer = optimizer_class(learning_rate=schedule)
    config = optimizer.get_config()
    assert config["learning_rate"] == schedules.serialize(schedule)
    json.dumps(config)
    clone = optimizer_class.from_config(json.loads(json.dumps(config)))
    assert isinstance(clone.learning_rate_schedule, schedules.PiecewiseConstantDecay)
    assert clone.get_config() == config
    assert clone.learning_rate == 0.1
    again = gn.optimizers.get({"class_name": optimizer_class.__name__, "config": config})
    assert again.learning_rate_schedule.get_config() == schedule.get_config()


def test_optimizer_config_matches_keras_for_a_schedule():
    keras = pytest.importorskip("keras")
    ours = gn.optimizers.Adam(learning_rate=schedules.ExponentialDecay(0.01, 100, 0.9, staircase=True))
    theirs = keras.optimizers.Adam(learning_rate=keras.optimizers.schedules.ExponentialDecay(0.01, 100, 0.9,
                                                                                             staircase=True))
    assert ours.get_config()["learning_rate"] == theirs.get_config()["learning_rate"]


def test_learning_rate_follows_the_schedule_through_updates():
    schedule = schedules.ExponentialDecay(0.5, 2, 0.5, staircase=True)
    optimizer = gn.optimizers.SGD(learning_rate=schedule)
    weight = gn.Variable(np.zeros(1, dtype="float32"))
    seen = []
    for _ in range(6):
        before = weight.numpy().copy()
        optimizer.apply([np.ones(1, dtype="float32")], [weight])
        seen.append(float((before - weight.numpy())[0]))
    np.testing.assert_allclose(seen, [0.5, 0.5, 0.25, 0.25, 0.125, 0.125], rtol=1e-6)
    assert optimizer.learning_rate == schedule(6)


def _data(n=160):
    (x, y), _ = gn.datasets.digits.load_data()
    return x[:n].astype("float32") / 255.0, y[:n].astype("int64")


def _models(keras):
    ours = gn.Sequential([gn.Input(shape=(8, 8)), layers.Flatten(), layers.Dense(16, activation="relu"),
                          layers.Dense(10, activation="softmax")])
    theirs = keras.Sequential([keras.Input(shape=(8, 8)), keras.layers.Flatten(),
                               keras.layers.Dense(16, activation="relu"), keras.layers.Dense(10, activation="softmax")])
    theirs.set_weights(ours.get_weights())
    return ours, theirs


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
@pytest.mark.parametrize("optimizer", [
    lambda m: m.optimizers.SGD(m.optimizers.schedules.PiecewiseConstantDecay([5, 12], [0.5, 0.2, 0.05])),
    lambda m: m.optimizers.SGD(m.optimizers.schedules.ExponentialDecay(0.3, 4, 0.8), momentum=0.9),
    lambda m: m.optimizers.Adam(m.optimizers.schedules.CosineDecay(0.0, 20, warmup_target=0.01, warmup_steps=5)),
    lambda m: m.optimizers.RMSprop(m.optimizers.schedules.InverseTimeDecay(0.005, 3, 0.5, staircase=True)),
    lambda m: m.optimizers.Adam(m.optimizers.schedules.PolynomialDecay(0.01, 15, power=2.0)),
    lambda m: m.optimizers.SGD(m.optimizers.schedules.CosineDecayRestarts(0.2, 4, m_mul=0.8)),
], ids=["piecewise", "exponential", "cosine-warmup", "inverse-time", "polynomial", "restarts"])
def test_fit_with_a_schedule_matches_keras(optimizer):
    keras = pytest.importorskip("keras")
    x, y = _data()
    ours, theirs = _models(keras)
    ours.compile(optimizer=optimizer(gn), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    theirs.compile(optimizer=optimizer(keras), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    kwargs = dict(epochs=3, batch_size=16, shuffle=False, validation_split=0.25, verbose=0)
    ours_history = ours.fit(x, y, **kwargs).history
    theirs_history = theirs.fit(x, y, **kwargs).history
    for key in theirs_history:
        np.testing.assert_allclose(ours_history[key], theirs_history[key], rtol=1e-4, atol=1e-6, err_msg=key)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-4, atol=1e-5)
    assert ours.optimizer.iterations == 24
    assert ours.optimizer.learning_rate == pytest.approx(float(theirs.optimizer.learning_rate), rel=1e-5)


def test_fit_with_a_schedule_without_keras():
    x, y = _data(64)
    model = gn.Sequential([gn.Input(shape=(8, 8)), layers.Flatten(), layers.Dense(10, activation="softmax")])
    schedule = schedules.CosineDecay(0.1, decay_steps=8)
    model.compile(optimizer=gn.optimizers.SGD(learning_rate=schedule), loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert len(history.history["loss"]) == 3
    assert model.optimizer.iterations == 12
    assert model.optimizer.learning_rate == schedule(12) == 0.0  # decayed to alpha * lr after 8 steps
    # once at zero, the weights no longer move
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_numpy_scalar_arguments_give_a_json_config():
    """_positive/_non_negative keep _number's conversion: a np.int64 decay_steps must not reach the config."""
    schedule = schedules.CosineDecayRestarts(np.float32(0.1), np.int64(100), t_mul=np.float64(2.0),
                                             m_mul=np.float64(0.5))
    config = schedule.get_config()
    json.dumps(config)
    assert type(config["first_decay_steps"]) is int and type(config["m_mul"]) is float
