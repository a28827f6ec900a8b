"""Merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot.

    Add -> Sum        Subtract -> Sub       Multiply -> Mul, pairwise    Average -> Sum, then Mul(1/n)
    Maximum -> Max    Minimum -> Min        Concatenate(axis) -> Concat(axis)
    Dot(axes) -> Einsum over the two summed axes, per sample ("ab,ab->a" for two vectors; a lone batch axis
        gets the trailing axis of size 1 Keras adds); normalize=True divides each input by
        Sqrt(Max(ReduceSum(x^2), epsilon^2)) first
"""

import string

from glassnet import config
from glassnet.export.registry import converts
from glassnet.layers.merging import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract

VARIADIC = {Add: "Sum", Maximum: "Max", Minimum: "Min"}


@converts(*VARIADIC)
def variadic(g, layer, inputs, kwargs):
    """Sum / Max / Min of every input."""
    return g.op(VARIADIC[type(layer)], [v.name for v in inputs], layer.name)


@converts(Subtract)
def subtract(g, layer, inputs, kwargs):
    """The first input minus the second."""
    return g.op("Sub", [inputs[0].name, inputs[1].name], layer.name)


@converts(Multiply)
def multiply(g, layer, inputs, kwargs):
    """The product, left to right."""
    y = inputs[0].name
    for index, value in enumerate(inputs[1:], start=1):
        y = g.op("Mul", [y, value.name], layer.name if index == len(inputs) - 1 else f"{layer.name}/mul")
    return y


@converts(Average)
def average(g, layer, inputs, kwargs):
    """The sum, times 1/n (as glassnet computes it)."""
    total = g.op("Sum", [v.name for v in inputs], f"{layer.name}/sum")
    return g.op("Mul", [total, g.scalar(1.0 / len(inputs), f"{layer.name}/inverse_count")], layer.name)


@converts(Concatenate)
def concatenate(g, layer, inputs, kwargs):
    """Concat along the layer's axis."""
    return g.op("Concat", [v.name for v in inputs], layer.name, axis=layer.axis)


def _l2_normalize(g, name, axis, hint):
    epsilon = config.epsilon()
    squares = g.op("ReduceSum", [g.op("Mul", [name, name], f"{hint}/squares"), g.ints([axis], f"{hint}/axis")],
                   f"{hint}/sum_squares", keepdims=1)
    norm = g.op("Sqrt", [g.op("Max", [squares, g.scalar(epsilon * epsilon, "epsilon_squared")], f"{hint}/floor")],
                f"{hint}/norm")
    return g.op("Div", [name, norm], hint)


@converts(Dot)
def dot(g, layer, inputs, kwargs):
    """Einsum summing axis a1 of x against axis a2 of y, sample by sample."""
    x, y = inputs
    a1, a2 = layer._axes(len(x.shape), len(y.shape))
    x_name, y_name = x.name, y.name
    if layer.normalize:
        x_name = _l2_normalize(g, x_name, a1, f"{layer.name}/x_normalized")
        y_name = _l2_normalize(g, y_name, a2, f"{layer.name}/y_normalized")
    letters = iter(string.ascii_lowercase[2:])
    x_axes = ["a"] + [next(letters) for _ in range(len(x.shape) - 1)]
    x_axes[a1] = "b"
    y_axes = ["a"] + [next(letters) for _ in range(len(y.shape) - 1)]
    y_axes[a2] = "b"
    out = ["a"] + [c for c in x_axes[1:] if c != "b"] + [c for c in y_axes[1:] if c != "b"]
    equation = f"{''.join(x_axes)},{''.join(y_axes)}->{''.join(out)}"
    product = g.op("Einsum", [x_name, y_name], layer.name if len(out) > 1 else f"{layer.name}/einsum",
                   equation=equation)
    if len(out) > 1:
        return product
    return g.op("Unsqueeze", [product, g.ints([1], "axis_1")], layer.name)
