"""Schedule-free AdamW (Defazio et al., 2024, "The Road Less Scheduled"): no learning-rate schedule needed."""

import numpy as np

from glassnet.optimizers.optimizer import Optimizer


class ScheduleFreeAdamW(Optimizer):
    """As Keras computes it, at step t, with z the ``momentum`` slot (z = w at the start) and y = w:

        lr_t = lr min(t / warmup_steps, 1)  (when warmup_steps > 0)
        v = v + (g^2 - v)(1 - beta_2);  z' = z - lr_t g / (sqrt(v / (1 - beta_2^t)) + epsilon)
        x = (y - (1 - beta_1) z) / beta_1                  (the average, recovered from y and the old z)
        x' = (1 - 1/t) x + z' / t;  y = (1 - beta_1) z' + beta_1 x'

    The weights are y, where gradients are taken; x, the running average,
    is what the method converges with. Keras defaults: lr 0.0025, beta_1 0.9,
    beta_2 0.999, epsilon 1e-8, warmup_steps 0. Slots ``momentum``, ``velocity``.
    """

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8, warmup_steps=0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.warmup_steps = beta_1, beta_2, epsilon, warmup_steps

    def build_slots(self, variable):
        return {"momentum": variable.data.copy(), "velocity": np.zeros_like(variable.data)}

    def update_step(self, gradient, variable, learning_rate):
        slots = self.slots_of(variable)
        z, v = slots["momentum"], slots["velocity"]
        y, t, beta_1 = variable.data, self.iterations, self.beta_1
        if self.warmup_steps > 0:
            learning_rate *= min(t / self.warmup_steps, 1.0)
        v += (np.square(gradient) - v) * (1 - self.beta_2)
        # y becomes x_old = (y - (1 - beta_1) z_old) / beta_1, in place, before z moves
        y -= (1 - beta_1) * z
        y /= beta_1
        step = v / (1 - self.beta_2 ** t)
        np.sqrt(step, out=step)
        step += self.epsilon
        np.divide(gradient, step, out=step)
        step *= learning_rate
        z -= step
        weight = 1.0 / t
        y *= (1 - weight) * beta_1  # beta_1 x_new = beta_1 ((1 - weight) x_old + weight z)
        y += (weight * beta_1 + 1 - beta_1) * z

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "warmup_steps": self.warmup_steps}
