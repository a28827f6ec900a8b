"""Activation functions and activation layers as ONNX nodes.

``apply_activation(g, function, x, hint)`` serves the Activation layer and
every layer's fused ``activation=`` argument. The mapping (opset 17):

    linear -> nothing              relu -> Relu          relu6 -> Clip(0, 6)
    sigmoid -> Sigmoid             tanh -> Tanh          softmax -> Softmax(axis)
    log_softmax -> LogSoftmax      elu -> Elu(alpha)     selu -> Selu(alpha, gamma)
    softplus -> Softplus           softsign -> Softsign  exponential -> Exp
    leaky_relu -> LeakyRelu        celu -> Celu          hard_sigmoid -> HardSigmoid(1/6, 1/2)
    hard_silu -> HardSwish         hard_tanh -> Clip(-1, 1)
    silu/swish: x * Sigmoid(x)     mish: x * Tanh(Softplus(x))
    gelu: x/2 (1 + Erf(x / sqrt 2)); approximate: x/2 (1 + Tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    log_sigmoid: -Softplus(-x)     tanh_shrink: x - Tanh(x)
    hard_shrink, soft_shrink -> Shrink(lambd=threshold, bias=0 or threshold)
    squareplus: (x + Sqrt(x^2 + b)) / 2
    relu(x, negative_slope, max_value, threshold): Where(x >= threshold, x, slope (x - threshold)), Min(max_value)

A ``functools.partial`` of one of these (``partial(gelu, approximate=True)``)
is exported with its keyword arguments.
"""

import functools
import math

from glassnet import activations
from glassnet.export.registry import converts, unsupported
from glassnet.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from glassnet.layers.core import Activation

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _gelu(g, x, hint, approximate=False):
    half = g.op("Mul", [x, g.scalar(0.5, "half")], f"{hint}/half_x")
    if approximate:
        cube = g.op("Mul", [g.op("Mul", [x, x], f"{hint}/x2"), x], f"{hint}/x3")
        inner = g.op("Add", [x, g.op("Mul", [cube, g.scalar(0.044715, "gelu_c")], f"{hint}/cx3")], f"{hint}/inner")
        scaled = g.op("Mul", [inner, g.scalar(math.sqrt(2.0 / math.pi), "sqrt_2_over_pi")], f"{hint}/scaled")
        curve = g.op("Tanh", [scaled], f"{hint}/tanh")
    else:
        curve = g.op("Erf", [g.op("Mul", [x, g.scalar(1.0 / math.sqrt(2.0), "inv_sqrt2")], f"{hint}/s")],
                     f"{hint}/erf")
    return g.op("Mul", [half, g.op("Add", [curve, g.scalar(1.0, "one")], f"{hint}/one_plus")], hint)


