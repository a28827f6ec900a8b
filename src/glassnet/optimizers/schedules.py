"""Learning-rate schedules: ``schedule(step) -> learning rate`` (``keras.optimizers.schedules``).

Any optimizer accepts one in place of a number for ``learning_rate``; it is
evaluated at the optimizer's iteration count before every update, so the
first update uses ``schedule(0)``::

    schedule = glassnet.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)
    model.compile(optimizer=glassnet.optimizers.SGD(learning_rate=schedule), loss="mse")

A schedule is a plain function of the step, computed in float64: call it
with an int for one value (a Python float) or with an array of steps for
an array of values, e.g. to plot it: ``schedule(np.arange(10_000))``.
Arguments, defaults, names and formulas are Keras 3's
(``keras/src/optimizers/schedules/learning_rate_schedule.py``).
"""

import math
import numbers
import warnings

import numpy as np

__all__ = [
    "LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
    "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts", "serialize", "deserialize", "get",
]


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config``.

    Subclass it for a schedule of your own::

        class Halving(LearningRateSchedule):
            def __init__(self, initial_learning_rate, every):
                self.initial_learning_rate, self.every = initial_learning_rate, every
            def __call__(self, step):
                return self.initial_learning_rate * 0.5 ** (step // self.every)
            def get_config(self):
                return {"initial_learning_rate": self.initial_learning_rate, "every": self.every}
    """

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override __call__(self, step)")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({arguments})"


# --- argument checks ---------------------------------------------------------------------------------
def _number(schedule, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{schedule}: argument `{name}` must be a finite number, got {name}={value!r}")
    return value.item() if isinstance(value, np.generic) else value  # configs stay JSON-friendly


def _positive(schedule, name, value):
    value = _number(schedule, name, value)
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value!r} (in {schedule})")
    return value


def _non_negative(schedule, name, value):
    value = _number(schedule, name, value)
    if value < 0:
        raise ValueError(f"Argument `{name}` must be >= 0. Received: {name}={value!r} (in {schedule})")
    return value


def _step(step):
    """The step as float64 (scalar or array), and whether the caller gave a scalar."""
    if hasattr(step, "numpy") and not isinstance(step, np.ndarray):  # a Tensor or a framework tensor
        step = step.numpy()
    step = np.asarray(step, dtype="float64")
    return step, step.ndim == 0


def _out(value, scalar):
    return float(value) if scalar else np.asarray(value, dtype="float64")


# --- schedules -------------------------------------------------------------------------------------------
class ExponentialDecay(LearningRateSchedule):
    """Decay by ``decay_rate`` every ``decay_steps`` steps, smoothly or in stairs.

    lr(step) = initial_learning_rate * decay_rate ** (step / decay_steps)

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``, so
    the rate drops at whole multiples of ``decay_steps``.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        where = "ExponentialDecay"
        self.initial_learning_rate = _number(where, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive(where, "decay_steps", decay_steps)
        self.decay_rate = _positive(where, "decay_rate", decay_rate)
        self.staircase = bool(staircase)
        self.name = name

    def __call__(self, step):
        step, scalar = _step(step)
        p = step / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return _out(self.initial_learning_rate * np.power(float(self.decay_rate), p), scalar)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant rate on each interval between boundaries.

    lr(step) = values[0]  if step <= boundaries[0]
               values[i]  if boundaries[i-1] < step <= boundaries[i]
               values[-1] if step > boundaries[-1]

    ``boundaries`` are step counts in increasing order; ``values`` has one
    more entry than ``boundaries``. Example: ``PiecewiseConstantDecay([100000,
    110000], [1.0, 0.5, 0.1])`` gives 1.0 for the first 100001 steps, 0.5 for
    the next 10000, then 0.1.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length {len(values)}.")
        for i, b in enumerate(boundaries):
            _number("PiecewiseConstantDecay", f"boundaries[{i}]", b)
        for i, v in enumerate(values):
            _number("PiecewiseConstantDecay", f"values[{i}]", v)
        if any(b > c for b, c in zip(boundaries, boundaries[1:])):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must be in increasing order, got {boundaries}")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step, scalar = _step(step)
        # The number of boundaries strictly below the step is the index of its value.
        index = np.searchsorted(np.asarray(self.boundaries, dtype="float64"), step, side="left")
        return _out(np.asarray(self.values, dtype="float64")[index], scalar)

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` down to ``end_learning_rate`` along a polynomial.

    Without ``cycle``:
        step' = min(step, decay_steps)
        lr(step) = (initial_learning_rate - end_learning_rate) * (1 - step' / decay_steps) ** power
                   + end_learning_rate

    With ``cycle=True`` the decay restarts from the top with a longer period:
    ``decay_steps' = decay_steps * ceil(step / decay_steps)`` (1 at step 0)
    and ``lr = (initial - end) * (1 - step / decay_steps') ** power + end``.
    ``power=1.0`` is a straight line.
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        where = "PolynomialDecay"
        self.initial_learning_rate = _number(where, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive(where, "decay_steps", decay_steps)
        self.end_learning_rate = _number(where, "end_learning_rate", end_learning_rate)
        self.power = _number(where, "power", power)
        self.cycle = bool(cycle)
        self.name = name

    def __call__(self, step):
        step, scalar = _step(step)
        decay_steps = float(self.decay_steps)
        if self.cycle:
            multiplier = np.where(step == 0, 1.0, np.ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = np.minimum(step, decay_steps)
        p = step / decay_steps
        lr = (self.initial_learning_rate - self.end_learning_rate) * np.power(1.0 - p, float(self.power))
        return _out(lr + self.end_learning_rate, scalar)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """Decay as one over time.

    lr(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps)

    With ``staircase=True``, ``step / decay_steps`` is floored.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        where = "InverseTimeDecay"
        self.initial_learning_rate = _number(where, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive(where, "decay_steps", decay_steps)
        self.decay_rate = _non_negative(where, "decay_rate", decay_rate)
        self.staircase = bool(staircase)
        self.name = name

    def __call__(self, step):
        step, scalar = _step(step)
        p = step / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return _out(self.initial_learning_rate / (1.0 + self.decay_rate * p), scalar)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Half a cosine from the top rate down to ``alpha`` times it, after an optional linear warmup.

    Without warmup (``warmup_target=None``):
        step' = min(step, decay_steps)
        lr(step) = initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * step' / decay_steps)) + alpha)

    With ``warmup_target``, the rate first climbs in a straight line from
    ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps``:
        lr(step) = initial_learning_rate + (warmup_target - initial_learning_rate) * step / warmup_steps
    for ``step < warmup_steps``, then decays from ``warmup_target`` as above
    with ``step - warmup_steps`` (the step is capped at ``warmup_steps + decay_steps``).
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        where = "CosineDecay"
        self.initial_learning_rate = _number(where, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive(where, "decay_steps", decay_steps)
        self.alpha = _number(where, "alpha", alpha)
        self.name = name
        self.warmup_steps = _non_negative(where, "warmup_steps", warmup_steps)
        self.warmup_target = None if warmup_target is None else _number(where, "warmup_target", warmup_target)
        if warmup_target is None and warmup_steps:
            warnings.warn(f"CosineDecay: warmup_steps={warmup_steps} has no effect without warmup_target "
                          "(the rate to warm up to); set warmup_target=... to warm up", stacklevel=2)

    def _decay(self, step, decay_from):
        cosine = 0.5 * (1.0 + np.cos(math.pi * step / self.decay_steps))
        return decay_from * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        step, scalar = _step(step)
        if self.warmup_target is None:
            return _out(self._decay(np.minimum(step, self.decay_steps), self.initial_learning_rate), scalar)
        step = np.minimum(step, self.decay_steps + self.warmup_steps)
        decayed = self._decay(step - self.warmup_steps, self.warmup_target)
        if not self.warmup_steps:
            return _out(decayed, scalar)
        warmup = (self.warmup_target - self.initial_learning_rate) * (step / self.warmup_steps) \
            + self.initial_learning_rate
        return _out(np.where(step < self.warmup_steps, warmup, decayed), scalar)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2016).

    Period ``i`` lasts ``first_decay_steps * t_mul ** i`` steps and starts at
    ``initial_learning_rate * m_mul ** i``. Within a period, with ``f`` the
    fraction of it completed:
        lr = initial_learning_rate * ((1 - alpha) * m_mul ** i * 0.5 * (1 + cos(pi * f)) + alpha)

    With ``x = step / first_decay_steps``: if ``t_mul == 1``, ``i = floor(x)``
    and ``f = x - i``; otherwise ``i = floor(log(1 - x (1 - t_mul)) / log(t_mul))``
    and ``f = (x - (1 - t_mul ** i) / (1 - t_mul)) / t_mul ** i``.
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name="SGDRDecay"):
        where = "CosineDecayRestarts"
        self.initial_learning_rate = _number(where, "initial_learning_rate", initial_learning_rate)
        self.first_decay_steps = _positive(where, "first_decay_steps", first_decay_steps)
        self._t_mul = _positive(where, "t_mul", t_mul)
        self._m_mul = _non_negative(where, "m_mul", m_mul)
        self.alpha = _number(where, "alpha", alpha)
        self.name = name

    t_mul = property(lambda self: self._t_mul)
    m_mul = property(lambda self: self._m_mul)

    def __call__(self, step):
        step, scalar = _step(step)
        fraction = step / self.first_decay_steps
        t_mul, m_mul = float(self._t_mul), float(self._m_mul)
        if t_mul == 1.0:
            i_restart = np.floor(fraction)
            fraction = fraction - i_restart
        else:
            i_restart = np.floor(np.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            sum_r = (1.0 - np.power(t_mul, i_restart)) / (1.0 - t_mul)
            fraction = (fraction - sum_r) / np.power(t_mul, i_restart)
        cosine = 0.5 * np.power(m_mul, i_restart) * (1.0 + np.cos(math.pi * fraction))
        return _out(self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha), scalar)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self._t_mul, "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


# --- (de)serialization -------------------------------------------------------------------------------
ALL = {cls.__name__: cls for cls in (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay,
                                     CosineDecay, CosineDecayRestarts)}


def serialize(learning_rate_schedule):
    """The schedule as Keras 3 writes it: ``{"module", "class_name", "config", "registered_name"}``."""
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise ValueError(f"serialize expects a LearningRateSchedule, got {learning_rate_schedule!r}")
    cls = type(learning_rate_schedule)
    builtin = ALL.get(cls.__name__) is cls
    registry = _registry()
    registered = None if builtin or registry is None else registry.GLOBAL_CUSTOM_NAMES.get(cls)
    return {
        "module": "keras.optimizers.schedules" if builtin else cls.__module__,
        "class_name": cls.__name__,
        "config": learning_rate_schedule.get_config(),
        "registered_name": registered,
    }


def deserialize(config, custom_objects=None):
    """Rebuild a schedule from ``serialize``'s dict (or the shorter ``{"class_name", "config"}``).

    Built-in schedules are found by class name; a schedule of your own must be
    given in ``custom_objects`` ({"ClassName": ClassName}) or registered with
    ``glassnet.saving.register_keras_serializable``. No module is ever imported.
    """
    if isinstance(config, LearningRateSchedule):
        return config
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not deserialize a learning rate schedule from {config!r}: expected a dict with "
                         "'class_name' and 'config' (as serialize() writes)")
    name = config["class_name"]
    cls = _find(name, config.get("registered_name"), custom_objects)
    if cls is None:
        raise ValueError(f"Unknown learning rate schedule {name!r}. Built-in schedules: {', '.join(sorted(ALL))}. "
                         "Pass a schedule of your own in custom_objects={'Name': Name} or register it with "
                         "glassnet.saving.register_keras_serializable()")
    return cls.from_config(dict(config.get("config") or {}))


def _find(name, registered_name, custom_objects):
    for key in (registered_name, name):
        if key and custom_objects and key in custom_objects:
            return custom_objects[key]
    registry = _registry()
    for key in (registered_name, name):
        found = registry.get_registered_object(key, custom_objects) if registry is not None else None
        if isinstance(found, type) and issubclass(found, LearningRateSchedule):
            return found
    return ALL.get(name)


def _registry():
    """``glassnet.saving.object_registration`` (custom classes registered by name), if present."""
    try:
        from glassnet.saving import object_registration
    except ImportError:
        return None
    return object_registration


def get(identifier):
    """A schedule from a schedule or a config dict (None stays None)."""
    if identifier is None or isinstance(identifier, LearningRateSchedule):
        return identifier
    return deserialize(identifier)
