"""Saving and loading models and weights in Keras 3's formats, as ``keras.saving``.

    model.save("model.keras")                      # architecture + weights + optimizer state
    model = glassnet.saving.load_model("model.keras")
    model.save_weights("model.weights.h5")         # weights only
    model.save("model.h5")                         # Keras' legacy HDF5 file (legacy_h5.py), read back too
    json_text = model.to_json()                    # architecture only

Loading never unpickles and never runs code from the file: custom classes
and functions are found only through ``register_keras_serializable`` or
``custom_objects``, and a Python lambda stored as bytecode needs
``safe_mode=False``. h5py is imported when a file is first read or written.
"""

from glassnet.saving.object_registration import (
    CustomObjectScope, custom_object_scope, get_custom_objects, get_registered_name, get_registered_object,
    register_keras_serializable,
)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a ``.keras`` file (or a legacy ``.h5``) written by glassnet or Keras (see ``keras_file.load_model``)."""
    from glassnet.saving.keras_file import load_model as load

    return load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """``model.save(filepath)``: write a ``.keras`` (or legacy ``.h5``) file through a temporary file."""
    from glassnet.saving.keras_file import save_model as save

    save(model, filepath, overwrite=overwrite, zipped=zipped, **kwargs)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """``model.load_weights(filepath)``."""
    model.load_weights(filepath, skip_mismatch=skip_mismatch, **kwargs)


def save_weights(model, filepath, overwrite=True, **kwargs):
    """``model.save_weights(filepath)``."""
    model.save_weights(filepath, overwrite=overwrite, **kwargs)


def serialize_keras_object(obj):
    """The Keras 3 config dict of ``obj``."""
    from glassnet.saving.serialization_lib import serialize_keras_object as serialize

    return serialize(obj)


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """The object described by a Keras 3 config dict."""
    from glassnet.saving.serialization_lib import deserialize_keras_object as deserialize

    return deserialize(config, custom_objects=custom_objects, safe_mode=safe_mode)


__all__ = [
    "CustomObjectScope", "custom_object_scope", "deserialize_keras_object", "get_custom_objects",
    "get_registered_name", "get_registered_object", "load_model", "load_weights", "register_keras_serializable",
    "save_model", "save_weights", "serialize_keras_object",
]
