"""Keras' legacy HDF5 whole-model format (``model.save("model.h5")``), read and written with h5py.

    model.save("model.h5")                      # Keras warns the format is legacy; so does glassnet
    model = glassnet.models.load_model("model.h5")
    model.load_weights("model.h5", by_name=True)

The file, as Keras (2 and 3) writes it:

- root attributes ``backend``, ``keras_version``, ``model_config`` (JSON,
  the legacy ``{"class_name", "config"}`` form: no ``module`` or
  ``build_config`` entries around the model and its layers) and, for a
  compiled model, ``training_config`` (JSON: loss, metrics, loss weights...
  and ``optimizer_config``);
- group ``model_weights``: attributes ``layer_names`` (every layer, in
  order), ``backend`` and ``keras_version``; one group per layer whose
  ``weight_names`` attribute lists its weights (trainable ones first) and
  names the datasets that hold them (``dense/kernel``); and
  ``top_level_model_weights`` for weights a model holds itself;
- group ``optimizer_weights`` (with ``include_optimizer`` and an optimizer
  that has state): ``weight_names`` and one dataset each, in Keras' order
  (iterations, learning rate, then the slots).

A Keras 2 weights file (``save_weights("w.h5")``) is the ``model_weights``
group alone, at the root. Long name lists are split over ``NAME0``,
``NAME1``... attributes, as HDF5 limits an attribute's size.

Loading reads JSON and arrays only: the model is rebuilt through the
registry (``serialization_lib``), a lambda stored as bytecode is refused
outside ``safe_mode=False``, and every array is checked (links, external
data, type, shape, range) before any weight is assigned. Weights are
matched to layers in order, as Keras' ``load_weights_from_hdf5_group``
does, or by layer name with ``by_name=True``. Saving gathers everything
in memory first and writes through ``atomic_path``: a failed save leaves
the previous file intact.
"""

import json
import os
import warnings

import numpy as np

from glassnet.saving.atomic import atomic_path
from glassnet.saving.file_errors import reading

SUFFIXES = (".h5", ".hdf5")
HEADER_LIMIT = 64512  # bytes HDF5 allows in one attribute, as Keras splits them
BACKEND = "numpy"
LEGACY_WARNING = ("You are saving your model as an HDF5 file via `model.save()` or `keras.saving.save_model(model)`. "
                  "This file format is considered legacy. We recommend using instead the native Keras format, e.g. "
                  "`model.save('my_model.keras')` or `keras.saving.save_model(model, 'my_model.keras')`. ")
_LAMBDA_LEGACY_OPTIONS = ("module", "function_type", "output_shape_type", "output_shape_module")


def is_legacy_path(filepath):
    """True for a name Keras saves or loads as a legacy HDF5 model (``.h5``/``.hdf5``, not ``.weights.h5``)."""
    name = os.fspath(filepath)
    return isinstance(name, str) and name.endswith(SUFFIXES) and not name.endswith(".weights.h5")


# --- the legacy config ----------------------------------------------------------------------------------------------
def legacy_entry(serialized):
    """A Keras 3 serialized object as the legacy format writes it: ``{"class_name", "config"}`` only.

    A function becomes its name; a model's layers are converted too, keeping
    the ``name`` and ``inbound_nodes`` a functional model's layers carry.
    """
    if isinstance(serialized, list):
        return [legacy_entry(item) for item in serialized]
    if not isinstance(serialized, dict) or "class_name" not in serialized or "config" not in serialized:
        if isinstance(serialized, dict):
            return {key: legacy_entry(value) for key, value in serialized.items()}
        return serialized
    if serialized["class_name"] == "function":
        return serialized.get("registered_name") or serialized["config"]
    entry = {"class_name": serialized.get("registered_name") or serialized["class_name"],
             "config": _legacy_layers(serialized["config"])}
    for key in ("name", "inbound_nodes"):
        if key in serialized:
            entry[key] = serialized[key]
    return entry


def _legacy_layers(config):
    if isinstance(config, dict) and isinstance(config.get("layers"), list):
        return {**config, "layers": [legacy_entry(layer) for layer in config["layers"]]}
    return config


