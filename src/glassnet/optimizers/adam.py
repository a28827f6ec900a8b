"""Adam (Kingma & Ba, 2015) and AdamW (decoupled weight decay)."""

import math

import numpy as np

from glassnet.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """Adaptive moments, as Keras computes them:

        m = beta_1 m + (1 - beta_1) g;  v = beta_2 v + (1 - beta_2) g^2
        alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)
        w = w - alpha m / (sqrt(v) + epsilon)

    Keras defaults: lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7. Every
    step works in place on preallocated buffers.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build_slots(self, variable):
        slots = {"momentum": np.zeros_like(variable.data), "velocity": np.zeros_like(variable.data)}
        if self.amsgrad:
            slots["velocity_hat"] = np.zeros_like(variable.data)
        return slots

    def _scratch(self, variable):
        """A reused temporary the size of ``variable`` (not saved: not a slot)."""
        scratch = self.__dict__.setdefault("_scratch_buffers", {})
        buffer = scratch.get(id(variable))
        if buffer is None or buffer.shape != variable.data.shape:
            buffer = scratch[id(variable)] = np.empty_like(variable.data)
        return buffer

    def update_step(self, gradient, variable, learning_rate):
        slots = self.slots_of(variable)
        m, v = slots["momentum"], slots["velocity"]
        t = self.iterations
        alpha = learning_rate * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        tmp = self._scratch(variable)
        # m = beta_1 m + (1 - beta_1) g, written so every pass reads at most two arrays
        m *= self.beta_1
        np.multiply(gradient, 1 - self.beta_1, out=tmp)
        m += tmp
        # v = beta_2 v + (1 - beta_2) g^2
        v *= self.beta_2
        np.square(gradient, out=tmp)
        tmp *= 1 - self.beta_2
        v += tmp
        if self.amsgrad:
            v_hat = slots["velocity_hat"]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        # w -= alpha m / (sqrt(v) + epsilon)
        np.sqrt(v, out=tmp)
        tmp += self.epsilon
        np.divide(m, tmp, out=tmp)
        tmp *= alpha
        variable.data -= tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay: w -= w * weight_decay * lr before each Adam step (decay 0.004)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
        if weight_decay is None:
            raise ValueError("AdamW needs a weight_decay number (Keras' default is 0.004)")
