"""Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms"): steps of the sign of a momentum."""

import numpy as np

from glassnet.optimizers.optimizer import Optimizer


class Lion(Optimizer):
    """As Keras computes it:

        w = w - lr sign(beta_1 m + (1 - beta_1) g)
        m = beta_2 m + (1 - beta_2) g

    Every weight moves by exactly lr (or 0), so Lion wants a learning rate
    3-10x smaller than AdamW's. Keras defaults: lr 0.001, beta_1 0.9,
    beta_2 0.99. Slot ``momentum``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not 0 < beta_1 <= 1:
            raise ValueError(f"Lion: beta_1 must be in (0, 1] (otherwise it degenerates to SignSGD), got {beta_1!r}")
        self.beta_1, self.beta_2 = beta_1, beta_2

    def build_slots(self, variable):
        return {"momentum": np.zeros_like(variable.data)}

    def update_step(self, gradient, variable, learning_rate):
        m = self.slots_of(variable)["momentum"]
        step = m * self.beta_1
        step += gradient * (1 - self.beta_1)
        np.sign(step, out=step)
        step *= learning_rate
        variable.data -= step
        m *= self.beta_2
        m += gradient * (1 - self.beta_2)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
