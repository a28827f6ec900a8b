"""A functional model's config in Keras 3's format, and the model rebuilt from one.

The config lists every layer (serialized as in ``config.json``) with its
``inbound_nodes``: for each call of the layer inside this model, the call's
arguments with each input tensor written as ``__keras_tensor__`` and its
``keras_history`` ``[layer name, node index, tensor index]``. Node indices
count only the calls that belong to this model. ``input_layers`` and
``output_layers`` name the model's input and output tensors the same way;
there, as in Keras, a nested functional model's node indices start at 1.

Rebuilding creates the layers, then replays their calls in order, retrying
a call whose inputs do not exist yet (shared layers at several depths),
exactly as ``keras/src/models/functional.py``'s ``functional_from_config``.
"""

from glassnet.layers.keras_tensor import KerasTensor
from glassnet.layers.layer import Layer
from glassnet.saving import serialization_lib


def _is_functional(layer):
    from glassnet.models.functional import Functional

    return isinstance(layer, Functional)


def functional_config(model):
    """``{"name", "trainable", "layers", "input_layers", "output_layers"}`` of a functional model."""
    own = model._nodes
    reindexed = {}
    for layer in model._layers:
        kept = 1 if _is_functional(layer) else 0
        for index, node in enumerate(layer._inbound_nodes):
            if id(node) in own:
                reindexed[(id(layer), index)] = kept
                kept += 1
    layers = []
    for layer in model._layers:
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [_serialize_node(node, own) for node in layer._inbound_nodes
                                  if id(node) in own and node.input_tensors]
        layers.append(entry)

    def tensor_entry(tensor):
        layer, index, tensor_index = tensor._keras_history
        return [layer.name, reindexed[(id(layer), index)], tensor_index]

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "input_layers": _map_tensors(model._inputs_struct, tensor_entry),
        "output_layers": _map_tensors(model._outputs_struct, tensor_entry),
    }


def serialize_layer(layer):
    """A layer's entry in a model config (without the legacy ``batch_input_shape``, which Keras rejects)."""
    entry = serialization_lib.serialize_keras_object(layer)
    if isinstance(entry.get("config"), dict):
        entry["config"].pop("batch_input_shape", None)
    return entry


def _map_tensors(structure, fn):
    if isinstance(structure, KerasTensor):
        return fn(structure)
    if isinstance(structure, dict):
        return {key: _map_tensors(value, fn) for key, value in structure.items()}
    return [_map_tensors(item, fn) for item in structure]


def _serialize_node(node, own):
    """``{"args": [...], "kwargs": {...}}`` of one call, node indices counted within the model."""

    def value(item):
        if isinstance(item, KerasTensor):
            layer, index, _ = item._keras_history
            outside = sum(1 for i in range(index) if id(layer._inbound_nodes[i]) not in own)
            return serialization_lib.serialize_keras_tensor(item, node_index=index - outside)
        if isinstance(item, (list, tuple)):
            return [value(i) for i in item]
        if isinstance(item, dict):
            return {k: value(v) for k, v in item.items()}
        return serialization_lib.serialize_keras_object(item)

    return {"args": [value(node.inputs)] + [value(a) for a in node.call_args],
            "kwargs": {k: value(v) for k, v in node.call_kwargs.items()}}


# --- rebuilding ------------------------------------------------------------------------------------------------------
class _NotYet(Exception):
    """A call's input tensor comes from a call that has not been replayed yet."""


def functional_from_config(cls, config, custom_objects=None):
    """Instantiate ``cls`` (Functional or a subclass) from ``functional_config``'s output."""
    _check_keys(config)
    created, pending, order = {}, {}, []
    with serialization_lib.loading_scope(custom_objects, None):
        for layer_data in config["layers"]:
            name = _layer_name(layer_data)
            layer = serialization_lib.deserialize_keras_object(layer_data)
            if not isinstance(layer, Layer):
                raise ValueError(f"The functional config entry '{name}' is a {type(layer).__name__}, not a layer")
            created[name] = layer
            order.append(name)
            nodes = layer_data.get("inbound_nodes") or []
            if nodes:
                pending[name] = list(nodes)
        _replay_calls(created, pending, order)
    inputs = _tensors_from(config["input_layers"], created)
    outputs = _tensors_from(config["output_layers"], created)
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"), trainable=config.get("trainable", True))


