"""LossScaleOptimizer: dynamic loss scaling around another optimizer (Keras' mixed-precision companion)."""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.optimizers.optimizer import Optimizer

_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                  "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                  "loss_scale_factor": None, "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """``LossScaleOptimizer(Adam())`` (``keras.optimizers.LossScaleOptimizer``): each training step

        loss is multiplied by the scale before backward (``scale_loss``),
        g = g / scale;  if every g is finite: inner_optimizer.apply(g),
                           then after ``dynamic_growth_steps`` such steps in a row, scale *= 2
                        else: the step is skipped (weights, slots and iterations untouched), scale /= 2.

    In float16 this keeps small gradients from underflowing; glassnet computes
    in float32, where it still catches overflow: a step whose gradients hold
    inf or NaN is skipped instead of ruining the weights. ``learning_rate``
    and ``iterations`` are the inner optimizer's.

    Args:
        inner_optimizer: the optimizer to wrap.
        initial_scale: the first loss scale (2**15).
        dynamic_growth_steps: finite steps in a row before the scale doubles (2000).
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000, name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports dynamic=False: set loss_scale_factor on the "
                             "inner optimizer instead")
        for key, default in _BASE_DEFAULTS.items():
            if key in kwargs and kwargs.pop(key) != default:
                raise ValueError(f"LossScaleOptimizer does not support {key}: set {key} on the inner_optimizer")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support the argument(s) {sorted(kwargs)}")
        if not isinstance(inner_optimizer, Optimizer):
            raise ValueError(f"LossScaleOptimizer expects a keras.optimizers.Optimizer instance to wrap, "
                             f"got {inner_optimizer!r}")
        if isinstance(initial_scale, bool) or not isinstance(initial_scale, (int, float)) or not initial_scale > 0:
            raise ValueError(f"LossScaleOptimizer: initial_scale must be a positive number, got {initial_scale!r}")
        if isinstance(dynamic_growth_steps, bool) or not isinstance(dynamic_growth_steps, int) \
                or dynamic_growth_steps < 1:
            raise ValueError(f"LossScaleOptimizer: dynamic_growth_steps must be an integer >= 1, "
                             f"got {dynamic_growth_steps!r}")
        self.inner_optimizer = inner_optimizer
        super().__init__(learning_rate=0.0, name=name)
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        self.step_counter = 0
        self.dynamic_scale = np.float32(initial_scale)
        inner_optimizer.loss_scale_factor = None

    # the inner optimizer's learning rate and step count
    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if "inner_optimizer" in self.__dict__ and "initial_scale" in self.__dict__:
            self.inner_optimizer.learning_rate = value

    lr = learning_rate

    @property
    def learning_rate_schedule(self):
        return self.inner_optimizer.learning_rate_schedule

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @iterations.setter
    def iterations(self, value):
        if "initial_scale" in self.__dict__:
            self.inner_optimizer.iterations = value

    @property
    def use_ema(self):
        return self.inner_optimizer.use_ema

    @use_ema.setter
    def use_ema(self, value):
        pass  # set on the inner optimizer

    @property
    def _trainable_variables(self):
        return self.inner_optimizer._trainable_variables

    @_trainable_variables.setter
    def _trainable_variables(self, value):
        pass

    def build(self, variables):
        self.step_counter = 0
        self.dynamic_scale = np.float32(self.initial_scale)
        self.inner_optimizer.build(variables)
        self.built = True

    @property
    def variables(self):
        """Keras' order: its own iteration and learning rate (unused), step_counter, dynamic_scale, then the inner's."""
        own = [np.array(0, dtype="int64"), np.array(0.0, dtype="float32"),
               np.array(self.step_counter, dtype="int64"), np.array(self.dynamic_scale, dtype="float32")]
        return own + self.inner_optimizer.variables

    def scale_loss(self, loss):
        """``loss * scale``: the loss to differentiate (its gradients are divided by the scale in ``apply``)."""
        scale = self.dynamic_scale if self.built else np.float32(self.initial_scale)
        return loss * scale

    @staticmethod
    def check_finite(grads):
        """True when every gradient (None ones aside) holds only finite numbers."""
        return all(np.isfinite(g.data if isinstance(g, Tensor) else g).all() for g in grads if g is not None)

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        if not self.built:
            if trainable_variables is None:
                raise ValueError("LossScaleOptimizer: give trainable_variables with the first gradients (or call "
                                 "build(variables) first)")
            self.build(list(trainable_variables))
        if self.check_finite(grads):
            scale = self.dynamic_scale
            unscaled = [None if g is None else np.asarray(g.data if isinstance(g, Tensor) else g) / scale
                        for g in grads]
            self.inner_optimizer.apply(unscaled, trainable_variables)
            if self.step_counter == self.dynamic_growth_steps - 1:
                self.step_counter = 0
                self.dynamic_scale = np.float32(self.dynamic_scale * np.float32(2.0))
            else:
                self.step_counter += 1
        else:
            self.step_counter = 0
            self.dynamic_scale = np.float32(self.dynamic_scale * np.float32(0.5))
        return self.iterations

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self):
        from glassnet.saving.serialization_lib import serialize_keras_object

        return {"name": self.name, "inner_optimizer": serialize_keras_object(self.inner_optimizer),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from glassnet.saving.serialization_lib import deserialize_keras_object

        config = dict(config)
        inner = config.pop("inner_optimizer", None)
        if isinstance(inner, dict):
            inner = deserialize_keras_object(inner, custom_objects=custom_objects)
        return cls(inner, **config)

    def __repr__(self):
        return f"<LossScaleOptimizer inner={self.inner_optimizer!r} scale={float(self.dynamic_scale)}>"
