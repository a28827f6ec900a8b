"""Objects to and from Keras 3's config format, without ever running code from a file.

A serialized object is the dict Keras 3 writes in ``config.json``::

    {"module": "keras.layers", "class_name": "Dense", "config": {...},
     "registered_name": null, "build_config": {...}}

``serialize_keras_object`` writes it for glassnet objects (built-in classes
under Keras' module names, so Keras loads them). ``deserialize_keras_object``
reads glassnet's and Keras' files: it resolves a class only from glassnet's
built-in classes, the registry (``register_keras_serializable``) and
``custom_objects``; it never imports a module named in the file and never
unpickles. A Python ``lambda`` stored as bytecode is refused unless
``safe_mode=False``. Options Keras writes that glassnet does not have are
dropped when they hold their default (``quantization_config: null``...) and
refused with a clear error otherwise.
"""

import base64
import builtins
import contextlib
import marshal
import threading
import types
import warnings

import numpy as np

from glassnet import config as settings
from glassnet.saving import object_registration

PLAIN_TYPES = (str, int, float, bool)
_state = threading.local()

# Options Keras 3 writes that glassnet's classes do not take, with the values that mean "off":
# such an option is dropped when it holds one of these values (ANY: whatever it holds).
ANY = object()
IGNORED_OPTIONS = {
    "quantization_config": (None,), "lora_rank": (None,), "lora_alpha": (None,), "lora_enabled": (False,),
    "input_axes": (None,), "output_axes": (None,), "ragged": (False, None), "optional": (False,),
    "synchronized": (False,), "renorm": (False,), "renorm_clipping": (None,), "renorm_momentum": ANY,
    "ema_momentum": ANY, "ema_overwrite_frequency": (None,), "loss_scale_factor": (None,),
    "gradient_accumulation_steps": (None,), "use_ema": (False,), "autocast": ANY, "sparse": (False, None),
    "build_input_shape": ANY, "trainable": ANY, "seed": (None,),
}
_LAYER_BASE_OPTIONS = {"name", "trainable", "dtype", "input_shape", "batch_input_shape", "batch_size", "input_dim",
                       "autocast"}


# --- scopes ---------------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def loading_scope(custom_objects=None, safe_mode=True):
    """Make ``custom_objects`` and ``safe_mode`` apply to every nested deserialization in the block."""
    previous = getattr(_state, "scope", None)
    merged = dict(previous[0]) if previous else {}
    merged.update(custom_objects or {})
    _state.scope = (merged, safe_mode if safe_mode is not None else (previous[1] if previous else True))
    try:
        with object_registration.custom_object_scope(merged):
            yield
    finally:
        _state.scope = previous


def in_safe_mode():
    """False inside a load that passed ``safe_mode=False``, and everywhere after
    ``config.enable_unsafe_deserialization()`` (which, as in Keras, overrides safe_mode=True)."""
    if settings.is_unsafe_deserialization_enabled():
        return False
    scope = getattr(_state, "scope", None)
    return True if scope is None else scope[1] is not False


def _scope_objects():
    scope = getattr(_state, "scope", None)
    return scope[0] if scope else {}


# --- built-in classes and functions ---------------------------------------------------------------------------------
_FAMILIES = ("layers", "models", "initializers", "regularizers", "constraints", "optimizers", "schedules", "losses",
             "metrics", "operations")
_MODULES = {"layers": "keras.layers", "models": "keras", "initializers": "keras.initializers",
            "regularizers": "keras.regularizers", "constraints": "keras.constraints", "optimizers": "keras.optimizers",
            "schedules": "keras.optimizers.schedules", "losses": "keras.losses", "metrics": "keras.metrics",
            "operations": "keras.src.ops.numpy"}
_tables = {}


def _classes_in(module, base):
    return {obj.__name__: obj for obj in vars(module).values() if isinstance(obj, type) and issubclass(obj, base)}


