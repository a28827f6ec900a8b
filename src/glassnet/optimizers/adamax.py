"""Adamax (Kingma & Ba, 2015, section 7.1): Adam with the infinity norm in place of the second moment."""

import numpy as np

from glassnet.optimizers.optimizer import Optimizer


class Adamax(Optimizer):
    """As Keras computes it, at step t:

        m = m + (g - m)(1 - beta_1)
        u = max(beta_2 u, |g|)
        w = w - lr m / ((1 - beta_1^t)(u + epsilon))

    Keras defaults: lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7. Slots
    ``momentum`` and ``norm``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build_slots(self, variable):
        return {"momentum": np.zeros_like(variable.data), "norm": np.zeros_like(variable.data)}

    def update_step(self, gradient, variable, learning_rate):
        slots = self.slots_of(variable)
        m, u = slots["momentum"], slots["norm"]
        m += (gradient - m) * (1 - self.beta_1)
        u *= self.beta_2
        np.maximum(u, np.abs(gradient), out=u)
        step = u + self.epsilon
        step *= 1 - self.beta_1 ** self.iterations
        np.divide(m, step, out=step)
        step *= learning_rate
        variable.data -= step

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
