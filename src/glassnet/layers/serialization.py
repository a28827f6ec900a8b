"""``layers.serialize`` / ``layers.deserialize``: a layer to its Keras 3 config dict and back."""


def serialize(layer):
    """The layer's Keras 3 config: ``{"module", "class_name", "config", "registered_name"...}``."""
    from glassnet.saving.serialization_lib import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """A new layer from ``serialize``'s output (or Keras 3's), ``custom_objects`` naming user classes."""
    from glassnet.saving.serialization_lib import deserialize_keras_object

    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("layers.deserialize expects a config dict with a 'class_name' (what layers.serialize "
                         f"returns), received {config!r}")
    return deserialize_keras_object(config, custom_objects=custom_objects)
