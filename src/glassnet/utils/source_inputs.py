"""``keras.utils.get_source_inputs``: the ``keras.Input`` tensors a symbolic tensor was computed from."""

__all__ = ["get_source_inputs"]


def get_source_inputs(tensor):
    """The list of input tensors needed to compute ``tensor``, each once, in the order they are found
    (walking the recorded layer calls back to the inputs). A value that is not a symbolic tensor is returned
    as it is; an input tensor gives ``[tensor]``."""
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return tensor
    layer, node_index, _ = history
    if not layer or not layer._inbound_nodes:
        return [tensor]
    node = layer._inbound_nodes[node_index]
    if node.is_input:
        return list(node.output_tensors)
    sources = []
    for parent in node.input_tensors:
        for found in get_source_inputs(parent):
            if all(found is not seen for seen in sources):
                sources.append(found)
    return sources