def model_config(model):
    """``model_config``: the model's config in the legacy form."""
    from glassnet.saving.serialization_lib import serialize_keras_object

    return legacy_entry(serialize_keras_object(model))


def training_config(model):
    """``training_config`` of a compiled model: compile's arguments, the optimizer as ``optimizer_config``."""
    from glassnet.saving.serialization_lib import serialize_keras_object

    compiled = serialize_keras_object(model.get_compile_config())
    optimizer = compiled.pop("optimizer")
    config = {key: legacy_entry(value) for key, value in compiled.items() if key != "auto_scale_loss"}
    config["optimizer_config"] = {"class_name": optimizer.get("registered_name") or optimizer["class_name"],
                                  "config": optimizer["config"]}
    return config


# --- saving ---------------------------------------------------------------------------------------------------------
def _legacy_weights(layer):
    """A layer's weights in the legacy order: trainable ones first."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _own_weights(model):
    return list(model._trainable_variables) + list(model._non_trainable_variables)


def _named_arrays(variables, name_of):
    """``[(dataset name, array)]``; a name used twice gets ``_1``, ``_2``... so no dataset is lost."""
    named, used = [], set()
    for variable in variables:
        base = name = name_of(variable)
        count = 0
        while name in used:
            count += 1
            name = f"{base}_{count}"
        used.add(name)
        named.append((name, np.array(variable.data if hasattr(variable, "data") else variable)))
    return named


def _weight_path(variable):
    return str(getattr(variable, "path", None) or variable.name)


def _optimizer_arrays(optimizer):
    """``[(name, array)]`` of the optimizer's state in Keras' order, named as Keras names its variables."""
    from glassnet.saving.weights_h5 import _slot_order, optimizer_arrays

    arrays = optimizer_arrays(optimizer)
    names = [f"{optimizer.name}/iteration"]
    if optimizer.learning_rate_schedule is None:
        names.append(f"{optimizer.name}/learning_rate")
    variables = list(optimizer._trainable_variables or [])
    if hasattr(optimizer, "saved_slots"):  # state that is not one array per weight and slot (Nadam, Adafactor...)
        names += [f"{optimizer.name}/state_{i}" for i in range(len(arrays) - len(names))]
    else:
        for slot, index in _slot_order(optimizer, optimizer.slot_names, len(variables)):
            names.append(f"{optimizer.name}/{_weight_path(variables[index]).replace('/', '_')}_{slot}")
    return list(zip(names, arrays))


def file_contents(model, include_optimizer=True):
    """Everything the file will hold, gathered (and checked) before anything is written."""
    from glassnet.saving.keras_file import KERAS_VERSION

    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it (call it on data, fit it, or start it "
                         "with keras.Input) before saving it")
    names = [layer.name for layer in model.layers]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"Model '{model.name}' has several layers named {repeated}: the HDF5 format stores weights "
                         "by layer name, so each layer needs its own name")
    attrs = {"backend": BACKEND, "keras_version": KERAS_VERSION, "model_config": json.dumps(model_config(model))}
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None and model.compiled:
        attrs["training_config"] = json.dumps(training_config(model))
    layers = [(layer.name, _named_arrays(_legacy_weights(layer), _weight_path)) for layer in model.layers]
    top_level = _named_arrays(_own_weights(model), _weight_path)
    state = []
    if include_optimizer and optimizer is not None and getattr(optimizer, "built", False):
        state = _optimizer_arrays(optimizer)
    return {"attrs": attrs, "layer_names": names, "layers": layers, "top_level": top_level, "optimizer": state,
            "keras_version": KERAS_VERSION}


def _write_names(group, name, names):
    """A list of names as an attribute, split over ``NAME0``, ``NAME1``... when it is too large for one."""
    encoded = [n.encode("utf8") for n in names]
    too_long = [n for n in encoded if len(n) > HEADER_LIMIT]
    if too_long:
        raise ValueError(f"A name is too long for an HDF5 attribute ({len(too_long[0])} bytes): "
                         f"{too_long[0][:80]!r}...")
    data = np.array(encoded) if encoded else np.zeros(0)
    chunks = 1
    while data.nbytes / chunks > HEADER_LIMIT:
        chunks += 1
    if chunks == 1:
        group.attrs[name] = data
        return
    for index, part in enumerate(np.array_split(data, chunks)):
        group.attrs[f"{name}{index}"] = part


def _write_arrays(group, named):
    _write_names(group, "weight_names", [name for name, _ in named])
    for name, array in named:
        group.create_dataset(name, data=array)


def write_file(handle, contents):
    """Write ``file_contents``' result into an open h5py File."""
    for key, value in contents["attrs"].items():
        handle.attrs[key] = value.encode("utf8")
    weights = handle.create_group("model_weights")
    _write_names(weights, "layer_names", contents["layer_names"])
    weights.attrs["backend"] = BACKEND.encode("utf8")
    weights.attrs["keras_version"] = contents["keras_version"].encode("utf8")
    for name, named in sorted(contents["layers"], key=lambda item: item[0]):  # Keras' order: no name a prefix issue
        _write_arrays(weights.create_group(name), named)
    _write_arrays(weights.create_group("top_level_model_weights"), contents["top_level"])
    if contents["optimizer"]:
        _write_arrays(handle.create_group("optimizer_weights"), contents["optimizer"])


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """``model.save("model.h5")``: Keras' legacy HDF5 file, written through a temporary file."""
    import h5py

    filepath = os.fspath(filepath)
    warnings.warn(LEGACY_WARNING, UserWarning, stacklevel=4)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    contents = file_contents(model, include_optimizer)  # everything that can fail, before any file
    with atomic_path(filepath) as temporary:
        with open(temporary, "r+b") as stream, h5py.File(stream, "w") as handle:  # HDF5's own lock would clash
            write_file(handle, contents)


