"""Symbolic tensors: a shape and a dtype, with the layer call that made them.

``keras.Input(shape=(784,))`` returns a KerasTensor; calling a layer on one
builds the layer and records a ``Node`` instead of computing anything. A
functional model later replays the recorded nodes on real data.
"""


class KerasTensor:
    """A placeholder for data of a given shape (None for the batch axis)."""

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = str(dtype)
        self.name = name
        self._keras_history = None  # (layer, node_index, tensor_index)
        self._pre_serialization_keras_history = None  # [layer name, node index, tensor index] read from a config
        self._keras_mask = None  # the symbolic mask a layer gave this tensor (a bool KerasTensor), as in Keras

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        name = f", name={self.name}" if self.name else ""
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}{name}>"


class Node:
    """One call of a layer on symbolic inputs: what went in and what came out."""

    def __init__(self, layer, inputs, outputs, call_args=(), call_kwargs=None):
        self.layer = layer
        self.inputs = inputs
        self.outputs = outputs
        self.call_args = call_args
        self.call_kwargs = call_kwargs or {}
        self.input_tensors = [t for t in _flatten([inputs, list(call_args), self.call_kwargs])
                              if isinstance(t, KerasTensor)]
        self.output_tensors = _flatten(outputs)
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for index, tensor in enumerate(self.output_tensors):
            tensor._keras_history = (layer, node_index, index)

    @property
    def is_input(self):
        """True for the node of an InputLayer (it has no inputs)."""
        return not self.input_tensors

    @property
    def parent_nodes(self):
        """The nodes that produced this node's inputs."""
        parents = []
        for tensor in self.input_tensors:
            layer, node_index, _ = tensor._keras_history
            parents.append(layer._inbound_nodes[node_index])
        return parents


def _flatten(structure):
    """The leaves of nested lists, tuples and dicts, in order (dicts by sorted key, as Keras' ``tree``)."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _flatten(structure[key])]
    return [structure]


flatten = _flatten


def pack_like(structure, flat):
    """Put the values of ``flat`` back into the shape of ``structure`` (the inverse of ``flatten``)."""
    values = iter(flat)

    def pack(item):
        if isinstance(item, (list, tuple)):
            return type(item)(pack(i) for i in item)
        if isinstance(item, dict):
            packed = {key: pack(item[key]) for key in sorted(item)}
            return {key: packed[key] for key in item}
        return next(values)

    return pack(structure)


def is_symbolic(structure):
    """True when ``structure`` holds KerasTensors."""
    if isinstance(structure, KerasTensor):
        return True
    if isinstance(structure, (list, tuple)):
        return any(is_symbolic(s) for s in structure)
    if isinstance(structure, dict):
        return any(is_symbolic(s) for s in structure.values())
    return False
