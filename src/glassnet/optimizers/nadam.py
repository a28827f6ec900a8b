"""Nadam (Dozat, 2016): Adam with Nesterov momentum and a momentum schedule."""

import numpy as np

from glassnet.optimizers.optimizer import Optimizer


class Nadam(Optimizer):
    """As Keras computes it, at step t, with the momentum schedule mu_t = beta_1 (1 - 0.5 * 0.96^t):

        P_t = mu_1 ... mu_t  (kept as the variable ``u_product``)
        m = m + (g - m)(1 - beta_1);  v = v + (g^2 - v)(1 - beta_2)
        m_hat = mu_{t+1} m / (1 - P_t mu_{t+1}) + (1 - mu_t) g / (1 - P_t)
        w = w - lr m_hat / (sqrt(v / (1 - beta_2^t)) + epsilon)

    Keras defaults: lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7. Slots
    ``momentum`` and ``velocity`` per weight, then the scalar ``u_product``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self._u_product = np.array(1.0, dtype="float32")

    def build(self, variables):
        variables = list(variables)
        if not self.built and variables:  # Keras creates u_product = 1 with the optimizer's other variables
            self._u_product = np.array(1.0, dtype=variables[0].data.dtype)
        super().build(variables)

    def build_slots(self, variable):
        return {"momentum": np.zeros_like(variable.data), "velocity": np.zeros_like(variable.data)}

    def _mu(self, step):
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** step)

    def _advance_u_product(self):
        """P_t = P_{t-1} mu_t, once per step, before the weights are updated (as Keras does)."""
        self._u_product *= self._u_product.dtype.type(self._mu(self.iterations))

    def _apply_flat(self, grads, learning_rate):
        self._advance_u_product()
        super()._apply_flat(grads, learning_rate)

    def _apply_each(self, grads, variables, learning_rate):
        self._advance_u_product()
        super()._apply_each(grads, variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        slots = self.slots_of(variable)
        m, v = slots["momentum"], slots["velocity"]
        t = self.iterations
        mu_t, mu_next = self._mu(t), self._mu(t + 1)
        product = float(self._u_product)
        m += (gradient - m) * (1 - self.beta_1)
        v += (np.square(gradient) - v) * (1 - self.beta_2)
        step = m * (mu_next / (1 - product * mu_next))
        step += gradient * ((1 - mu_t) / (1 - product))
        step *= learning_rate
        denominator = v / (1 - self.beta_2 ** t)
        np.sqrt(denominator, out=denominator)
        denominator += self.epsilon
        step /= denominator
        variable.data -= step

    def saved_slots(self):
        """The state Keras saves after iterations and learning rate: each weight's slots, then ``u_product``."""
        per_weight = [view for i in range(len(self._store.variables)) for view in self._store.slot_views(i).values()]
        return per_weight + [self._u_product]

    def saved_slot_shapes(self, variables):
        """The shapes of ``saved_slots()`` once built on ``variables``."""
        return [tuple(v.shape) for v in variables for _ in range(2)] + [()]

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
