"""Symbolic tensors: a shape and a dtype, with the layer call that made them.

``keras.Input(shape=(784,))`` returns a KerasTensor; calling a layer on one
builds the layer and records a ``Node`` instead of computing anything. A
functional model later replays the recorded nodes on real data.
"""

from glassnet import tree


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

    # Python's operators record the matching keras.ops node, as Keras' KerasTensor does (`x + pos`, `x[:, 0]`)
    def __add__(self, other):
        return _op("add", self, other)

    def __radd__(self, other):
        return _op("add", other, self)

    def __sub__(self, other):
        return _op("subtract", self, other)

    def __rsub__(self, other):
        return _op("subtract", other, self)

    def __mul__(self, other):
        return _op("multiply", self, other)

    def __rmul__(self, other):
        return _op("multiply", other, self)

    def __matmul__(self, other):
        return _op("matmul", self, other)

    def __rmatmul__(self, other):
        return _op("matmul", other, self)

    def __truediv__(self, other):
        return _op("true_divide", self, other)

    def __rtruediv__(self, other):
        return _op("true_divide", other, self)

    def __floordiv__(self, other):
        return _op("floor_divide", self, other)

    def __rfloordiv__(self, other):
        return _op("floor_divide", other, self)

    def __mod__(self, other):
        return _op("mod", self, other)

    def __rmod__(self, other):
        return _op("mod", other, self)

    def __pow__(self, other):
        return _op("power", self, other)

    def __rpow__(self, other):
        return _op("power", other, self)

    def __neg__(self):
        return _op("negative", self)

    def __abs__(self):
        return _op("absolute", self)

    def __lt__(self, other):
        return _op("less", self, other)

    def __le__(self, other):
        return _op("less_equal", self, other)

    def __gt__(self, other):
        return _op("greater", self, other)

    def __ge__(self, other):
        return _op("greater_equal", self, other)

    def __ne__(self, other):
        return _op("not_equal", self, other)

    __hash__ = object.__hash__  # == stays identity, as in Keras, so tensors can key dicts

    def __and__(self, other):
        return _op("logical_and", self, other)

    def __rand__(self, other):
        return _op("logical_and", other, self)

    def __or__(self, other):
        return _op("logical_or", self, other)

    def __ror__(self, other):
        return _op("logical_or", other, self)

    def __xor__(self, other):
        return _op("logical_xor", self, other)

    def __rxor__(self, other):
        return _op("logical_xor", other, self)

    def __invert__(self):
        return _op("logical_not", self)

    def __getitem__(self, key):
        return _op("get_item", self, key)

    def __round__(self, ndigits=None):
        return _op("round", self, ndigits or 0)

    def reshape(self, newshape):
        return _op("reshape", self, newshape)

    def squeeze(self, axis=None):
        return _op("squeeze", self, axis)

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a boolean: it holds a shape and a dtype, "
                        "no values. Use keras.ops.cond or compute inside a layer's call().")

    def __iter__(self):
        raise NotImplementedError("Iterating over a symbolic KerasTensor is not supported; use keras.ops.unstack")

    def __array__(self, dtype=None, copy=None):
        raise ValueError("A KerasTensor is symbolic: a placeholder for a shape and a dtype, with no values. "
                         "It cannot be converted to a NumPy array.")

    def __repr__(self):
        name = f", name={self.name}" if self.name else ""
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}{name}>"


def _op(name, *arguments):
    """The public keras.ops function ``name`` applied to ``arguments`` (it records a node on symbolic inputs)."""
    from glassnet import ops

    return getattr(ops, name)(*arguments)


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


def flatten(structure):
    """The leaves of nested lists, tuples and dicts, in order (dicts by sorted key): ``glassnet.tree.flatten``."""
    return tree.flatten(structure)


_flatten = flatten


def pack_like(structure, flat):
    """Put the values of ``flat`` back into the shape of ``structure``: ``glassnet.tree.pack_sequence_as``."""
    return tree.pack_sequence_as(structure, flat)


def is_symbolic(structure):
    """True when ``structure`` holds KerasTensors."""
    if isinstance(structure, KerasTensor):
        return True
    if isinstance(structure, (list, tuple)):
        return any(is_symbolic(s) for s in structure)
    if isinstance(structure, dict):
        return any(is_symbolic(s) for s in structure.values())
    return False
