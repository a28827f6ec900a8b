"""Optimizers, as ``keras.optimizers``, with Keras' defaults."""

from glassnet.optimizers import schedules
from glassnet.optimizers.adagrad import Adagrad
from glassnet.optimizers.adam import Adam, AdamW
from glassnet.optimizers.optimizer import Optimizer
from glassnet.optimizers.rmsprop import RMSprop
from glassnet.optimizers.sgd import SGD
from glassnet.utils.registry import lookup

ALL = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad}


def get(identifier):
    """Return an optimizer for a name ("adam", "sgd", ...), an instance, or a config dict."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return lookup("optimizer", identifier, ALL)()
    if isinstance(identifier, dict):
        cls = lookup("optimizer", identifier["class_name"], ALL)
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"optimizer must be a name or an Optimizer, got {identifier!r}")
