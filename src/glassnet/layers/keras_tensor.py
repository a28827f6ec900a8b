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
        self.input_tensors = _flatten(inputs)
        self.output_tensors = _flatten(outputs)
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for index, tensor in enumerate(self.output_tensors):
            tensor._keras_history = (layer, node_index, index)

    @property
    def parent_nodes(self):
        """The nodes that produced this node's inputs."""
        parents = []
        for tensor in self.input_tensors:
            layer, node_index, _ = tensor._keras_history
            parents.append(layer._inbound_nodes[node_index])
        return parents


def _flatten(structure):
    """The leaves of nested lists, tuples and dicts, in order."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in _flatten(structure[key])]
    return [structure]


def is_symbolic(structure):
    """True when ``structure`` holds KerasTensors."""
    if isinstance(structure, KerasTensor):
        return True
    if isinstance(structure, (list, tuple)):
        return any(is_symbolic(s) for s in structure)
    if isinstance(structure, dict):
        return any(is_symbolic(s) for s in structure.values())
    return False
