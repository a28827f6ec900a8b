"""Objects to and from plain JSON-able configs: ``{"class_name": ..., "config": ...}``."""


def serialize_object(obj):
    """None stays None; objects with ``get_config`` become class name + config."""
    if obj is None:
        return None
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    return getattr(obj, "__name__", str(obj))


def serialize_layer(layer):
    """A layer as Keras 3 writes it in ``config.json``: module, class, config, build config."""
    entry = {
        "module": "keras.layers",
        "class_name": type(layer).__name__,
        "config": layer.get_config(),
        "registered_name": None,
    }
    build_config = layer.get_build_config() if hasattr(layer, "get_build_config") else None
    if build_config is not None:
        entry["build_config"] = build_config
    return entry
