"""Adadelta (Zeiler, 2012): steps scaled by the ratio of two running root mean squares."""

import numpy as np

from glassnet.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """As Keras computes it, with rms(a) = sqrt(a + epsilon):

        E[g^2] = rho E[g^2] + (1 - rho) g^2
        delta  = -rms(E[dx^2]) g / rms(E[g^2])
        E[dx^2] = rho E[dx^2] + (1 - rho) delta^2
        w = w + lr delta

    Keras defaults: lr 0.001, rho 0.95, epsilon 1e-7. Slots
    ``accumulated_grad`` and ``accumulated_delta_var``.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def build_slots(self, variable):
        return {"accumulated_grad": np.zeros_like(variable.data),
                "accumulated_delta_var": np.zeros_like(variable.data)}

    def update_step(self, gradient, variable, learning_rate):
        slots = self.slots_of(variable)
        grad_acc, delta_acc = slots["accumulated_grad"], slots["accumulated_delta_var"]
        grad_acc *= self.rho
        grad_acc += (1 - self.rho) * np.square(gradient)
        delta = np.sqrt(delta_acc + self.epsilon)  # a new array: the step, built in place below
        delta *= gradient
        delta /= np.sqrt(grad_acc + self.epsilon)
        delta_acc *= self.rho
        delta_acc += (1 - self.rho) * np.square(delta)
        delta *= learning_rate
        variable.data -= delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