# --- reading the file's parts safely --------------------------------------------------------------------------------
def _open(filepath):
    import h5py

    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file: {filepath!r}")
    if os.path.isdir(filepath):
        raise ValueError(f"{filepath!r} is a folder, not a legacy HDF5 (.h5) model file")
    try:
        return h5py.File(filepath, "r")
    except OSError as error:
        raise ValueError(f"{filepath!r} is not a valid HDF5 file (damaged, truncated, or another format): {error}") \
            from None


def _member(group, path, kind):
    """The group or dataset at ``path`` below ``group``; links, data outside the file and odd names are refused."""
    import h5py

    parts = path.split("/")
    if not path or path.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"the name {path!r} in {group.name!r} is not a plain HDF5 path")
    current = group
    for part in parts:
        if not isinstance(current, h5py.Group) or part not in current:
            raise ValueError(f"{group.name!r} lists {path!r}, which the file does not hold")
        link = current.get(part, getlink=True)
        if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
            raise ValueError(f"refusing {path!r} in {group.name!r}: it is an HDF5 {type(link).__name__}")
        current = current[part]
    if not isinstance(current, kind):
        raise ValueError(f"{path!r} in {group.name!r} should be a {kind.__name__}, it is a {type(current).__name__}")
    if isinstance(current, h5py.Dataset):
        if current.external or current.is_virtual:
            raise ValueError(f"refusing {path!r} in {group.name!r}: it refers to data outside the file")
        if current.dtype.kind not in "fiub" or current.dtype.subdtype is not None:
            raise ValueError(f"{path!r} in {group.name!r} holds {current.dtype}, not numbers")
    return current


def _group(group, path):
    import h5py

    return _member(group, path, h5py.Group)


def _names(group, name):
    """A list-of-names attribute (or its ``NAME0``, ``NAME1``... parts), as strings."""
    if name in group.attrs:
        values = [group.attrs[name]]
    else:
        values, index = [], 0
        while f"{name}{index}" in group.attrs:
            values.append(group.attrs[f"{name}{index}"])
            index += 1
    names = []
    for value in values:
        for item in np.atleast_1d(np.asarray(value)).tolist():
            if isinstance(item, bytes):
                item = item.decode("utf8")
            if not isinstance(item, str):
                raise ValueError(f"the attribute {name!r} of {group.name!r} should list names, it holds {item!r}")
            names.append(item)
    return names


