"""The Optimizer base class: learning rate, clipping, weight decay, slots, ``apply``.

Subclasses implement ``build_slots(variable)`` (the per-weight buffers, such
as Adam's moments) and ``update_step(gradient, variable, learning_rate)``,
which updates ``variable.data`` in place. The base class handles what all
share, in Keras' order: clip the gradients, apply decoupled weight decay,
update, then apply each weight's constraint.
"""

import math

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.optimizers.flat_store import FlatStore, FlatVariable
from glassnet.optimizers.schedules import LearningRateSchedule
from glassnet.utils.naming import to_snake_case


MAX_ITERATIONS = 2 ** 53  # a step count stays exact in float64, where schedules and bias corrections use it


def check_iterations(value):
    """``value`` as a step count (an integer from 0 to 2**53), or a ValueError saying what it is instead.

    A loaded count must pass this: a negative one makes Adam's bias correction
    ``1 - beta ** t`` zero or negative (ZeroDivisionError, math domain error).
    """
    array = np.asarray(value)
    if array.shape != () or array.dtype.kind not in "iuf":
        raise ValueError(f"iterations must be a single integer, got {_show(value)}")
    number = array.item()
    if isinstance(number, float) and not (math.isfinite(number) and number.is_integer()):
        raise ValueError(f"iterations must be a whole number of steps, got {number!r}")
    if not 0 <= number <= MAX_ITERATIONS:
        raise ValueError(f"iterations must be from 0 to 2**53, got {int(number)}")
    return int(number)


