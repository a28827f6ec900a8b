"""Functional models: ``keras.Model(inputs, outputs)`` over a graph of layer calls.

    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    y = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(layers.Add()([x, y]))
    model = keras.Model(inputs=inputs, outputs=outputs)

Calling layers on ``keras.Input`` tensors recorded the graph (one ``Node``
per call). At construction the model orders the nodes once, as Keras does
(``models/graph.py``), and turns them into a plan: a list of steps, each a
layer, where its inputs sit in a list of values and where its outputs go.
Running the model is one pass over the plan, so the Python work per call
grows with the number of layer calls, never with the number of weights.

Inputs and outputs may be one tensor, a list, or a dict (flattened by
sorted key, as Keras does); a layer may be called several times (shared
layers); a model may be called on tensors like a layer (nested models).
"""

from typing import Any, NamedTuple

from glassnet.layers.core.input_layer import InputLayer
from glassnet.layers.keras_tensor import KerasTensor, Node, flatten, pack_like
from glassnet.models.graph import map_graph
from glassnet.models.model import Model


class Functional(Model):
    """A model defined by its input and output tensors (``keras.Model(inputs, outputs)``)."""

    _reads_raw_config = True  # from_config deserializes its layers itself

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        self._inputs_struct = _as_structure(inputs, "inputs")
        self._outputs_struct = _as_structure(outputs, "outputs")
        self.inputs = flatten(self._inputs_struct)
        self.outputs = flatten(self._outputs_struct)
        graph = map_graph(self.inputs, self.outputs)
        self._nodes_by_depth = graph.nodes_by_depth
        self._nodes = graph.node_ids
        self._layers = list(graph.layers)
        self.output_names = [t._keras_history[0].name for t in self.outputs]
        self.input_names = [t._keras_history[0].name for t in self.inputs]
        self._plan = _Plan(self.inputs, self.outputs, graph.nodes_by_depth)
        self._checked_input_shapes = None
        self.built = True
        if not trainable:
            self.trainable = False  # freezes every layer, as Keras does for Model(..., trainable=False)

    # --- structure ---------------------------------------------------------------------------
    @property
    def layers(self):
        """Every layer of the graph, InputLayers included, in Keras' order (deepest first)."""
        return list(self._layers)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def build(self, input_shape=None):
        self.built = True

    def get_build_config(self):
        return {"input_shape": None}

    def build_from_config(self, config):
        pass

    # --- calling -------------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        """Run the plan on ``inputs`` (one array, a list, or a dict by input name)."""
        flat = self._standardize_inputs(inputs)
        outputs = self._plan.run(flat, training)
        if len(outputs) == 1 and not isinstance(self._outputs_struct, dict):
            return outputs[0]
        return pack_like(self._outputs_struct, outputs)

    def _standardize_inputs(self, inputs):
        """The inputs as a flat list in ``self.inputs`` order, ranks adjusted and shapes checked."""
        expected = self.inputs
        if isinstance(inputs, dict):
            flat = self._inputs_from_dict(inputs)
        elif isinstance(inputs, (list, tuple)):
            flat = list(inputs)
        else:
            flat = [inputs]
        if len(flat) != len(expected):
            names = ", ".join(repr(t._keras_history[0].name) for t in expected)
            raise ValueError(f"Model '{self.name}' expects {len(expected)} input(s) ({names}), got {len(flat)}. Pass "
                             "a list in this order, or a dict keyed by these names")
        shapes = tuple(getattr(x, "shape", None) for x in flat)
        if shapes != self._checked_input_shapes:
            flat = self._adjust_and_check(flat)
            if all(getattr(x, "shape", None) == s for x, s in zip(flat, shapes)):
                self._checked_input_shapes = shapes
        return flat

    def _inputs_from_dict(self, inputs):
        names = [t._keras_history[0].name for t in self.inputs]
        if isinstance(self._inputs_struct, dict):
            keys = sorted(self._inputs_struct)
            names = [k if k in inputs else n for k, n in zip(keys, names)]
        missing = [n for n in names if n not in inputs]
        if missing:
            raise ValueError(f"Model '{self.name}' got inputs keyed {sorted(inputs)}, but has no value for input(s) "
                             f"{missing}; expected keys {names}")
        return [inputs[n] for n in names]

    def _adjust_and_check(self, flat):
        """Keras' rank rule (squeeze or add a last axis of size 1), then the declared sizes."""
        from glassnet import ops

        adjusted = []
        for x, ref in zip(flat, self.inputs):
            shape, want = tuple(x.shape), ref.shape
            if len(shape) == len(want) + 1 and shape[-1] == 1:
                x = ops.squeeze(x, axis=-1)
            elif len(shape) == len(want) - 1 and want and want[-1] == 1:
                x = ops.expand_dims(x, axis=-1)
            elif len(shape) != len(want) or any(w is not None and s != w for s, w in zip(shape, want)):
                name = ref._keras_history[0].name
                raise ValueError(f"Model '{self.name}': input '{name}' expects shape {want} (batch axis first), got "
                                 f"an array of shape {shape}")
            adjusted.append(x)
        return adjusted

    def _symbolic_call(self, inputs, args, kwargs):
        """Called on KerasTensors (a model used as a layer): one node, outputs shaped like the model's."""
        flat = self._symbolic_inputs(inputs)
        shapes = self._plan.output_shapes([x.shape for x in flat])
        made = [KerasTensor(shape, dtype=ref.dtype) for shape, ref in zip(shapes, self.outputs)]
        if len(made) == 1 and not isinstance(self._outputs_struct, dict):
            outputs = made[0]
        else:
            outputs = pack_like(self._outputs_struct, made)
        Node(self, inputs, outputs, args, kwargs)
        return outputs

    def _symbolic_inputs(self, inputs):
        flat = self._inputs_from_dict(inputs) if isinstance(inputs, dict) else flatten(inputs)
        if len(flat) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s), got {len(flat)}")
        for x, ref in zip(flat, self.inputs):
            if len(x.shape) != len(ref.shape) or any(
                    a is not None and b is not None and a != b for a, b in zip(x.shape, ref.shape)):
                raise ValueError(f"Model '{self.name}': input '{ref._keras_history[0].name}' expects shape "
                                 f"{ref.shape}, got {x.shape}")
        return flat

    def compute_output_shape(self, input_shape):
        flat = [tuple(s) for s in (input_shape if isinstance(input_shape, list) and input_shape
                                   and isinstance(input_shape[0], (list, tuple)) else [input_shape])]
        shapes = self._plan.output_shapes(flat)
        return shapes[0] if len(shapes) == 1 else shapes

    # --- summary ---------------------------------------------------------------------------------
    def layer_output_shapes(self):
        """Each layer's output shape, taken from its last call (as Keras' summary does)."""
        shapes = []
        for layer in self._layers:
            outputs = layer._inbound_nodes[-1].outputs if layer._inbound_nodes else None
            shapes.append(_shapes_of(outputs))
        return shapes

    def is_sequential_like(self):
        """Keras prints the three-column summary when each depth holds one node with one input."""
        seen = set()
        for nodes in self._nodes_by_depth.values():
            if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].input_tensors) > 1):
                return False
            for node in nodes:
                if id(node.layer) in seen:
                    return False
                seen.add(id(node.layer))
        return True

    def layer_connections(self, layer):
        """``"dense[0][0], add[0][0]"``: where each of the layer's inputs in this model came from."""
        parts = []
        for node in layer._inbound_nodes:
            if id(node) not in self._nodes:
                continue
            for tensor in node.input_tensors:
                source, node_index, tensor_index = tensor._keras_history
                parts.append(f"{source.name}[{node_index}][{tensor_index}]")
        return ", ".join(parts) or "-"

    # --- config ----------------------------------------------------------------------------------
    def get_config(self):
        """Keras 3's functional config: the layers with their calls, and the input and output tensors."""
        from glassnet.models.functional_config import functional_config

        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the layers and replay their calls (Keras 3's ``functional_from_config``)."""
        from glassnet.models.functional_config import functional_from_config

        return functional_from_config(cls, config, custom_objects)


def _as_structure(value, what):
    if isinstance(value, tuple):
        value = list(value)
    for tensor in flatten(value):
        if not isinstance(tensor, KerasTensor):
            raise ValueError(f"keras.Model({what}=...) needs KerasTensors (from keras.Input or layer calls on them), "
                             f"got {type(tensor).__name__}: {tensor!r}")
    if what == "inputs":
        for tensor in flatten(value):
            layer = tensor._keras_history[0] if tensor._keras_history else None
            if not isinstance(layer, InputLayer):
                raise ValueError(
                    f"keras.Model(inputs=...) needs tensors made by keras.Input(...); {tensor!r} was made by "
                    f"layer '{getattr(layer, 'name', '?')}'. Start the sub-model from a new keras.Input of that shape"
                )
    return value


def _shapes_of(outputs):
    if outputs is None:
        return None
    if isinstance(outputs, KerasTensor):
        return outputs.shape
    if isinstance(outputs, dict):
        return {k: _shapes_of(v) for k, v in outputs.items()}
    return [_shapes_of(o) for o in outputs]


class _Step(NamedTuple):
    """One layer call of the plan; the values it reads and writes are slots in the plan's list of values."""

    node: Node
    input_template: Any  # the slot of the layer's lone input tensor (an int), or a structure of _Slot placeholders
    args: list  # the call's extra positional arguments, tensors as _Slot placeholders
    kwargs: dict  # the call's keyword arguments, tensors as _Slot placeholders
    output_slots: list  # where each of the layer's flattened outputs is stored
    single_output: bool  # the layer returns one tensor (stored at output_slots[0] without flattening)


class _Plan:
    """The steps of a forward pass: for each node, which values go in and which slots receive the outputs."""

    def __init__(self, inputs, outputs, nodes_by_depth):
        slots = {}
        for tensor in inputs:
            slots[id(tensor)] = len(slots)
        self.steps = []
        for depth in sorted(nodes_by_depth, reverse=True):
            for node in nodes_by_depth[depth]:
                if node.is_input:
                    continue
                input_template = _template(node.inputs, slots)
                args = [_template_nested(a, slots) for a in node.call_args]
                kwargs = {k: _template_nested(v, slots) for k, v in node.call_kwargs.items()}
                for tensor in node.output_tensors:
                    slots[id(tensor)] = len(slots)
                output_slots = [slots[id(t)] for t in node.output_tensors]
                single_output = isinstance(node.outputs, KerasTensor)
                self.steps.append(_Step(node, input_template, args, kwargs, output_slots, single_output))
        self.size = len(slots)
        self.output_slots = [slots[id(t)] for t in outputs]
        self.input_count = len(inputs)

    def run(self, flat_inputs, training):
        """Compute every step on real values; returns the outputs as a flat list."""
        values = [None] * self.size
        values[:self.input_count] = flat_inputs
        for node, input_template, args, kwargs, output_slots, single_output in self.steps:
            call_inputs = values[input_template] if type(input_template) is int else _fill(input_template, values)
            if args or kwargs:
                call_args = [_fill(a, values) for a in args]
                call_kwargs = {k: _fill(v, values) for k, v in kwargs.items()}
                if training is not None:
                    call_kwargs["training"] = training
                outputs = node.layer(call_inputs, *call_args, **call_kwargs)
            else:
                outputs = node.layer(call_inputs, training=training)
            if single_output:
                values[output_slots[0]] = outputs
            else:
                for slot, value in zip(output_slots, flatten(outputs)):
                    values[slot] = value
        return [values[s] for s in self.output_slots]

    def output_shapes(self, input_shapes):
        """The output shapes for inputs of ``input_shapes`` (layer by layer ``compute_output_shape``)."""
        values = [None] * self.size
        values[:self.input_count] = [tuple(s) for s in input_shapes]
        for node, input_template, args, kwargs, output_slots, single_output in self.steps:
            shapes = values[input_template] if type(input_template) is int else _fill(input_template, values)
            result = node.layer.compute_output_shape(shapes)
            if single_output:
                values[output_slots[0]] = tuple(result)
            else:
                flat = result if isinstance(result, list) else flatten(result)
                for slot, shape in zip(output_slots, flat):
                    values[slot] = tuple(shape)
        return [values[s] for s in self.output_slots]


class _Slot:
    """A placeholder in a template: the value stored at ``index``."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


def _template(structure, slots):
    """A layer's inputs with each KerasTensor replaced by its slot (a plain int for a lone tensor, the usual case)."""
    if isinstance(structure, KerasTensor):
        return slots[id(structure)]
    return _template_nested(structure, slots)


def _template_nested(structure, slots):
    if isinstance(structure, KerasTensor):
        return _Slot(slots[id(structure)])
    if isinstance(structure, (list, tuple)):
        return type(structure)(_template_nested(s, slots) for s in structure)
    if isinstance(structure, dict):
        return {k: _template_nested(v, slots) for k, v in structure.items()}
    return structure


def _fill(template, values):
    """The template with each slot replaced by its value."""
    if isinstance(template, _Slot):
        return values[template.index]
    if isinstance(template, (list, tuple)):
        return type(template)(_fill(t, values) for t in template)
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    return template

