"""The graph walker: a glassnet model, layer call by layer call, into one ONNX graph.

- ``Sequential``: each layer feeds the next;
- functional models: the nodes in Keras' order (deepest first), each call's
  input tensors looked up by identity, so shared layers (several calls) and
  several inputs/outputs come out as they run in ``predict``;
- a model used as a layer (nested models): walked in place, its inputs bound
  to the tensors it was called on;
- subclassed models have Python ``call`` code and cannot be walked.

The model's inputs keep their names and shapes, the batch axis dynamic; its
outputs are named after the layers that produce them.
"""

from glassnet.export.builder import GraphBuilder, Value
from glassnet.export.registry import ExportError, converter_for, unsupported


def to_onnx(model, input_signature=None, opset=17):
    """The ``onnx.ModelProto`` computing ``model.predict``; checked with ``onnx.checker`` (full check)."""
    from glassnet.export import load_converters

    load_converters()
    _check_walkable(model)
    g = GraphBuilder()
    inputs = _graph_inputs(g, model, input_signature)
    output_names = [g.fresh(name) for name in _output_names(model)]
    outputs = convert_model(g, model, inputs)
    final = []
    for value, name in zip(outputs, output_names):
        g.op("Identity", [value.name], name, names=[name])
        final.append(Value(name, value.shape, value.dtype))
    return g.finish(inputs, final, model.name, opset=opset)


def convert_model(g, model, inputs):
    """Add ``model``'s computation on ``inputs`` (Values) to ``g``; returns its output Values."""
    from glassnet.models.sequential import Sequential

    if isinstance(model, Sequential):
        return _convert_sequential(g, model, inputs)
    _check_walkable(model)
    return _convert_functional(g, model, inputs)


def _check_walkable(model):
    """A subclassed model has no graph to walk: an ExportError that says what to do."""
    from glassnet.models.functional import Functional
    from glassnet.models.sequential import Sequential

    if not isinstance(model, (Sequential, Functional)):
        raise unsupported(model, "a subclassed model runs Python code in call(); build the same network with "
                          "Sequential or the functional API (keras.Model(inputs, outputs)) to export it")


def _convert_sequential(g, model, inputs):
    _check_built(model)
    value = inputs[0]
    for layer, shape in zip(model.layers, model.layer_output_shapes()):
        names = convert_call(g, layer, [value], {})
        value = Value(_one(names, layer), tuple(shape), value.dtype if _keeps_dtype(layer) else "float32")
    return [value]


def _convert_functional(g, model, inputs):
    values = {id(tensor): value for tensor, value in zip(model.inputs, inputs)}
    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            if node.is_input:
                continue
            call_inputs = [values[id(t)] for t in node.input_tensors]
            names = convert_call(g, node.layer, call_inputs, node.call_kwargs)
            names = names if isinstance(names, list) else [names]
            if len(names) != len(node.output_tensors):
                raise unsupported(node.layer, f"its converter gave {len(names)} outputs for a call with "
                                  f"{len(node.output_tensors)}")
            for tensor, name in zip(node.output_tensors, names):
                values[id(tensor)] = Value(name, tuple(tensor.shape), str(tensor.dtype))
    return [values[id(t)] for t in model.outputs]


def convert_call(g, layer, inputs, kwargs):
    """One call of ``layer`` (a model is walked in place); returns its output name(s)."""
    from glassnet.models.model import Model

    if isinstance(layer, Model):
        outputs = convert_model(g, layer, inputs)
        return outputs[0].name if len(outputs) == 1 else [v.name for v in outputs]
    return converter_for(layer)(g, layer, inputs, kwargs)


def _graph_inputs(g, model, input_signature):
    """One Value per model input: the input layer's name, its shape (or the signature's), its dtype."""
    from glassnet.models.sequential import Sequential

    if isinstance(model, Sequential):
        _check_built(model)
        tensors, names = model.inputs, [model._input_layer.name]
    else:
        tensors, names = list(getattr(model, "inputs", None) or []), list(getattr(model, "input_names", []))
    if not tensors:
        raise ExportError(f"Model '{model.name}' has no inputs to export; build it first (a keras.Input first layer, "
                          "or one call on data)")
    shapes = [tuple(t.shape) for t in tensors]
    if input_signature is not None:
        shapes = _signature_shapes(input_signature, shapes)
    return [Value(g.fresh(name), shape, str(t.dtype)) for name, shape, t in zip(names, shapes, tensors)]


def _signature_shapes(signature, declared):
    """The shapes of ``input_signature`` (shapes, or objects with ``.shape``), checked against the model's."""
    signature = signature if isinstance(signature, (list, tuple)) and signature and \
        not isinstance(signature[0], (int, type(None))) else [signature]
    shapes = [tuple(getattr(s, "shape", s)) for s in signature]
    if len(shapes) != len(declared) or any(len(a) != len(b) for a, b in zip(shapes, declared)):
        raise ValueError(f"input_signature {shapes} does not match the model's inputs {declared}")
    return shapes


def _output_names(model):
    from glassnet.models.sequential import Sequential

    if isinstance(model, Sequential):
        _check_built(model)
        return [model.layers[-1].name if model.layers else "output"]
    return list(getattr(model, "output_names", None) or ["output"])


def _check_built(model):
    if not model.built or model.__dict__.get("_symbolic_ends") is None:
        raise ExportError(f"Sequential model '{model.name}' is not built, so its input shape is unknown: give it a "
                          "keras.Input(shape=...) first layer, or call it once on data, before exporting")


def _keeps_dtype(layer):
    return type(layer).__name__ in ("InputLayer", "Identity")


def _one(names, layer):
    if isinstance(names, list):
        if len(names) != 1:
            raise unsupported(layer, "a layer with several outputs cannot sit in a Sequential model")
        return names[0]
    return names