def builtin_classes():
    """``{family: {class name: class}}`` for glassnet's built-in serializable classes (built once)."""
    if "classes" not in _tables:
        from glassnet import constraints, initializers, layers, losses, metrics, optimizers, regularizers
        from glassnet.layers.core.operation_node import OPERATION_NODES
        from glassnet.layers.layer import Layer
        from glassnet.models import Functional, Model, Sequential
        from glassnet.optimizers import schedules

        layers.load_all()  # the lazily imported layers too
        layer_table = _classes_in(layers, Layer)
        layer_table.update({"InputLayer": layers.InputLayer})
        layer_table.update({cls.keras_class_name: cls for cls in list(layer_table.values()) if "keras_class_name" in vars(cls)})
        _tables["classes"] = {
            "layers": layer_table,
            "models": {"Functional": Functional, "Sequential": Sequential, "Model": Model},
            "initializers": {**_classes_in(initializers, initializers.Initializer),
                             **{cls.__name__: cls for cls in initializers.ALL.values()}},
            "regularizers": _classes_in(regularizers, regularizers.Regularizer),
            "constraints": _classes_in(constraints, constraints.Constraint),
            "optimizers": _classes_in(optimizers, optimizers.Optimizer),
            "schedules": _classes_in(schedules, schedules.LearningRateSchedule),
            "losses": _classes_in(losses, losses.Loss),
            "metrics": _classes_in(metrics, metrics.Metric),
            "operations": dict(OPERATION_NODES),  # keras.ops calls recorded in functional graphs
        }
        _tables["identity"] = {cls: family for family, table in _tables["classes"].items()
                               for cls in table.values()}
    return _tables["classes"]


def builtin_functions():
    """``{family: {name: function}}`` for activations, loss and metric functions."""
    if "functions" not in _tables:
        from glassnet import activations, losses, metrics

        def functions_of(module, names):
            found = {name: getattr(module, name) for name in names if callable(getattr(module, name, None))}
            return {name: fn for name, fn in found.items() if isinstance(fn, types.FunctionType)}

        _tables["functions"] = {
            "activations": dict(activations.ALL),
            "losses": {fn.__name__: fn for fn in losses.FUNCTIONS} | functions_of(losses, dir(losses)),
            "metrics": {fn.__name__: fn for fn in metrics.FUNCTIONS} | functions_of(metrics, dir(metrics)),
        }
        _tables["function_names"] = {}
        for family, table in _tables["functions"].items():  # a loss function that is also a metric: "losses"
            for name, fn in table.items():
                _tables["function_names"].setdefault(fn, (family, name))
    return _tables["functions"]


def _builtin_family(cls):
    builtin_classes()
    from glassnet.layers.core.operation_node import OperationNode

    if issubclass(cls, OperationNode):
        return "operations"  # also the op classes made when an op was called on keras.Input tensors
    return _tables["identity"].get(cls)


def _families_for(module):
    """Which built-in families a Keras module name points to, most likely first."""
    module = module or ""
    if "schedules" in module:
        return ["schedules"]
    if module.startswith(("keras.src.ops", "keras.ops")):
        return ["operations"]
    for family in ("optimizers", "losses", "metrics", "initializers", "regularizers", "constraints"):
        if family in module:
            return [family]
    if "models" in module or module in ("keras", "glassnet"):
        return ["models", "layers"]
    if "layers" in module:
        return ["layers", "models"]
    return list(_FAMILIES)