def _check_keys(config):
    missing = [key for key in ("layers", "input_layers", "output_layers") if key not in config]
    if missing:
        raise ValueError(f"A functional model config needs 'layers', 'input_layers' and 'output_layers'; this one "
                         f"lacks {missing} (keys: {sorted(config)})")
    if not isinstance(config["layers"], list):
        raise ValueError(f"A functional model config's 'layers' must be a list, got {type(config['layers']).__name__}")


def _layer_name(layer_data):
    if not isinstance(layer_data, dict) or "class_name" not in layer_data:
        raise ValueError(f"Each entry of 'layers' must be a serialized layer (with 'class_name'), got {layer_data!r}")
    return layer_data.get("name") or (layer_data.get("config") or {}).get("name")


def _replay_calls(created, pending, order):
    while pending:
        progress = False
        for name in order:
            calls = pending.get(name)
            if not calls:
                continue
            done = 0
            for node_data in calls:
                try:
                    args, kwargs = _node_arguments(node_data, created)
                except _NotYet:
                    break
                created[name](*args, **kwargs)
                done += 1
            if done:
                progress = True
                if done == len(calls):
                    del pending[name]
                else:
                    pending[name] = calls[done:]
        if not progress:
            raise ValueError(f"Invalid functional model config: the calls of {sorted(pending)} need tensors that no "
                             "other call produces (a loop or a missing layer)")


def _node_arguments(node_data, created):
    """(args, kwargs) of one recorded call, its tensors taken from the calls replayed so far."""
    if isinstance(node_data, list):  # Keras 2: [[layer name, node index, tensor index, kwargs], ...]
        tensors = [_history_tensor(entry[:3], created) for entry in node_data]
        kwargs = node_data[0][3] if node_data and len(node_data[0]) > 3 else {}
        return [tensors[0] if len(tensors) == 1 else tensors], dict(kwargs or {})
    args = serialization_lib.deserialize_keras_object(node_data.get("args", []))
    kwargs = serialization_lib.deserialize_keras_object(node_data.get("kwargs", {})) or {}
    return _revive(args, created), _revive(kwargs, created)


def _revive(value, created):
    if isinstance(value, KerasTensor):
        history = value._pre_serialization_keras_history
        return value if history is None else _history_tensor(history, created)
    if isinstance(value, list):
        return [_revive(v, created) for v in value]
    if isinstance(value, dict):
        return {k: _revive(v, created) for k, v in value.items()}
    return value


def _history_tensor(history, created, offset=0):
    name, node_index, tensor_index = history[0], int(history[1]) - offset, int(history[2])
    if name not in created:
        raise ValueError(f"Invalid functional model config: a call uses the output of layer '{name}', which the "
                         f"config does not define (layers: {sorted(created)})")
    layer = created[name]
    if node_index >= len(layer._inbound_nodes):
        raise _NotYet()
    outputs = layer._inbound_nodes[node_index].output_tensors
    if not 0 <= tensor_index < len(outputs):
        raise ValueError(f"Invalid functional model config: layer '{name}' has {len(outputs)} output(s), the config "
                         f"asks for output {tensor_index}")
    return outputs[tensor_index]


def _tensors_from(structure, created):
    """The model's input or output tensors from ``[layer name, node index, tensor index]`` entries."""
    if isinstance(structure, list) and len(structure) == 3 and isinstance(structure[0], str):
        layer = created.get(structure[0])
        offset = 1 if layer is not None and _is_functional(layer) else 0
        try:
            return _history_tensor(structure, created, offset)
        except _NotYet:
            raise ValueError(f"Invalid functional model config: {structure} names a call that the config never "
                             "makes") from None
    if isinstance(structure, dict):
        return {key: _tensors_from(value, created) for key, value in structure.items()}
    if isinstance(structure, list):
        return [_tensors_from(item, created) for item in structure]
    raise ValueError(f"Invalid functional model config: cannot read the tensor entry {structure!r}")
