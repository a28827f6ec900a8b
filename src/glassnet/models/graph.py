"""The graph of layer calls behind a functional model, ordered as Keras 3 orders it.

``map_graph(inputs, outputs)`` walks back from the outputs through the nodes
that symbolic calls recorded (``KerasTensor._keras_history``) and returns a
``Graph`` of

- ``nodes_by_depth``: {depth: [nodes]}, depth 0 at the outputs; running the
  depths from the largest down computes every node after its inputs;
- ``layers``: the layers, deepest first and in traversal order within a
  depth (Keras' ``model.layers`` order, which also orders weights);
- ``node_ids``: the set of ids of the nodes that belong to the model.

This mirrors ``keras/src/ops/function.py`` (``map_graph``, ``_build_map``)
so that layers, weights and saved files come out in the same order as
Keras'; the walk is iterative, so deep graphs do not hit Python's recursion
limit.
"""

import collections
from typing import NamedTuple


class Graph(NamedTuple):
    """What ``map_graph`` finds: the nodes by depth, the layers in Keras' order, the ids of the nodes."""

    nodes_by_depth: dict  # {depth: [Node]}, depth 0 at the outputs
    layers: list  # deepest first, in traversal order within a depth
    node_ids: set  # id(node) of every node in the graph


def _node_of(tensor):
    history = tensor._keras_history
    if history is None:
        raise ValueError(
            f"{tensor!r} was not produced by a layer call: a functional model's inputs must come from keras.Input(...) "
            "and its outputs from layers called on them"
        )
    layer, node_index, _ = history
    return layer._inbound_nodes[node_index]


def _build_map(inputs, outputs):
    """Nodes in topological order (inputs first) and each layer's first traversal index."""
    input_ids = {id(t) for t in inputs}
    finished, in_progress = set(), set()
    ordered, layer_index = [], {}

    def enter(tensor):
        """Start visiting the node that made ``tensor``; returns the frame to push, or None."""
        node = _node_of(tensor)
        if id(node) in finished:
            return None
        if not node.is_input and id(tensor) in input_ids:
            finished.add(id(node))  # a declared input made by some other layer: the graph stops here
            return None
        if id(node) in in_progress:
            raise ValueError(f"The graph has a cycle through layer '{node.layer.name}'")
        layer_index.setdefault(id(node.layer), len(layer_index))
        in_progress.add(id(node))
        children = [] if node.is_input else list(node.input_tensors)
        return [node, iter(children)]

    for output in outputs:
        stack = []
        frame = enter(output)
        if frame is not None:
            stack.append(frame)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is not None:
                frame = enter(child)
                if frame is not None:
                    stack.append(frame)
                continue
            stack.pop()
            finished.add(id(node))
            in_progress.discard(id(node))
            ordered.append(node)
    return ordered, layer_index


def map_graph(inputs, outputs):
    """The ``Graph`` from ``inputs`` to ``outputs`` (flat lists of KerasTensors)."""
    ordered, layer_index = _build_map(inputs, outputs)
    in_graph = {id(node) for node in ordered}
    node_depth, layer_depth, layers_by_id = {}, {}, {}
    for node in reversed(ordered):
        depth = node_depth.setdefault(node, 0)
        depth = max(depth, layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        layers_by_id[id(node.layer)] = node.layer
        node_depth[node] = depth
        for parent in node.parent_nodes:
            if id(parent) in in_graph:
                node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    for tensor in inputs:  # inputs that no output depends on still belong to the model
        node = _node_of(tensor)
        if node.is_input and id(node.layer) not in layer_depth:
            layer_depth[id(node.layer)] = 0
            layers_by_id[id(node.layer)] = node.layer
            layer_index[id(node.layer)] = -1
            node_depth[node] = 0
    nodes_by_depth = collections.defaultdict(list)
    for node, depth in node_depth.items():
        nodes_by_depth[depth].append(node)
    layers_at = collections.defaultdict(list)
    for layer_id, depth in layer_depth.items():
        layers_at[depth].append(layers_by_id[layer_id])
    layers = []
    for depth in sorted(layers_at, reverse=True):
        layers.extend(sorted(layers_at[depth], key=lambda layer: layer_index[id(layer)]))
    _check_computable(inputs, nodes_by_depth)
    _check_unique_names(layers)
    return Graph(dict(nodes_by_depth), layers, {id(node) for node in node_depth})


def _check_computable(inputs, nodes_by_depth):
    known = {id(t) for t in inputs}
    nodes = [node for depth in sorted(nodes_by_depth, reverse=True) for node in nodes_by_depth[depth]]
    done = []
    for node in nodes:
        if node.is_input and not any(id(t) in known for t in node.output_tensors):
            users = [n.layer.name for n in nodes if any(t in n.input_tensors for t in node.output_tensors)]
            raise ValueError(
                f"Graph disconnected: layer(s) {users} use the Input '{node.layer.name}', which is not among the "
                "model's inputs. List every keras.Input the outputs depend on in keras.Model(inputs=[...], ...)"
            )
        for tensor in node.input_tensors:
            if id(tensor) not in known:
                raise ValueError(
                    f"Graph disconnected: layer '{node.layer.name}' needs {tensor!r}, which cannot be computed "
                    f"from the model's inputs. Layers reached without trouble: {done}"
                )
        done.append(node.layer.name)
        known.update(id(t) for t in node.output_tensors)


def _check_unique_names(layers):
    seen = {}
    for layer in layers:
        seen[layer.name] = seen.get(layer.name, 0) + 1
    repeated = sorted(name for name, count in seen.items() if count > 1)
    if repeated:
        raise ValueError(f"Layer names must be unique within a model (they key the saved file); repeated: {repeated}")
