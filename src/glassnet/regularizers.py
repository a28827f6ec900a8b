"""Weight penalties added to the training loss, as ``keras.regularizers``.

L1: l1 * sum(|w|);  L2: l2 * sum(w^2);  L1L2: both. Keras' defaults are
0.01 for ``L1()``/``L2()`` and 0.0 for ``L1L2()``.
"""

from glassnet import ops
from glassnet.utils.registry import lookup


class Regularizer:
    """Base class: ``regularizer(weight) -> scalar penalty Tensor``."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(|w|) + l2 * sum(w^2)``."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        penalty = None
        if self.l1:
            penalty = ops.multiply(ops.sum(ops.abs(x)), self.l1)
        if self.l2:
            term = ops.multiply(ops.sum(ops.square(x)), self.l2)
            penalty = term if penalty is None else ops.add(penalty, term)
        return penalty if penalty is not None else 0.0

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1 * sum(|w|)``, l1 = 0.01 by default."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum(w^2)``, l2 = 0.01 by default."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


ALL = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}
l1, l2 = L1, L2  # Keras' lowercase aliases: keras.regularizers.l2(1e-4)


def get(identifier):
    """Return a regularizer for a name ("l1", "l2", "l1_l2"), an instance, a callable or a config."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return lookup("regularizer", identifier, ALL)()
    if isinstance(identifier, dict):
        cls = lookup("regularizer", identifier["class_name"], {**ALL, **{c.__name__.lower(): c for c in ALL.values()}})
        return cls.from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise ValueError(f"regularizer must be a name, a Regularizer or a callable, got {identifier!r}")


def l1_l2(l1=0.01, l2=0.01):
    """Keras' shortcut: an L1L2 regularizer with both factors 0.01 by default."""
    return L1L2(l1=l1, l2=l2)
