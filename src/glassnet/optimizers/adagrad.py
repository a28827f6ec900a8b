"""Adagrad: per-weight learning rates that shrink with the sum of squared gradients."""

import numpy as np

from glassnet.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """acc = acc + g^2;  w -= lr g / sqrt(acc + epsilon).
    Keras defaults: lr 0.001, initial_accumulator_value 0.1, epsilon 1e-7."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def build_slots(self, variable):
        return {"accumulator": np.full_like(variable.data, self.initial_accumulator_value)}

    def update_step(self, gradient, variable, learning_rate):
        acc = self.slots_of(variable)["accumulator"]
        acc += gradient * gradient
        variable.data -= learning_rate * gradient / np.sqrt(acc + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