def _json_attribute(handle, name, filepath):
    """A JSON attribute of the root, parsed, or None when absent."""
    from glassnet.saving.serialization_lib import check_nesting

    if name not in handle.attrs:
        return None
    text = handle.attrs[name]
    if isinstance(text, np.ndarray) and text.shape == ():
        text = text.item()
    try:
        config = json.loads(text.decode("utf8") if isinstance(text, bytes) else text)
    except (ValueError, TypeError, RecursionError) as error:
        raise ValueError(f"{filepath!r}: the {name!r} attribute is not valid JSON ({type(error).__name__}: {error}); "
                         "the file was damaged or edited") from None
    try:
        check_nesting(config)
    except ValueError as error:
        raise ValueError(f"{filepath!r}: {name} {error}") from None
    return config


# --- matching the file's weights to the model's ---------------------------------------------------------------------
def _stored(group, layer_name):
    """``[(name, dataset)]`` of one layer's group, in its ``weight_names`` order (nothing read yet)."""
    import h5py

    layer_group = _group(group, layer_name)
    return [(name, _member(layer_group, name, h5py.Dataset)) for name in _names(layer_group, "weight_names")]


def _assignments(variables, stored, what, skip_mismatch):
    """``[(variable, value)]`` for one layer, each value checked for its shape and type, then read."""
    from glassnet.saving.weights_h5 import _cast

    planned = []
    for variable, (name, dataset) in zip(variables, stored):
        expected, found = tuple(variable.shape), tuple(dataset.shape)
        if expected != found:
            message = (f"Shape mismatch in {what} for weight {_weight_path(variable)}: the weight has shape "
                       f"{expected}, the file's {name!r} has shape {found}")
            if skip_mismatch:
                warnings.warn(f"Skipping loading it: {message}", stacklevel=6)
                continue
            raise ValueError(message)
        planned.append((variable, _cast(np.asarray(dataset[()]), variable.dtype, f"{name!r} ({what})")))
    return planned


def _top_level(group, model, skip_mismatch):
    if "top_level_model_weights" not in group:
        return []
    variables = _own_weights(model)
    stored = _stored(group, "top_level_model_weights")
    if len(stored) != len(variables):
        message = (f"Weight count mismatch for the top-level weights of model '{model.name}': it has "
                   f"{len(variables)}, the file has {len(stored)}")
        if skip_mismatch:
            warnings.warn(f"Skipping loading them: {message}", stacklevel=5)
            return []
        raise ValueError(message)
    return _assignments(variables, stored, f"model '{model.name}' (top level)", skip_mismatch)


def plan_by_order(group, model, skip_mismatch=False):
    """``[(variable, value)]``: the i-th layer with weights in the file into the i-th such layer of ``model``."""
    layers = [layer for layer in model.layers if _legacy_weights(layer)]
    stored = [(name, _stored(group, name)) for name in _names(group, "layer_names")]
    stored = [(name, weights) for name, weights in stored if weights]
    if len(stored) != len(layers):
        raise ValueError(f"Layer count mismatch: model '{model.name}' has {len(layers)} layers with weights "
                         f"({[layer.name for layer in layers][:8]}), the file has {len(stored)} "
                         f"({[name for name, _ in stored][:8]}). Was it saved from another model? "
                         "by_name=True matches layers by name instead")
    planned = []
    for index, (layer, (name, weights)) in enumerate(zip(layers, stored)):
        variables = _legacy_weights(layer)
        what = f"layer #{index} ('{layer.name}' in the model, '{name}' in the file)"
        if len(weights) != len(variables):
            raise ValueError(f"Weight count mismatch for {what}: the layer has {len(variables)} weights, the file "
                             f"has {len(weights)}")
        planned += _assignments(variables, weights, what, skip_mismatch)
    return planned + _top_level(group, model, skip_mismatch)


