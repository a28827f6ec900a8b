"""LAMB (You et al., 2019): Adam steps rescaled per weight by a trust ratio, for large batches."""

import math

import numpy as np

from glassnet.optimizers.optimizer import Optimizer


class Lamb(Optimizer):
    """As Keras computes it, at step t, for each weight w as a whole:

        m = m + (g - m)(1 - beta_1);  v = v + (g^2 - v)(1 - beta_2)
        r = (m / (1 - beta_1^t)) / (sqrt(v / (1 - beta_2^t)) + epsilon)
        ratio = ||w|| / ||r|| when both norms are > 0, else 1
        w = w - ratio lr r

    The norms are per weight, so the update runs weight by weight. Keras
    defaults: lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7. Slots
    ``momentum`` and ``velocity``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build_slots(self, variable):
        return {"momentum": np.zeros_like(variable.data), "velocity": np.zeros_like(variable.data)}

    def _apply_flat(self, grads, learning_rate):
        self._apply_each(grads, self._store.variables, learning_rate)  # the trust ratio needs each weight whole

    def update_step(self, gradient, variable, learning_rate):
        slots = self.slots_of(variable)
        m, v = slots["momentum"], slots["velocity"]
        t = self.iterations
        m += (gradient - m) * (1 - self.beta_1)
        v += (np.square(gradient) - v) * (1 - self.beta_2)
        update = v / (1 - self.beta_2 ** t)
        np.sqrt(update, out=update)
        update += self.epsilon
        np.divide(m, update, out=update)
        update /= 1 - self.beta_1 ** t
        w_norm = math.sqrt(float(np.sum(np.square(variable.data))))
        r_norm = math.sqrt(float(np.sum(np.square(update))))
        ratio = w_norm / r_norm if w_norm > 0 and r_norm > 0 else 1.0
        update *= ratio * learning_rate
        variable.data -= update

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
