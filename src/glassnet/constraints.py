"""Projections applied to a weight after each optimizer update (``kernel_constraint=``)."""

import numpy as np

from glassnet import config
from glassnet.utils.registry import lookup


class Constraint:
    """Base class: ``constraint(w_array) -> projected array``."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class NonNeg(Constraint):
    """w = max(w, 0)."""

    def __call__(self, w):
        return np.maximum(w, 0)


def _norms(w, axis):
    if isinstance(axis, list):  # Keras accepts a list, e.g. axis=[0, 1, 2] for a Conv2D kernel
        axis = tuple(axis)
    return np.sqrt(np.sum(w * w, axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescale so each slice's L2 norm along ``axis`` is at most ``max_value``."""

    def __init__(self, max_value=2.0, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return w * (desired / (config.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class UnitNorm(Constraint):
    """Rescale each slice along ``axis`` to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (config.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Move each slice's norm towards [min_value, max_value] at ``rate``."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (config.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


ALL = {"non_neg": NonNeg, "nonneg": NonNeg, "max_norm": MaxNorm, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}
non_neg, max_norm, unit_norm, min_max_norm = NonNeg, MaxNorm, UnitNorm, MinMaxNorm  # Keras' lowercase aliases


def serialize(constraint):
    """``{"module": "keras.constraints", "class_name": ..., "config": ..., "registered_name": ...}``, as Keras."""
    from glassnet.saving.serialization_lib import serialize_keras_object

    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """The constraint a config dict describes (Keras' format, or the short ``{"class_name", "config"}``)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"A constraint config must be a dict with 'class_name' and 'config', got {config!r}")
    if "module" not in config:
        cls = (custom_objects or {}).get(config["class_name"])
        return cls.from_config(config.get("config") or {}) if cls else get(config)
    from glassnet.saving.serialization_lib import deserialize_keras_object

    return deserialize_keras_object(config, custom_objects=custom_objects)


def get(identifier):
    """Return a constraint for a name, an instance, a callable or a config."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return lookup("constraint", identifier, ALL)()
    if isinstance(identifier, dict):
        cls = lookup("constraint", identifier["class_name"], {c.__name__.lower(): c for c in ALL.values()})
        return cls.from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise ValueError(f"constraint must be a name, a Constraint or a callable, got {identifier!r}")