def _relu(g, x, hint, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0.0 and threshold == 0.0:
        y = g.op("Relu", [x], hint)
    else:
        shifted = g.op("Sub", [x, g.scalar(threshold, "threshold")], f"{hint}/shifted")
        below = g.op("Mul", [shifted, g.scalar(negative_slope, "slope")], f"{hint}/below")
        keep = g.op("GreaterOrEqual", [x, g.scalar(threshold, "threshold")], f"{hint}/keep")
        y = g.op("Where", [keep, x, below], hint)
    if max_value is not None:
        y = g.op("Min", [y, g.scalar(max_value, "max_value")], f"{hint}/capped")
    return y


def _shrink(threshold, keep):
    def convert(g, x, hint, threshold=threshold):
        return g.op("Shrink", [x], hint, lambd=float(threshold), bias=0.0 if keep else float(threshold))
    return convert


def _simple(op_type, **attributes):
    return lambda g, x, hint: g.op(op_type, [x], hint, **attributes)


def _clip(low, high):
    return lambda g, x, hint: g.op("Clip", [x, g.scalar(low, "clip_min"), g.scalar(high, "clip_max")], hint)


EMITTERS = {
    "linear": lambda g, x, hint: x,
    "relu": _relu,
    "relu6": _clip(0.0, 6.0),
    "sigmoid": _simple("Sigmoid"),
    "tanh": _simple("Tanh"),
    "softmax": lambda g, x, hint, axis=-1: g.op("Softmax", [x], hint, axis=axis),
    "log_softmax": lambda g, x, hint, axis=-1: g.op("LogSoftmax", [x], hint, axis=axis),
    "elu": lambda g, x, hint, alpha=1.0: g.op("Elu", [x], hint, alpha=float(alpha)),
    "selu": _simple("Selu", alpha=SELU_ALPHA, gamma=SELU_SCALE),
    "softplus": _simple("Softplus"),
    "softsign": _simple("Softsign"),
    "exponential": _simple("Exp"),
    "leaky_relu": lambda g, x, hint, negative_slope=0.2: g.op("LeakyRelu", [x], hint, alpha=float(negative_slope)),
    "celu": lambda g, x, hint, alpha=1.0: g.op("Celu", [x], hint, alpha=float(alpha)),
    "hard_sigmoid": _simple("HardSigmoid", alpha=1.0 / 6.0, beta=0.5),
    "hard_silu": _simple("HardSwish"),
    "hard_tanh": _clip(-1.0, 1.0),
    "silu": lambda g, x, hint: g.op("Mul", [x, g.op("Sigmoid", [x], f"{hint}/sigmoid")], hint),
    "mish": lambda g, x, hint: g.op("Mul", [x, g.op("Tanh", [g.op("Softplus", [x], f"{hint}/softplus")],
                                                     f"{hint}/tanh")], hint),
    "gelu": _gelu,
    "log_sigmoid": lambda g, x, hint: g.op("Neg", [g.op("Softplus", [g.op("Neg", [x], f"{hint}/neg")],
                                                         f"{hint}/softplus")], hint),
    "tanh_shrink": lambda g, x, hint: g.op("Sub", [x, g.op("Tanh", [x], f"{hint}/tanh")], hint),
    "hard_shrink": _shrink(0.5, keep=True),
    "soft_shrink": _shrink(0.5, keep=False),
    "squareplus": lambda g, x, hint, b=4: g.op("Mul", [g.op("Add", [x, g.op("Sqrt", [g.op(
        "Add", [g.op("Mul", [x, x], f"{hint}/x2"), g.scalar(b, "b")], f"{hint}/x2b")], f"{hint}/sqrt")],
        f"{hint}/sum"), g.scalar(0.5, "half")], hint),
}
EMITTERS["swish"] = EMITTERS["silu"]
EMITTERS["hard_swish"] = EMITTERS["hard_silu"]


def activation_name(function):
    """(name, keyword arguments) of a built-in activation function or a ``functools.partial`` of one."""
    keywords = {}
    if isinstance(function, functools.partial) and not function.args:
        function, keywords = function.func, dict(function.keywords)
    for name, known in activations.ALL.items():
        if known is function:
            return name, keywords
    return None, keywords


def apply_activation(g, layer, function, x, hint):
    """``function(x)`` as nodes; an ExportError naming ``layer`` for an activation with no ONNX mapping."""
    if function is None:
        return x
    name, keywords = activation_name(function)
    emit = EMITTERS.get(name)
    if emit is None:
        label = name or getattr(function, "__name__", repr(function))
        raise unsupported(layer, f"the activation {label!r} has no ONNX mapping (supported: "
                          f"{', '.join(sorted(EMITTERS))})")
    try:
        return emit(g, x, hint, **keywords)
    except TypeError:
        raise unsupported(layer, f"the activation {name!r} with arguments {keywords} has no ONNX mapping") from None


@converts(Activation)
def activation_layer(g, layer, inputs, kwargs):
    """Activation(name): the activation's nodes."""
    return apply_activation(g, layer, layer.activation, inputs[0].name, layer.name)


@converts(ReLU)
def relu_layer(g, layer, inputs, kwargs):
    """ReLU(max_value, negative_slope, threshold): Relu, or Where/Min for the general form."""
    return _relu(g, inputs[0].name, layer.name, layer.negative_slope, layer.max_value, layer.threshold)


@converts(LeakyReLU)
def leaky_relu_layer(g, layer, inputs, kwargs):
    """LeakyReLU(negative_slope) -> LeakyRelu(alpha)."""
    return g.op("LeakyRelu", [inputs[0].name], layer.name, alpha=layer.negative_slope)


@converts(ELU)
def elu_layer(g, layer, inputs, kwargs):
    """ELU(alpha) -> Elu(alpha)."""
    return g.op("Elu", [inputs[0].name], layer.name, alpha=layer.alpha)


@converts(PReLU)
def prelu_layer(g, layer, inputs, kwargs):
    """PReLU -> PRelu with the learned alpha (shaped like the input without the batch axis; broadcasts)."""
    return g.op("PRelu", [inputs[0].name, g.const(layer.alpha, f"{layer.name}/alpha")], layer.name)


@converts(Softmax)
def softmax_layer(g, layer, inputs, kwargs):
    """Softmax(axis) -> Softmax(axis); over several axes: Exp(x - ReduceLogSumExp(x, axes))."""
    if kwargs.get("mask") is not None:
        raise unsupported(layer, "softmax masks are not exported")
    x = inputs[0].name
    axes = list(layer.axis) if isinstance(layer.axis, (list, tuple)) else [layer.axis]
    if len(axes) == 1:
        return g.op("Softmax", [x], layer.name, axis=axes[0])
    total = g.op("ReduceLogSumExp", [x], f"{layer.name}/logsumexp", axes=axes, keepdims=1)
    return g.op("Exp", [g.op("Sub", [x, total], f"{layer.name}/shifted")], layer.name)
