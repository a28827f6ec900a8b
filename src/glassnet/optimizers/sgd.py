"""Stochastic gradient descent, with optional (Nesterov) momentum."""

import numpy as np

from glassnet.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """w -= lr g;  with momentum: m = momentum m - lr g, w += m
    (Nesterov: w += momentum m - lr g). Keras defaults: lr 0.01, momentum 0."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(f"SGD momentum must be in [0, 1], got {momentum!r}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def build_slots(self, variable):
        return {"momentum": np.zeros_like(variable.data)} if self.momentum else {}

    def update_step(self, gradient, variable, learning_rate):
        if not self.momentum:
            variable.data -= learning_rate * gradient
            return
        m = self.slots_of(variable)["momentum"]
        m *= self.momentum
        m -= learning_rate * gradient
        if self.nesterov:
            variable.data += self.momentum * m - learning_rate * gradient
        else:
            variable.data += m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