def plan_by_name(group, model, skip_mismatch=False):
    """``[(variable, value)]`` for the layers whose names the file has; other layers keep their weights."""
    by_name = {}
    for layer in model.layers:
        by_name.setdefault(layer.name, []).append(layer)
    planned = []
    for index, name in enumerate(_names(group, "layer_names")):
        weights = _stored(group, name)
        for layer in by_name.get(name, []):
            variables = _legacy_weights(layer)
            what = f"layer #{index} ('{name}')"
            if len(weights) != len(variables):
                message = (f"Weight count mismatch for {what}: the layer has {len(variables)} weights, the file "
                           f"has {len(weights)}")
                if skip_mismatch:
                    warnings.warn(f"Skipping loading it: {message}", stacklevel=5)
                    continue
                raise ValueError(message)
            planned += _assignments(variables, weights, what, skip_mismatch)
    return planned + _top_level(group, model, skip_mismatch)


def _optimizer_state(handle, model):
    """The checked optimizer state of ``optimizer_weights``, or None (absent, or another optimizer's)."""
    import h5py

    from glassnet.optimizers.optimizer import Optimizer
    from glassnet.saving.weights_h5 import _optimizer_shapes, checked_optimizer_state

    optimizer = getattr(model, "optimizer", None)
    if "optimizer_weights" not in handle or not isinstance(optimizer, Optimizer):
        return None
    group = _group(handle, "optimizer_weights")
    names = _names(group, "weight_names")
    if not names:
        return None
    datasets = None
    if len(names) == len(_optimizer_shapes(model, optimizer)):
        datasets = [_member(group, name, h5py.Dataset) for name in names]
    return checked_optimizer_state(model, optimizer, datasets, len(names), lambda i: f"optimizer_weights/{names[i]}")


def _assign(model, assignments, state=None):
    from glassnet.saving.weights_h5 import assign_weights

    assign_weights(model, (assignments, state))


# --- loading a whole model ------------------------------------------------------------------------------------------
def _convert_keras2(entry):
    """Keras 2's spellings Keras 3 still reads in this format: a Lambda's function as a ``[code, ...]`` list."""
    if isinstance(entry, list):
        return [_convert_keras2(item) for item in entry]
    if not isinstance(entry, dict):
        return entry
    entry = {key: _convert_keras2(value) for key, value in entry.items()}
    config = entry.get("config")
    if entry.get("class_name") == "Lambda" and isinstance(config, dict):
        config = {key: value for key, value in config.items() if key not in _LAMBDA_LEGACY_OPTIONS}
        if isinstance(config.get("function"), list):
            code = (config["function"] + [None, None, None])[:3]
            config["function"] = {"class_name": "__lambda__",
                                  "config": dict(zip(("code", "defaults", "closure"), code))}
        entry["config"] = config
    return entry


def _model_from_config(config, custom_objects, safe_mode, filepath):
    from glassnet.saving.keras_file import _model_from_config as rebuild

    if not isinstance(config, dict) or "class_name" not in config or not isinstance(config.get("config"), dict):
        keys = sorted(config) if isinstance(config, dict) else type(config).__name__
        raise ValueError(f"{filepath!r}: model_config is not a serialized model (expected 'class_name' and 'config' "
                         f"entries, found {keys})")
    config = _convert_keras2(config)
    inner = dict(config["config"])
    batch_input_shape = inner.pop("batch_input_shape", None)  # Keras 2's spelling on the model itself
    if batch_input_shape is not None:
        inner["batch_shape" if config["class_name"] == "InputLayer" else "input_shape"] = batch_input_shape
    return rebuild({**config, "config": inner}, custom_objects, safe_mode, filepath)


def _nested(value, where):
    """Losses or metrics of ``training_config``: serialized objects rebuilt, names kept, structure kept."""
    from glassnet.saving.serialization_lib import deserialize_keras_object

    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict) and "class_name" in value:
        return deserialize_keras_object(value)
    if isinstance(value, dict):
        return {key: _nested(item, where) for key, item in value.items()}
    if isinstance(value, list):
        return [_nested(item, where) for item in value]
    raise ValueError(f"training_config: {where} should be names, configs, lists or dicts of them, got {value!r}")


