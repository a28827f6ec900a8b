"""RMSprop: divide the gradient by a running root mean square of recent gradients."""

import numpy as np

from glassnet.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """As Keras computes it:

        v = rho v + (1 - rho) g^2;  (centered: a = rho a + (1 - rho) g, v' = v - a^2)
        step = lr g / sqrt(v' + epsilon);  with momentum: m = momentum m + step, w -= m

    Keras defaults: lr 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered False.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build_slots(self, variable):
        slots = {"velocity": np.zeros_like(variable.data)}
        if self.momentum:
            slots["momentum"] = np.zeros_like(variable.data)
        if self.centered:
            slots["average_gradient"] = np.zeros_like(variable.data)
        return slots

    def update_step(self, gradient, variable, learning_rate):
        slots = self.slots_of(variable)
        v = slots["velocity"]
        v *= self.rho
        v += (1 - self.rho) * gradient * gradient
        denominator = v
        if self.centered:
            a = slots["average_gradient"]
            a *= self.rho
            a += (1 - self.rho) * gradient
            denominator = v - a * a
        step = learning_rate * gradient / np.sqrt(denominator + self.epsilon)
        if self.momentum:
            m = slots["momentum"]
            m *= self.momentum
            m += step
            step = m
        variable.data -= step

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}
