"""plot_model / model_to_dot: a picture of the model's layer graph (``keras.utils.plot_model``).

As in Keras, the graph is built with pydot and drawn by Graphviz, both
optional (``pip install pydot``, or ``glassnet[plot]``, and Graphviz's ``dot`` program, e.g.
``apt install graphviz``). A ``.dot`` file needs only pydot. Each layer is a
box ("name (ClassName)", optionally its output shape, dtype, activation and
trainable flag); an arrow goes from each layer to those that take its output.
"""

import os

_MISSING_PYDOT = ("You must install pydot (`pip install pydot`) for model_to_dot / plot_model to work; the drawing "
                  "itself also needs Graphviz (https://graphviz.gitlab.io/download/)")
_MISSING_GRAPHVIZ = ("plot_model needs Graphviz's `dot` program to draw {format} files; install it "
                     "(https://graphviz.gitlab.io/download/, e.g. `apt install graphviz`), or write a .dot file instead")


def _pydot():
    try:
        import pydot
    except ImportError as error:
        raise ImportError(_MISSING_PYDOT) from error
    return pydot


def _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable):
    name = f"{layer.name} ({type(layer).__name__})" if show_layer_names else type(layer).__name__
    rows = [name]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        activation = layer.activation
        rows.append(f"activation: {getattr(activation, '__name__', activation)}")
    if show_shapes:
        rows.append(f"output shape: {_output_shape(layer)}")
    if show_dtype:
        rows.append(f"dtype: {layer.dtype}")
    if show_trainable:
        rows.append(f"trainable: {layer.trainable}")
    return "\\n".join(str(row).replace('"', "'") for row in rows)


def _output_shape(layer):
    for attribute in ("output_shape", "batch_shape"):
        try:
            shape = getattr(layer, attribute)
        except (AttributeError, ValueError):
            continue
        if shape is not None:
            return tuple(shape) if isinstance(shape, (list, tuple)) and not isinstance(shape[0], (list, tuple)) \
                else shape
    nodes = getattr(layer, "_inbound_nodes", [])
    if nodes:
        outputs = nodes[0].output_tensors
        shapes = [tuple(t.shape) for t in outputs]
        return shapes[0] if len(shapes) == 1 else shapes
    return "?"


def _edges(model):
    """(parent layer, child layer) pairs of the model's graph, in layer order."""
    layers = model.layers
    known = {id(layer) for layer in layers}
    node_ids = getattr(model, "_nodes", None)
    if node_ids is None:  # a Sequential (or subclassed) model: each layer feeds the next
        return list(zip(layers, layers[1:]))
    edges = []
    for layer in layers:
        for node in layer._inbound_nodes:
            if id(node) not in node_ids:
                continue
            for parent in node.parent_nodes:
                if id(parent.layer) in known and (parent.layer, layer) not in edges:
                    edges.append((parent.layer, layer))
    return edges


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=200, subgraph=False, show_layer_activations=False, show_trainable=False,
                 **kwargs):
    """The model's layer graph as a ``pydot.Dot``."""
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"rankdir must be 'TB' (vertical) or 'LR' (horizontal), received {rankdir!r}")
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by "
                         "calling the model on a batch of data.")
    pydot = _pydot()
    dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, dpi=str(dpi), concentrate="true")
    dot.set_node_defaults(shape="record")
    layers = model.layers
    for layer in layers:
        text = _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable)
        dot.add_node(pydot.Node(str(id(layer)), label=f'"{text}"'))
    for parent, child in _edges(model):
        dot.add_edge(pydot.Edge(str(id(parent)), str(id(child))))
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
               expand_nested=False, dpi=200, show_layer_activations=False, show_trainable=False, **kwargs):
    """Draw the model's layer graph to ``to_file`` (its extension picks the format: png, pdf, svg, dot...).

    Returns an ``IPython.display.Image`` of a PNG when IPython is installed, as Keras does.
    """
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                       rankdir=rankdir, expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations, show_trainable=show_trainable)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    if extension in ("dot", "gv"):
        with open(to_file, "w", encoding="utf-8") as handle:
            handle.write(dot.to_string())
        return None
    try:
        dot.write(to_file, format=extension)
    except (FileNotFoundError, OSError) as error:
        if "dot" in str(error).lower() or isinstance(error, FileNotFoundError):
            raise ImportError(_MISSING_GRAPHVIZ.format(format=extension)) from error
        raise
    if extension == "png":
        try:
            from IPython import display
        except ImportError:
            return None
        return display.Image(filename=to_file)
    return None
