"""Muon (Jordan et al., 2024): momentum steps orthogonalized by Newton-Schulz iterations, for 2-D weights."""

import math
import re

import numpy as np

from glassnet.optimizers.optimizer import Optimizer


def _swap_last_axes(x):
    return np.swapaxes(x, -1, -2)


class Muon(Optimizer):
    """As Keras computes it. A 2-D weight (not an embedding, not in ``exclude_layers``) takes a Muon step:

        m = momentum m + g;  G = g + momentum m (nesterov) or m
        O = NewtonSchulz5(G): X = G / (||G||_F + 1e-7), then ns_steps times
            A = X X^T;  X = a X + (b A + c A A) X      (on the wide orientation of G)
        w = w - lr O sqrt(max(rows, cols)) rms_rate    (rms_rate None: w = w - lr O)

    Every other weight takes an Adam step (``adam_beta_1``, ``adam_beta_2``,
    ``epsilon``, learning rate lr * adam_lr_ratio). Decoupled weight decay is
    ``weight_decay`` for Muon weights and ``adam_weight_decay`` for Adam ones.
    Slots: ``momentum`` for every weight, ``velocity`` for the Adam ones only.
    """

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999, adam_weight_decay=0.004,
                 epsilon=1e-7, weight_decay=0.004, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, exclude_layers=None, exclude_embeddings=True,
                 muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315, adam_lr_ratio=1, momentum=0.95, ns_steps=5,
                 nesterov=True, rms_rate=0.2, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor, gradient_accumulation_steps=gradient_accumulation_steps,
                         name=name, **kwargs)
        self.adam_beta_1, self.adam_beta_2, self.adam_weight_decay = adam_beta_1, adam_beta_2, adam_weight_decay
        self.epsilon, self.exclude_embeddings = epsilon, exclude_embeddings
        self.exclude_layers = list(exclude_layers or [])
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio, self.momentum, self.ns_steps = adam_lr_ratio, momentum, ns_steps
        self.nesterov, self.rms_rate = nesterov, rms_rate

    def uses_adam(self, variable):
        """True for the weights Adam updates: not 2-D, an embedding, or matched by ``exclude_layers``."""
        if len(variable.shape) != 2:
            return True
        path = str(getattr(variable, "path", None) or getattr(variable, "name", "") or "")
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build_slots(self, variable):
        return {"momentum": np.zeros_like(variable.data), "velocity": np.zeros_like(variable.data)}

    def _apply_flat(self, grads, learning_rate):
        self._apply_each(grads, self._store.variables, learning_rate)  # each weight is Muon's or Adam's

    def _apply_each(self, grads, variables, learning_rate):
        for gradient, variable in zip(grads, variables):
            decay = self.adam_weight_decay if self.uses_adam(variable) else self.weight_decay
            if decay and self._decays(variable):
                variable.data -= variable.data * (decay * learning_rate)
            self.update_step(gradient, variable, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        slots = self.slots_of(variable)
        if self.uses_adam(variable):
            self._adam_step(gradient, variable, learning_rate * self.adam_lr_ratio, slots["momentum"],
                            slots["velocity"])
        else:
            self._muon_step(gradient, variable, learning_rate, slots["momentum"])

    def _muon_step(self, gradient, variable, learning_rate, m):
        m *= self.momentum
        m += gradient
        direction = gradient + self.momentum * m if self.nesterov else m
        update = self.newton_schulz(direction)
        scale = learning_rate
        if self.rms_rate is not None:
            scale *= math.sqrt(max(update.shape[0], update.shape[1])) * self.rms_rate
        update *= scale
        variable.data -= update

    def _adam_step(self, gradient, variable, learning_rate, m, v):
        t = self.iterations
        alpha = learning_rate * math.sqrt(1 - self.adam_beta_2 ** t) / (1 - self.adam_beta_1 ** t)
        m += (gradient - m) * (1 - self.adam_beta_1)
        v += (np.square(gradient) - v) * (1 - self.adam_beta_2)
        step = np.sqrt(v)
        step += self.epsilon
        np.divide(m, step, out=step)
        step *= alpha
        variable.data -= step

    def newton_schulz(self, x):
        """The quintic Newton-Schulz iteration towards the orthogonal factor U V^T of ``x`` (Keras' coefficients)."""
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = _swap_last_axes(x)
        x = x / (np.sqrt(np.sum(np.square(x), axis=(-2, -1), keepdims=True)) + 1e-7)
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        for _ in range(self.ns_steps):
            gram = x @ _swap_last_axes(x)
            x = a * x + (b * gram + c * gram @ gram) @ x
        return _swap_last_axes(x) if tall else x

    def saved_slots(self):
        """The state Keras saves after iterations and learning rate: each weight's momentum, then its velocity
        when Adam updates it."""
        state = []
        for i, variable in enumerate(self._store.variables):
            views = self._store.slot_views(i)
            state.append(views["momentum"])
            if self.uses_adam(variable):
                state.append(views["velocity"])
        return state

    def saved_slot_shapes(self, variables):
        """The shapes of ``saved_slots()`` once built on ``variables``."""
        shapes = []
        for variable in variables:
            shapes += [tuple(variable.shape)] * (2 if self.uses_adam(variable) else 1)
        return shapes

    def get_config(self):
        return {**super().get_config(), "adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2,
                "epsilon": self.epsilon, "exclude_layers": self.exclude_layers, "muon_a": self.muon_a,
                "muon_b": self.muon_b, "muon_c": self.muon_c, "adam_lr_ratio": self.adam_lr_ratio,
                "momentum": self.momentum, "ns_steps": self.ns_steps, "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings, "adam_weight_decay": self.adam_weight_decay,
                "rms_rate": self.rms_rate}