# --- serialization ----------------------------------------------------------------------------------------------------
def serialize_keras_object(obj):
    """The JSON-ready config of ``obj``, in Keras 3's format."""
    if obj is None or isinstance(obj, PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(item) for item in obj]
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    if isinstance(obj, (np.generic, np.ndarray)):
        if isinstance(obj, np.ndarray) and obj.ndim > 0:
            if obj.dtype.name not in NUMERIC_DTYPES:  # strings and the like: a plain list, which loads as one
                return serialize_keras_object(obj.tolist())
            return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": obj.dtype.name}}
        return obj.item()
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {key: serialize_keras_object(getattr(obj, key))
                                                      for key in ("start", "stop", "step")}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    from glassnet.layers.keras_tensor import KerasTensor

    if isinstance(obj, KerasTensor):
        return serialize_keras_tensor(obj)
    if isinstance(obj, types.FunctionType):
        return serialize_function(obj)
    if hasattr(obj, "get_config"):
        return serialize_class_instance(obj)
    raise TypeError(f"Cannot serialize {obj!r} of type {type(obj).__name__}: a saved object needs a get_config() "
                    f"method (or must be a number, string, list or dict)")


def serialize_keras_tensor(tensor, node_index=None):
    """A KerasTensor as a node argument: its shape, dtype and the layer call that made it."""
    history = tensor._keras_history
    if history is not None:
        layer, index, tensor_index = history
        history = [layer.name, index if node_index is None else node_index, tensor_index]
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(tensor.shape), "dtype": tensor.dtype, "keras_history": history}}


def serialize_function(fn):
    """A function by name: ``{"class_name": "function", "config": "relu", ...}`` (lambdas as bytecode)."""
    if fn.__name__ == "<lambda>":
        warnings.warn("A lambda is being saved as Python bytecode: loading it needs safe_mode=False and the same "
                      "Python version. Prefer a named function registered with register_keras_serializable().",
                      stacklevel=3)
        return {"class_name": "__lambda__", "config": dict(zip(("code", "defaults", "closure"), function_dump(fn)))}
    builtin_functions()
    known = _tables["function_names"].get(fn)
    if known is not None and object_registration.GLOBAL_CUSTOM_NAMES.get(fn) is None:
        # Keras 3's entry for a built-in function: its bare name, found among activations, losses and metrics
        return {"module": "builtins", "class_name": "function", "config": known[1], "registered_name": "function"}
    name = object_registration.get_registered_name(fn)
    return {"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"}


def serialize_class_instance(obj):
    """An object with ``get_config`` as module, class name, config and registered name (+ build/compile)."""
    cls = type(obj)
    family = _builtin_family(cls)
    config = obj.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"{cls.__name__}.get_config() must return a dict, got {type(config).__name__}")
    inner = serialize_keras_object(config)
    if family is not None:
        module, registered = _MODULES[family], None
        if cls.__name__ == "Functional":
            module, registered = "keras.src.models.functional", "Functional"
        elif family == "operations":
            registered = cls.__name__  # as Keras writes its ops
    else:
        module, registered = cls.__module__, object_registration.get_registered_name(cls)
    class_name = cls.__dict__.get("keras_class_name", cls.__name__)  # Keras' exported name where it differs
    entry = {"module": module, "class_name": class_name, "config": inner, "registered_name": registered}
    build_config = obj.get_build_config() if hasattr(obj, "get_build_config") else None
    if build_config is not None:
        entry["build_config"] = serialize_keras_object(build_config)
    compile_config = obj.get_compile_config() if hasattr(obj, "get_compile_config") else None
    if compile_config is not None:
        entry["compile_config"] = serialize_keras_object(compile_config)
    return entry


