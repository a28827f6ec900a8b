"""FTRL-Proximal (McMahan et al., 2013): "Follow The Regularized Leader", with L1/L2 built into the step."""

import numpy as np

from glassnet.optimizers.optimizer import Optimizer


def _at_least_zero(name, value):
    if value < 0.0:
        raise ValueError(f"Ftrl: {name} must be positive or zero, got {value!r}")


class Ftrl(Optimizer):
    """As Keras computes it, with p = learning_rate_power (<= 0):

        g' = g + 2 l2_shrinkage w
        n' = n + g^2
        z = z + g' - (n'^-p - n^-p) / lr * w
        w = (clip(z, -l1, l1) - z) / (n'^-p / lr + 2 (l2 + beta / (2 lr)));  n = n'

    Keras defaults: lr 0.001, learning_rate_power -0.5, initial_accumulator_value
    0.1, all regularization strengths 0, beta 0. Slots ``accumulator`` (n) and
    ``linear`` (z).
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        _at_least_zero("initial_accumulator_value", initial_accumulator_value)
        if learning_rate_power > 0.0:
            raise ValueError(f"Ftrl: learning_rate_power must be negative or zero, got {learning_rate_power!r}")
        _at_least_zero("l1_regularization_strength", l1_regularization_strength)
        _at_least_zero("l2_regularization_strength", l2_regularization_strength)
        _at_least_zero("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build_slots(self, variable):
        return {"accumulator": np.full_like(variable.data, self.initial_accumulator_value),
                "linear": np.zeros_like(variable.data)}

    def update_step(self, gradient, variable, learning_rate):
        slots = self.slots_of(variable)
        accumulator, linear = slots["accumulator"], slots["linear"]
        w, power = variable.data, -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * learning_rate)
        old_scale = np.power(accumulator, power)
        accumulator += np.square(gradient)
        new_scale = np.power(accumulator, power)
        linear += gradient
        if self.l2_shrinkage_regularization_strength:
            linear += (2 * self.l2_shrinkage_regularization_strength) * w
        old_scale -= new_scale  # now (n^-p - n'^-p)
        old_scale *= w
        old_scale /= learning_rate
        linear += old_scale
        new_scale /= learning_rate
        new_scale += 2 * l2  # the quadratic term
        l1 = self.l1_regularization_strength
        np.clip(linear, -l1, l1, out=w)
        w -= linear
        w /= new_scale

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