def compile_arguments(config):
    """``model.compile``'s arguments from ``training_config``."""
    from glassnet.saving.serialization_lib import deserialize_keras_object

    if not isinstance(config, dict) or not isinstance(config.get("optimizer_config"), dict):
        raise ValueError("training_config has no optimizer_config")
    return {"optimizer": deserialize_keras_object(config["optimizer_config"]),
            "loss": _nested(config.get("loss"), "loss"),
            "metrics": _nested(config.get("metrics"), "metrics"),
            "weighted_metrics": _nested(config.get("weighted_metrics"), "weighted_metrics"),
            "loss_weights": config.get("loss_weights")}


def _compile(model, config, custom_objects, filepath):
    from glassnet.saving.serialization_lib import loading_scope

    try:
        with loading_scope(custom_objects):
            arguments = compile_arguments(config)
        model.compile(**arguments)
    except ValueError as error:
        raise ValueError(f"{filepath!r}: cannot compile the model from its training_config: {error}") from None
    except (KeyError, IndexError, AttributeError, TypeError) as error:
        raise ValueError(f"{filepath!r}: training_config does not describe a valid compile ({type(error).__name__}: "
                         f"{error})") from error
    if model.trainable_weights:
        model.optimizer.build(model.trainable_weights)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Rebuild a model from a legacy ``.h5`` file (glassnet's, Keras 3's or Keras 2's), compiled as it was saved."""
    filepath = os.fspath(filepath)
    handle = _open(filepath)
    with handle, reading(filepath):
        config = _json_attribute(handle, "model_config", filepath)
        if config is None:
            raise ValueError(f"{filepath!r} has no model_config: it is not a whole-model HDF5 file (a weights file? "
                             "build the model and call load_weights)")
        model = _model_from_config(config, custom_objects, safe_mode, filepath)
        if "model_weights" not in handle:
            raise ValueError(f"{filepath!r} has no model_weights group: the model's weights are missing")
        assignments = plan_by_order(_group(handle, "model_weights"), model)
        training = _json_attribute(handle, "training_config", filepath) if compile else None
        if compile and training is None:
            warnings.warn("No training configuration found in the save file, so the model was *not* compiled. "
                          "Compile it manually.", stacklevel=3)
        state = None
        if training is not None:
            _compile(model, training, custom_objects, filepath)
            state = _optimizer_state(handle, model)
    _assign(model, assignments, state)
    return model


# --- load_weights ---------------------------------------------------------------------------------------------------
def _weights_group(handle, filepath):
    """The group holding the layers' weights: the root of a weights file, ``model_weights`` of a model file."""
    if "layer_names" in handle.attrs or "layer_names0" in handle.attrs:
        return handle
    if "model_weights" in handle:
        return _group(handle, "model_weights")
    return None


def load_weights(model, filepath, skip_mismatch=False, by_name=False):
    """``model.load_weights("x.h5")``: the weights of a legacy file, by layer order or (``by_name``) layer name."""
    filepath = os.fspath(filepath)
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights to load into yet: build it first (call it on data, or "
                         "start it with keras.Input)")
    handle = _open(filepath)
    with handle, reading(filepath):
        group = _weights_group(handle, filepath)
        if group is None:
            if ("layers" in handle or "vars" in handle) and not by_name:  # Keras 3's own layout under an .h5 name
                from glassnet.saving.weights_h5 import check_weights

                plan = check_weights(handle, model, skip_mismatch=skip_mismatch)
                _assign(model, *plan)
                return
            raise ValueError(f"{filepath!r} holds no Keras weights: no 'layer_names' attribute and no model_weights "
                             f"group (top-level entries: {sorted(handle)[:10]})")
        planned = (plan_by_name if by_name else plan_by_order)(group, model, skip_mismatch)
    _assign(model, planned)