def is_serializable(value):
    """Whether ``value`` can be written to a config (lambdas excluded)."""
    if value is None or isinstance(value, PLAIN_TYPES + (np.generic,)):
        return True
    if isinstance(value, (list, tuple)):
        return all(is_serializable(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_serializable(v) for k, v in value.items())
    if isinstance(value, types.FunctionType):
        return value.__name__ != "<lambda>"
    return hasattr(value, "get_config") or isinstance(value, np.ndarray)


def function_dump(fn):
    """Keras' ``func_dump``: base64 of the marshalled code, defaults and closure values."""
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(cell.cell_contents for cell in fn.__closure__) if fn.__closure__ else None
    return code, fn.__defaults__, closure


def function_load(config):
    """Rebuild a lambda from Keras' bytecode entry. Runs code from the file: only behind safe_mode=False."""
    if in_safe_mode():
        raise ValueError(
            "The file holds a Python lambda (a Lambda layer or a lambda argument) stored as bytecode. Loading it "
            "would run code from the file, so it is refused by default. If you trust the file, pass "
            "safe_mode=False to load_model; better, replace the lambda by a named function registered with "
            "@glassnet.saving.register_keras_serializable()."
        )
    import glassnet

    raw = base64.decodebytes(config["code"].encode("ascii"))
    code = marshal.loads(raw)
    closure = config.get("closure")
    if closure is not None:
        closure = tuple(types.CellType(value) for value in closure)
    defaults = config.get("defaults")
    globals_ = {"__builtins__": builtins, "glassnet": glassnet, "keras": glassnet, "ops": glassnet.ops, "np": np}
    return types.FunctionType(code, globals_, code.co_name, tuple(defaults) if defaults else None, closure)


# --- deserialization --------------------------------------------------------------------------------------------------
def deserialize_keras_object(config, custom_objects=None, safe_mode=None):
    """The object a Keras-format config describes.

    Resolves classes and functions from ``custom_objects``, the registry and
    glassnet's built-ins only; raises a ValueError naming the missing class
    and the fix otherwise.
    """
    if custom_objects is not None or safe_mode is not None:
        with loading_scope(custom_objects, safe_mode):
            return deserialize_keras_object(config)
    if config is None or isinstance(config, PLAIN_TYPES):
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(item) for item in config]
    if not isinstance(config, dict):
        raise ValueError(f"Cannot read the config entry {config!r} ({type(config).__name__})")
    if "class_name" not in config or "config" not in config:
        return {key: deserialize_keras_object(value) for key, value in config.items()}
    special = _SPECIAL.get(config["class_name"])
    if special is not None:
        return special(config["config"] if config["config"] is not None else {})
    if config["class_name"] == "function":
        return resolve_function(config)
    if config["class_name"] in ("DTypePolicy", "FloatDTypePolicy"):
        from glassnet.layers.layer import dtype_name

        return dtype_name(config)
    return _instantiate(config)


def _keras_tensor(inner):
    from glassnet.layers.keras_tensor import KerasTensor

    tensor = KerasTensor(inner["shape"], dtype=inner.get("dtype") or "float32")
    tensor._pre_serialization_keras_history = inner.get("keras_history")
    return tensor


# Array values in a config: plain numbers only, and no more than a config could sensibly hold.
NUMERIC_DTYPES = frozenset(["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16",
                            "float32", "float64"])
MAX_CONFIG_ARRAY_SIZE = 1 << 24


