"""Adafactor (Shazeer & Stern, 2018): Adam-like steps with factored second moments, for little memory."""

import math

import numpy as np

from glassnet.optimizers.optimizer import Optimizer


def _rms(x):
    return math.sqrt(float(np.mean(np.square(x))))


class Adafactor(Optimizer):
    """As Keras computes it, at step t, for each weight w as a whole:

        lr_t = min(lr, 1 / sqrt(t)) (relative_step, lr a number);  alpha = max(epsilon_2, rms(w)) lr_t
        beta = 1 - t^beta_2_decay;  G = g^2 + epsilon_1
        w of 2+ axes: r = beta r + (1 - beta) mean(G, axis=-1);  c = beta c + (1 - beta) mean(G, axis=-2)
                      v = (r / mean(r, axis=-1))[..., None] * c[..., None, :]
        otherwise:    v = beta v + (1 - beta) G
        u = g / sqrt(v);  w = w - alpha u / max(1, rms(u) / clip_threshold)

    For a weight of 2+ axes only r and c carry over between steps: that is
    the memory saving. Keras defaults: lr 0.001, beta_2_decay -0.8,
    epsilon_1 1e-30, epsilon_2 1e-3, clip_threshold 1, relative_step True.
    Saved state per weight, in Keras' order: r, c (int32 zeros for weights of
    fewer than 2 axes, as Keras keeps them), ``velocity``.
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0,
                 relative_step=True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_2_decay, self.epsilon_1, self.epsilon_2 = beta_2_decay, epsilon_1, epsilon_2
        self.clip_threshold, self.relative_step = clip_threshold, relative_step
        self._factors = {}  # id(variable) -> (r, c)

    def build(self, variables):
        variables = list(variables)
        previous = self._factors
        self._factors = {id(v): previous.get(id(v)) or self._new_factors(v) for v in variables}
        super().build(variables)

    @staticmethod
    def _new_factors(variable):
        shape, dtype = variable.data.shape, variable.data.dtype
        if len(shape) < 2:
            return np.zeros((), dtype="int32"), np.zeros((), dtype="int32")
        return np.zeros(shape[:-1], dtype=dtype), np.zeros(shape[:-2] + shape[-1:], dtype=dtype)

    def build_slots(self, variable):
        return {"velocity": np.zeros_like(variable.data)}

    def _apply_flat(self, grads, learning_rate):
        self._apply_each(grads, self._store.variables, learning_rate)  # rms and factors need each weight whole

    def update_step(self, gradient, variable, learning_rate):
        v = self.slots_of(variable)["velocity"]
        w, t = variable.data, self.iterations
        if self.relative_step and not callable(self._learning_rate):
            learning_rate = min(learning_rate, 1 / math.sqrt(t))
        alpha = max(self.epsilon_2, _rms(w)) * min(learning_rate, 1 / math.sqrt(t))
        beta = 1.0 - t ** self.beta_2_decay
        squared = np.square(gradient)
        squared += self.epsilon_1
        if w.ndim >= 2:
            r, c = self._factors[id(variable)]
            r *= beta
            r += (1 - beta) * squared.mean(axis=-1)
            c *= beta
            c += (1 - beta) * squared.mean(axis=-2)
            np.multiply((r / r.mean(axis=-1, keepdims=True))[..., None], c[..., None, :], out=v)
        else:
            v *= beta
            v += (1 - beta) * squared
        update = np.sqrt(v, out=squared)
        np.divide(gradient, update, out=update)
        update *= alpha / max(1.0, _rms(update) / self.clip_threshold)
        w -= update

    def saved_slots(self):
        """The state Keras saves after iterations and learning rate: r, c and velocity of each weight in turn."""
        state = []
        for i, variable in enumerate(self._store.variables):
            state.extend(self._factors[id(variable)])
            state.append(self._store.slot_views(i)["velocity"])
        return state

    def saved_slot_shapes(self, variables):
        """The shapes of ``saved_slots()`` once built on ``variables``."""
        shapes = []
        for variable in variables:
            r, c = self._new_factors(variable)
            shapes += [r.shape, c.shape, tuple(variable.shape)]
        return shapes

    def get_config(self):
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step}