def check_learning_rate(value):
    """``value`` as a learning rate (a finite number >= 0), or a ValueError saying what it is instead."""
    if isinstance(value, (bool, np.bool_)) or isinstance(value, np.ndarray) and value.ndim:
        raise ValueError(f"learning_rate must be a number or a LearningRateSchedule, got {_show(value)}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"learning_rate must be a number or a LearningRateSchedule, got {_show(value)}") from None
    if not (number >= 0 and math.isfinite(number)):
        raise ValueError(f"learning_rate must be a finite number >= 0, got {number!r}")
    return number


def _show(value):
    if isinstance(value, np.ndarray) and value.ndim:
        return f"an array of shape {value.shape}"
    return repr(value.item() if isinstance(value, np.ndarray) else value)


def _positive_or_none(name, value):
    if value is not None and (not isinstance(value, (int, float)) or value <= 0):
        raise ValueError(f"{name} must be a positive number or None, got {value!r}")
    return value


class Optimizer:
    """Base class for optimizers (``keras.optimizers.Optimizer``)."""

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected keyword argument(s) {sorted(kwargs)}")
        if sum(v is not None for v in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of clipnorm, clipvalue and global_clipnorm can be set")
        self.name = name or to_snake_case(type(self).__name__)
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.clipnorm = _positive_or_none("clipnorm", clipnorm)
        self.clipvalue = _positive_or_none("clipvalue", clipvalue)
        self.global_clipnorm = _positive_or_none("global_clipnorm", global_clipnorm)
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError(f"ema_momentum must be in the range [0, 1], got {ema_momentum!r}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError(f"ema_overwrite_frequency must be an integer >= 1 or None, "
                                 f"got {ema_overwrite_frequency!r}")
        self.use_ema = bool(use_ema)
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.iterations = 0
        self.built = False
        self._store = None  # the weights and slots, back to back (FlatStore)
        self._index = {}  # id(variable) -> position in _trainable_variables
        self._trainable_variables = []
        self._exclude_from_weight_decay = set()

    # --- learning rate ----------------------------------------------------------
    @property
    def learning_rate(self):
        """The current learning rate as a float (a schedule is evaluated at ``iterations``)."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            return float(self._learning_rate(self.iterations))
        if callable(self._learning_rate):  # Keras also accepts a function of no arguments
            return float(self._learning_rate())
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, LearningRateSchedule) or callable(value) and not isinstance(value, (int, float)):
            self._learning_rate = value
            return
        self._learning_rate = check_learning_rate(value)

    lr = learning_rate

    @property
    def learning_rate_schedule(self):
        """The schedule, or None when the learning rate is a number."""
        return self._learning_rate if isinstance(self._learning_rate, LearningRateSchedule) else None

    # --- slots ---------------------------------------------------------------------
    def build(self, variables):
        """Create the slots for ``variables``, keeping the state of those seen before."""
        variables = list(variables)
        dtypes = {v.data.dtype for v in variables}
        if len(dtypes) > 1:
            raise ValueError(f"{type(self).__name__}: all trained weights must share one dtype, got {sorted(map(str, dtypes))}")
        previous = self._store
        self._store = FlatStore(variables, self.all_slots, previous) if variables else None
        self._trainable_variables = variables
        self._index = {id(v): i for i, v in enumerate(variables)}
        self.built = True

    def build_slots(self, variable):
        """Return ``{slot_name: array}`` shaped like ``variable.data``; none by default."""
        return {}

    def all_slots(self, variable):
        """``build_slots``, after the moving average of the weights (slot "average") when ``use_ema``."""
        slots = self.build_slots(variable)
        if self.use_ema:
            slots = {"average": np.zeros_like(variable.data), **slots}
        return slots

    def slots_of(self, variable):
        """The buffers kept for ``variable`` (or for the whole flat store), by slot name."""
        if isinstance(variable, FlatVariable):
            return self._store.slots
        return self._store.slot_views(self._index[id(variable)])

    @property
    def slot_names(self):
        return list(self._store.slots) if self._store is not None else []

    @property
    def variables(self):
        """The optimizer's state as Keras orders it: iterations, then each weight's slots."""
        state = [np.array(self.iterations, dtype="int64")]
        for i in range(len(self._trainable_variables)):
            state.extend(self._store.slot_views(i).values())
        return state

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempt variables (or variables whose path contains a name) from weight decay."""
        for v in var_list or []:
            self._exclude_from_weight_decay.add(id(v))
        self._exclude_names = tuple(var_names or ())

    # --- applying gradients ----------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Apply ``[(gradient, variable), ...]``."""
        grads_and_vars = list(grads_and_vars)
        return self.apply([g for g, _ in grads_and_vars], [v for _, v in grads_and_vars])

    def apply(self, grads, trainable_variables=None):
        """Update each variable from its gradient (variables whose gradient is None are left alone)."""
        if trainable_variables is None:
            trainable_variables = self._trainable_variables
        pairs = [(g.data if isinstance(g, Tensor) else g, v) for g, v in zip(grads, trainable_variables)
                 if g is not None]
        if not pairs:
            return self.iterations
        variables = [v for _, v in pairs]
        index = self._index
        if not self.built or any(id(v) not in index for v in variables):
            self.build(self._merge_variables(variables))
        elif not self._store.intact():
            self.build(self._trainable_variables)
        grads = self._clip([g for g, _ in pairs])
        learning_rate = self.learning_rate
        self.iterations += 1
        if len(pairs) == len(self._trainable_variables) and all(
                v is known for v, known in zip(variables, self._trainable_variables)):
            self._apply_flat(grads, learning_rate)
        else:
            self._apply_each(grads, variables, learning_rate)
        if self.use_ema:
            self._update_average()
        for variable in variables:
            if variable.constraint is not None:
                variable.data[...] = variable.constraint(variable.data)
        return self.iterations

    def _apply_flat(self, grads, learning_rate):
        """One update over every weight at once (all weights have gradients, in build order)."""
        store = self._store
        flat_grad = store.gather(grads)
        if self.weight_decay:
            for variable in store.variables:
                if self._decays(variable):
                    variable.data -= variable.data * (self.weight_decay * learning_rate)
        self.update_step(flat_grad, store.flat, learning_rate)

    def _apply_each(self, grads, variables, learning_rate):
        """Update only the given variables, one by one (some weights have no gradient this step)."""
        for g, variable in zip(grads, variables):
            if self.weight_decay and self._decays(variable):
                variable.data -= variable.data * (self.weight_decay * learning_rate)
            self.update_step(g, variable, learning_rate)

    def _merge_variables(self, new):
        known = list(self._trainable_variables)
        ids = {id(v) for v in known}
        return known + [v for v in new if id(v) not in ids]

    def _decays(self, variable):
        if id(variable) in self._exclude_from_weight_decay:
            return False
        names = getattr(self, "_exclude_names", ())
        return not any(name in (variable.path or "") for name in names)

    def _clip(self, grads):
        """Keras' clipping: per-weight norm, global norm, or value (new arrays, inputs untouched)."""
        if self.clipnorm:
            return [g * (self.clipnorm / max(float(np.sqrt((g * g).sum())), self.clipnorm)) for g in grads]
        if self.global_clipnorm:
            norm = math.sqrt(sum(float((g * g).sum()) for g in grads))
            scale = self.global_clipnorm / max(norm, self.global_clipnorm)
            return [g * scale for g in grads] if scale < 1 else grads
        if self.clipvalue:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def update_step(self, gradient, variable, learning_rate):
        raise NotImplementedError

    def scale_loss(self, loss):
        """The loss to differentiate: ``loss`` itself (``LossScaleOptimizer`` multiplies it by its scale)."""
        return loss

    # --- moving average of the weights (use_ema) ------------------------------------------------------
    def _update_average(self):
        """Keras' EMA after each update: average = m average + (1 - m) w, with m = 0 on the first step;
        every ``ema_overwrite_frequency`` steps the weights are overwritten with their average."""
        store = self._store
        average, params = store.slots["average"], store.params
        momentum = params.dtype.type(self.ema_momentum if self.iterations > 1 else 0.0)
        average[...] = momentum * average + (params.dtype.type(1) - momentum) * params
        if self.ema_overwrite_frequency and self.iterations % self.ema_overwrite_frequency == 0:
            params[...] = average

    @property
    def _model_variables_moving_average(self):
        """The averages, one array per trained weight (views into the optimizer's store), as Keras names them."""
        if not self.use_ema or self._store is None:
            return []
        return [self._store.slot_views(i)["average"] for i in range(len(self._trainable_variables))]

    def finalize_variable_values(self, var_list):
        """At the end of ``fit``: with ``use_ema``, the weights take their moving averages' values."""
        if not self.use_ema or self._store is None:
            return
        averages = self._model_variables_moving_average
        if len(var_list) != len(averages):
            raise ValueError(f"finalize_variable_values: {len(var_list)} variables given, but the optimizer holds "
                             f"the averages of {len(averages)}; was it built on this model?")
        for variable, average in zip(var_list, averages):
            variable.assign(average)

    # --- configuration -------------------------------------------------------------------
    def get_config(self):
        from glassnet.optimizers.schedules import serialize

        lr = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": serialize(lr) if isinstance(lr, LearningRateSchedule) else lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if isinstance(config.get("learning_rate"), dict):  # a serialized schedule
            from glassnet.optimizers.schedules import deserialize

            config = {**config, "learning_rate": deserialize(config["learning_rate"], custom_objects)}
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} learning_rate={self.learning_rate}>"
