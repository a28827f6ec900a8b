"""Dense and Embedding.

    Dense:     y = act(MatMul(x, kernel) + bias)     (MatMul broadcasts over every leading axis, as Dense does)
    Embedding: y = Gather(embeddings, Cast(x, int64), axis=0)
"""

from glassnet.export.activations import apply_activation
from glassnet.export.registry import converts, unsupported
from glassnet.layers.core import Dense, Embedding


@converts(Dense)
def dense(g, layer, inputs, kwargs):
    """Dense -> MatMul (+ Add bias), then the activation."""
    y = g.op("MatMul", [inputs[0].name, g.const(layer.kernel, f"{layer.name}/kernel")], f"{layer.name}/matmul")
    if layer.bias is not None:
        y = g.op("Add", [y, g.const(layer.bias, f"{layer.name}/bias")], f"{layer.name}/biased")
    return apply_activation(g, layer, layer.activation, y, layer.name)


@converts(Embedding)
def embedding(g, layer, inputs, kwargs):
    """Embedding -> Gather of the table's rows; indices cast to int64 (a float input holds whole numbers)."""
    if layer.mask_zero:
        raise unsupported(layer, "mask_zero=True: masks are not exported; the layers after it would see padded "
                          "steps. Export a model without mask_zero, or drop the padding before calling it")
    indices = inputs[0].name
    if inputs[0].dtype != "int64":
        indices = g.op("Cast", [indices], f"{layer.name}/indices", to=g.onnx.TensorProto.INT64)
    return g.op("Gather", [g.const(layer.embeddings, f"{layer.name}/embeddings"), indices], layer.name, axis=0)