def array_from_config(inner):
    """The NumPy array of a ``__numpy__``/``__tensor__`` entry, checked before anything is allocated.

    The dtype must name plain numbers (``NUMERIC_DTYPES``: no structured,
    sub-array, object or string types, which could allocate any amount from
    a short string such as ``"(200000000,)f8"``); the value must be a
    number or a regular nested list of numbers.
    """
    if not isinstance(inner, dict) or "value" not in inner:
        raise ValueError(f"an array entry needs 'value' and 'dtype', got {_short(inner)}")
    dtype = inner.get("dtype")
    if not isinstance(dtype, str) or dtype not in NUMERIC_DTYPES:
        raise ValueError(f"array entries must have one of the dtypes {sorted(NUMERIC_DTYPES)}, got {_short(dtype)}")
    shape = _nested_shape(inner["value"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # out-of-range integers
            return np.array(inner["value"], dtype=dtype).reshape(shape)
    except (OverflowError, ValueError, TypeError, RuntimeWarning, DeprecationWarning) as error:
        raise ValueError(f"an array entry's values do not fit dtype {dtype}: {error}") from None


def _nested_shape(value):
    """The shape of a number or a regular nested list of numbers (walked without recursion), or a ValueError."""
    if not isinstance(value, list):
        if isinstance(value, (int, float)):  # bool is an int
            return ()
        raise ValueError(f"an array entry's value must be a number or a list of numbers, got {_short(value)}")
    shape, level = [], [value]
    while level and isinstance(level[0], list):
        lengths = {len(item) if isinstance(item, list) else -1 for item in level}
        if len(lengths) != 1 or -1 in lengths:
            raise ValueError(f"an array entry's value is not a regular nested list (at depth {len(shape)})")
        shape.append(lengths.pop())
        if np.prod(shape) > MAX_CONFIG_ARRAY_SIZE:
            raise ValueError(f"an array entry holds more than {MAX_CONFIG_ARRAY_SIZE} numbers")
        level = [item for sub in level for item in sub]
    if any(not isinstance(item, (int, float)) for item in level):
        raise ValueError("an array entry's value must hold only numbers")
    return tuple(shape)


def _short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


MAX_NESTING = 100


def check_nesting(config, limit=MAX_NESTING):
    """Raise a ValueError when lists and dicts in ``config`` nest deeper than ``limit`` (checked without recursion).

    Real model configs nest a dozen levels (a few more per nested model);
    deeper ones would only exhaust the recursion of deserialization.
    """
    level, depth = [config] if isinstance(config, (dict, list)) else [], 0
    while level:
        depth += 1
        if depth > limit:
            raise ValueError(f"nests lists and dicts more than {limit} levels deep: not a model config")
        level = [item for container in level
                 for item in (container.values() if isinstance(container, dict) else container)
                 if isinstance(item, (dict, list))]


_SPECIAL = {
    "__keras_tensor__": _keras_tensor,
    "__numpy__": array_from_config,
    "__tensor__": array_from_config,
    "__bytes__": lambda inner: inner["value"].encode("utf-8"),
    "__ellipsis__": lambda inner: Ellipsis,
    "__slice__": lambda inner: slice(*(deserialize_keras_object(inner.get(k)) for k in ("start", "stop", "step"))),
    "__lambda__": lambda inner: function_load(inner if "code" in inner else
                                              dict(zip(("code", "defaults", "closure"), inner["value"]))),
}


def resolve_function(config):
    """A function named in the file: a custom one (registry, custom_objects) or a built-in activation/loss/metric."""
    name = config.get("config")
    if not isinstance(name, str):
        raise ValueError(f"A function entry must name the function, got {config!r}")
    found = object_registration.get_registered_object(name, _scope_objects())
    if found is not None:
        return found
    tables = builtin_functions()
    module = config.get("module") or ""
    families = [f for f in ("activations", "losses", "metrics") if f in module] or ["activations", "losses", "metrics"]
    for family in families:
        if name in tables[family]:
            return tables[family][name]
    raise ValueError(
        f"Unknown function {name!r} in the file. glassnet never runs code named in a model file: pass "
        f"custom_objects={{{name.split('>')[-1]!r}: {name.split('>')[-1]}}} to load_model, or decorate the function "
        f"with @glassnet.saving.register_keras_serializable(). Custom names known now: "
        f"{object_registration.known_custom_names(_scope_objects()) or 'none'}"
    )


def resolve_class(config):
    """(class, is_builtin) for a serialized object, or a ValueError naming the fix.

    A Keras or glassnet built-in (module ``keras...``, no registered name) is
    looked up among glassnet's classes; anything else only among the custom
    objects and the registry.
    """
    class_name, module = config["class_name"], config.get("module")
    registered = config.get("registered_name")
    builtin_module = module is None or str(module).split(".")[0] in ("keras", "glassnet", "tf_keras")
    custom_names = [registered] if registered and registered != class_name else []
    if not builtin_module or custom_names:
        custom_names.append(class_name)
    for name in custom_names:
        found = object_registration.get_registered_object(name, _scope_objects())
        if isinstance(found, type):
            return found, False
    if builtin_module:
        tables = builtin_classes()
        for family in _families_for(module):
            if class_name in tables[family]:
                return tables[family][class_name], True
        found = object_registration.get_registered_object(class_name, _scope_objects())
        if isinstance(found, type):
            return found, False
        if "operations" in _families_for(module):
            from glassnet.layers.core.operation_node import operation_class_for

            found = operation_class_for(class_name)  # any keras.ops function glassnet has
            if found is not None:
                return found, False  # its options are the op's own arguments, not a layer's
    raise ValueError(_unknown_class_message(class_name, module, registered))


def _unknown_class_message(class_name, module, registered):
    where = f" (module {module!r}" + (f", registered as {registered!r})" if registered else ")") if module else ""
    known = object_registration.known_custom_names(_scope_objects())
    return (
        f"Unknown class {class_name!r}{where} in the file. glassnet never imports code named in a model file, so a "
        f"custom class must be given: load_model(path, custom_objects={{{class_name!r}: {class_name}}}), or decorate "
        f"the class with @glassnet.saving.register_keras_serializable() before loading. Custom names known now: "
        f"{known or 'none'}"
    )


def _instantiate(config):
    cls, builtin = resolve_class(config)
    inner = config["config"]
    if not isinstance(inner, dict):
        raise ValueError(f"The config of {config['class_name']} must be a dict, got {type(inner).__name__}")
    if builtin:
        inner = accepted_options(cls, inner)
        if not getattr(cls, "_reads_raw_config", False):
            inner = {key: deserialize_keras_object(value) for key, value in inner.items()}
    try:
        instance = cls.from_config(dict(inner))
    except (TypeError, ValueError, KeyError) as error:
        raise type(error)(f"Could not rebuild {config['class_name']} from its config: {error}") from error
    _apply_build_and_compile(instance, config)
    return instance


def _apply_build_and_compile(instance, config):
    build_config = config.get("build_config")
    if build_config and not getattr(instance, "built", True) and hasattr(instance, "build_from_config"):
        instance.build_from_config(build_config)
    compile_config = config.get("compile_config")
    if compile_config and hasattr(instance, "compile_from_config"):
        instance.compile_from_config(compile_config)


def accepted_options(cls, config):
    """``config`` without the options Keras writes that ``cls`` does not take (when they hold their default).

    Raises a ValueError naming the option when it holds a value glassnet cannot honour.
    """
    accepted = _accepted_keys(cls)
    if accepted is None:
        return dict(config)
    kept = {}
    for key, value in config.items():
        if key in accepted:
            kept[key] = value
            continue
        defaults = IGNORED_OPTIONS.get(key)
        if defaults is ANY or (defaults is not None and any(value is d or value == d for d in defaults)):
            continue
        raise ValueError(f"{cls.__name__}: the option {key}={value!r} in the file is not supported by glassnet "
                         f"(glassnet's {cls.__name__} takes {sorted(accepted)})")
    return kept


def _accepted_keys(cls):
    """The keyword arguments ``cls`` takes (following ``**kwargs`` up the class chain), or None for any."""
    import inspect

    from glassnet.layers.layer import Layer

    if getattr(cls, "_reads_raw_config", False):
        return None
    names = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        parameters = inspect.signature(init).parameters
        names |= {n for n, p in parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if klass is Layer:  # Layer takes **kwargs only for the legacy input-shape options
            names |= _LAYER_BASE_OPTIONS
            break
        if not any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
            break
    else:
        return None
    names.discard("self")
    return names


# --- JSON -----------------------------------------------------------------------------------------------------------
def to_json_text(obj, **kwargs):
    """``json.dumps`` of ``serialize_keras_object(obj)``."""
    import json

    return json.dumps(serialize_keras_object(obj), **kwargs)
