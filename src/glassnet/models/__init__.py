"""Models, as ``keras.models``."""

from glassnet.models.functional import Functional
from glassnet.models.model import Model
from glassnet.models.sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a ``.keras`` (or legacy ``.h5``) file written by glassnet or Keras: architecture, weights, optimizer."""
    from glassnet.saving.keras_file import load_model as load

    return load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """``model.save(filepath)``."""
    model.save(filepath, overwrite=overwrite, zipped=zipped, **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A model (without weights) from ``model.to_json()``, glassnet's or Keras 3's."""
    from glassnet.saving.keras_file import model_from_json as from_json

    return from_json(json_string, custom_objects=custom_objects)


def clone_model(model, custom_objects=None):
    """A new model with the same architecture and fresh weights (``from_config(get_config())``)."""
    from glassnet.saving.serialization_lib import deserialize_keras_object, serialize_keras_object

    config = serialize_keras_object(model)
    config.pop("compile_config", None)
    config.pop("build_config", None) if not model.built else None
    return deserialize_keras_object(config, custom_objects=custom_objects)
