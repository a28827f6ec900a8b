"""EinsumDense and MultiHeadAttention.

    EinsumDense(equation) -> Einsum(equation, x, kernel) (+ Add bias, shaped as the layer holds it), activation
    MultiHeadAttention (no masks) -> the layer's own composition, op for op:
        q, k, v = the query/key/value EinsumDense projections       (batch, ..., heads, key_dim)
        scores = Einsum(dot-product equation, k, q * 1/sqrt(key_dim))
        probabilities = Softmax over the key axes (one axis: Softmax; several: Exp(s - ReduceLogSumExp(s)))
        output = output EinsumDense(Einsum(combine equation, probabilities, v)) (times the sigmoid gate
                 projection of the query first, with use_gate=True)
    For rank-3 inputs this is MatMul(q, k^T) / Softmax / MatMul(p, v) per head, written as Einsum.

Attention masks (attention_mask=, use_causal_mask=True) and return_attention_scores are not exported.
"""

import math

from glassnet.export.activations import apply_activation
from glassnet.export.registry import converts, unsupported
from glassnet.layers.attention.multi_head_attention import MultiHeadAttention
from glassnet.layers.core import EinsumDense


def einsum_dense_on(g, layer, name, hint):
    """EinsumDense ``layer`` applied to the tensor ``name``."""
    y = g.op("Einsum", [name, g.const(layer.kernel, f"{layer.name}/kernel")], f"{hint}/einsum",
             equation=layer.equation)
    if layer.bias is not None:
        y = g.op("Add", [y, g.const(layer.bias, f"{layer.name}/bias")], f"{hint}/biased")
    return apply_activation(g, layer, layer.activation, y, hint)


@converts(EinsumDense)
def einsum_dense(g, layer, inputs, kwargs):
    """Einsum with the kernel, the bias, the activation."""
    return einsum_dense_on(g, layer, inputs[0].name, layer.name)


def _softmax(g, scores, axes, rank, hint):
    if len(axes) == 1:
        return g.op("Softmax", [scores], hint, axis=axes[0])
    total = g.op("ReduceLogSumExp", [scores], f"{hint}/logsumexp", axes=list(axes), keepdims=1)
    return g.op("Exp", [g.op("Sub", [scores, total], f"{hint}/shifted")], hint)


def _check_call(layer, kwargs):
    for name in ("attention_mask", "query_mask", "value_mask", "key_mask"):
        if kwargs.get(name) is not None:
            raise unsupported(layer, f"attention masks ({name}=) are not exported; call the layer without masks")
    if kwargs.get("use_causal_mask"):
        raise unsupported(layer, "use_causal_mask=True is not exported: masks are left out of the ONNX graph")
    if kwargs.get("return_attention_scores"):
        raise unsupported(layer, "return_attention_scores=True is not exported")


@converts(MultiHeadAttention)
def multi_head_attention(g, layer, inputs, kwargs):
    """query (inputs[0]) attending to value (inputs[1]) with key (inputs[2], or the value)."""
    _check_call(layer, kwargs)
    query, value = inputs[0], inputs[1]
    key = inputs[2] if len(inputs) > 2 else value
    hint = layer.name
    q = einsum_dense_on(g, layer.query_dense, query.name, f"{hint}/query")
    k = einsum_dense_on(g, layer.key_dense, key.name, f"{hint}/key")
    v = einsum_dense_on(g, layer.value_dense, value.name, f"{hint}/value")
    q = g.op("Mul", [q, g.scalar(1.0 / math.sqrt(float(layer.key_dim)), f"{hint}/scale")], f"{hint}/query_scaled")
    scores = g.op("Einsum", [k, q], f"{hint}/scores", equation=layer._dot_product_equation)
    rank = len(layer._dot_product_equation.split("->")[1])
    probabilities = _softmax(g, scores, layer._softmax_axes, rank, f"{hint}/probabilities")
    attended = g.op("Einsum", [probabilities, v], f"{hint}/attended", equation=layer._combine_equation)
    if layer.use_gate:
        gate = einsum_dense_on(g, layer._gate_dense, query.name, f"{hint}/gate")
        attended = g.op("Mul", [attended, gate], f"{hint}/gated")
    return einsum_dense_on(g, layer.output_dense, attended, hint)


