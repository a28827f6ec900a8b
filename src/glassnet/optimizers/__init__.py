"""Optimizers, as ``keras.optimizers``, with Keras' defaults."""

from glassnet.optimizers import schedules
from glassnet.optimizers.adadelta import Adadelta
from glassnet.optimizers.adafactor import Adafactor
from glassnet.optimizers.adagrad import Adagrad
from glassnet.optimizers.adam import Adam, AdamW
from glassnet.optimizers.adamax import Adamax
from glassnet.optimizers.ftrl import Ftrl
from glassnet.optimizers.lamb import Lamb
from glassnet.optimizers.lion import Lion
from glassnet.optimizers.loss_scale_optimizer import LossScaleOptimizer
from glassnet.optimizers.muon import Muon
from glassnet.optimizers.nadam import Nadam
from glassnet.optimizers.optimizer import Optimizer
from glassnet.optimizers.rmsprop import RMSprop
from glassnet.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from glassnet.optimizers.sgd import SGD
from glassnet.utils.registry import lookup

ALL = {cls.__name__.lower(): cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adafactor, Adamax, Ftrl,
                                               Lamb, Lion, Muon, Nadam, ScheduleFreeAdamW)}


def get(identifier):
    """Return an optimizer for a name ("adam", "sgd", ...), an instance, or a config dict."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return lookup("optimizer", identifier, ALL)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"optimizer must be a name or an Optimizer, got {identifier!r}")


def serialize(optimizer):
    """``{"module": "keras.optimizers", "class_name": ..., "config": ..., "registered_name": ...}``, as Keras writes it."""
    from glassnet.saving.serialization_lib import serialize_keras_object

    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """The optimizer a config dict describes (built-in class names in any case, as in Keras)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"An optimizer config must be a dict with 'class_name' and 'config', got {config!r}")
    if "module" not in config:  # a short {"class_name": "sgd", "config": {...}}
        cls = (custom_objects or {}).get(config["class_name"]) or lookup("optimizer", config["class_name"], ALL)
        return cls.from_config(config.get("config") or {})
    from glassnet.saving.serialization_lib import deserialize_keras_object

    class_name = config["class_name"]
    if class_name.lower() in ALL:
        config = {**config, "class_name": ALL[class_name.lower()].__name__}
    return deserialize_keras_object(config, custom_objects=custom_objects)
