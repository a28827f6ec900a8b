"""Custom classes and functions, registered by name so a saved model can find them again.

Loading a model never imports a module named in the file. A class or a
function that is not built into glassnet is found only here:

- ``@register_keras_serializable(package="my_pkg")`` records it under
  ``"my_pkg>ClassName"`` (Keras' registered name, also written in the file);
- ``custom_objects={"ClassName": ClassName}`` given to ``load_model``, or an
  active ``custom_object_scope({...})``.

Example:
    >>> @glassnet.saving.register_keras_serializable(package="demo")
    ... class Scale(glassnet.layers.Layer):
    ...     ...
    >>> glassnet.saving.get_registered_name(Scale)
    'demo>Scale'
"""

import contextlib
import threading

GLOBAL_CUSTOM_OBJECTS = {}  # "package>name" -> class or function
GLOBAL_CUSTOM_NAMES = {}  # class or function -> "package>name"
_scopes = threading.local()


def register_keras_serializable(package="Custom", name=None):
    """Decorator: make a class or function loadable by its name ``package>name``.

    A registered class must have ``get_config`` (Layer and Model provide one).
    Registering a second object under the same name raises.
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"register_keras_serializable: package must be a string without '>', got {package!r}")

    def decorator(obj):
        registered = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"Cannot register {obj.__name__}: a serializable class needs a get_config() method")
        existing = GLOBAL_CUSTOM_OBJECTS.get(registered)
        if existing is not None and existing is not obj and _qualname(existing) != _qualname(obj):
            raise ValueError(f"'{registered}' is already registered to {existing!r}; choose another package or name")
        GLOBAL_CUSTOM_OBJECTS[registered] = obj
        GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj

    return decorator


def _qualname(obj):
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"


def get_registered_name(obj):
    """``"package>name"`` for a registered object, else its ``__name__``."""
    obj = getattr(obj, "__dict__", {}).get("_functional_original", obj)  # MyModel(inputs, outputs): MyModel's name
    return GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", None))


def get_custom_objects():
    """The global registry (``{"package>name": object}``), as ``keras.saving.get_custom_objects``."""
    return GLOBAL_CUSTOM_OBJECTS


@contextlib.contextmanager
def custom_object_scope(*mappings):
    """Within the block, the names in ``mappings`` (dicts of name -> object) resolve when loading."""
    stack = _scope_stack()
    merged = {}
    for mapping in mappings:
        merged.update(mapping or {})
    stack.append(merged)
    try:
        yield merged
    finally:
        stack.pop()


CustomObjectScope = custom_object_scope


def _scope_stack():
    if not hasattr(_scopes, "stack"):
        _scopes.stack = []
    return _scopes.stack


def scoped_objects():
    """The names made available by the active ``custom_object_scope`` blocks, innermost last."""
    merged = {}
    for mapping in _scope_stack():
        merged.update(mapping)
    return merged


def get_registered_object(name, custom_objects=None):
    """The custom object called ``name``, or None.

    Looks in ``custom_objects``, the active scopes, then the registry, by the
    exact name. A file's ``"my_pkg>MyLayer"`` also finds ``MyLayer`` given in
    ``custom_objects`` or a scope; a bare ``"MyLayer"`` also finds the one
    class registered as ``"<some package>>MyLayer"``.
    """
    if not isinstance(name, str):
        return None
    given = [custom_objects or {}, scoped_objects()]
    for source in given + [GLOBAL_CUSTOM_OBJECTS]:
        if name in source:
            return source[name]
    if ">" in name:
        short = name.split(">")[-1]
        for source in given:
            if short in source:
                return source[short]
        return None
    matches = [obj for key, obj in GLOBAL_CUSTOM_OBJECTS.items() if key.split(">")[-1] == name]
    return matches[0] if len(matches) == 1 else None


def known_custom_names(custom_objects=None):
    """Every custom name that would resolve now (for error messages)."""
    return sorted(set(custom_objects or {}) | set(scoped_objects()) | set(GLOBAL_CUSTOM_OBJECTS))
