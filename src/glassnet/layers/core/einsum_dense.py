"""EinsumDense: a dense layer whose product is any einsum, ``y = activation(einsum(eq, x, kernel) + bias)``.

``EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d")`` maps
(batch, T, C) to (batch, T, 64) with a (C, 64) kernel; the equation's first
operand is the input, the second the kernel, and the kernel's shape is read
from it: each kernel letter takes its size from the output (``output_shape``,
batch axis left out) or, failing that, from the input. Equations may elide
leading (``"...b,bc->...c"``) or trailing (``"ab...,bc->ac..."``) axes.

Kernels are initialised as Keras 3 does: a variance-scaling initializer
(glorot_uniform, he_normal, ...) counts fan-in over the kernel's input
letters and fan-out over its output letters.
"""

import math
import re

import numpy as np

from glassnet import activations, constraints, initializers, ops, regularizers
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.utils.serialization import serialize_object

_FORMS = (  # (pattern, elided side)
    (r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", None),
    (r"\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)$", "left"),
    (r"([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\.$", "right"),
)


def split_equation(equation):
    """``(input letters, kernel letters, output letters, elided side)`` of an EinsumDense equation."""
    if isinstance(equation, str):
        for pattern, side in _FORMS:
            found = re.match(pattern, equation.replace(" ", ""))
            if found:
                return found.group(1), found.group(2), found.group(3), side
    raise ValueError(f"Invalid einsum equation {equation!r}: EinsumDense expects the form 'ab,bc->ac', "
                     "'...b,bc->...c' or 'ab...,bc->ac...' (input, kernel -> output)")


def analyze(equation, bias_axes, input_shape, output_shape):
    """``(kernel shape, bias shape or None, full output shape, kernel input axes, kernel output axes)``.

    ``output_shape`` leaves out the batch axis (and the elided axes); the
    returned full shape has them, with unknown sizes of letters shared with
    the input taken from the input.
    """
    in_spec, w_spec, out_spec, side = split_equation(equation)
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(in_spec)
    if elided < 0 or (side is None and elided):
        raise ValueError(f"EinsumDense: the equation {equation!r} expects inputs of rank {len(in_spec)}, "
                         f"got shape {input_shape}")
    partial = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    if side == "left":
        full = [input_shape[0]] + list(input_shape[1:elided]) + partial
        in_axis = {c: elided + i for i, c in enumerate(in_spec)}
        out_axis = {c: (len(full) - len(out_spec)) + i for i, c in enumerate(out_spec)}
    else:
        full = [input_shape[0]] + partial + (list(input_shape[len(input_shape) - elided:]) if elided else [])
        in_axis = {c: i for i, c in enumerate(in_spec)}
        out_axis = {c: i for i, c in enumerate(out_spec)}
    if len(full) != len(out_spec) + (elided if side else 0):
        raise ValueError(f"EinsumDense: output_shape {tuple(partial)} does not fit the output letters "
                         f"{out_spec!r} of {equation!r} (it must give every output axis but the batch axis)")
    for c in in_spec:
        if c in out_axis:
            have, want = input_shape[in_axis[c]], full[out_axis[c]]
            if want is not None and have is not None and want != have:
                raise ValueError(f"EinsumDense: input and output sizes differ at the shared letter {c!r} of "
                                 f"{equation!r}: input {have}, output {want}")
            if want is None:
                full[out_axis[c]] = have
    for c in out_spec:
        if c not in in_spec and c not in w_spec:
            raise ValueError(f"EinsumDense: output letter {c!r} of {equation!r} is in neither the input nor "
                             "the kernel")
    kernel_shape, input_axes, output_axes = [], [], []
    for i, c in enumerate(w_spec):
        if c in out_axis:
            kernel_shape.append(full[out_axis[c]])
            output_axes.append(i)
        elif c in in_axis:
            kernel_shape.append(input_shape[in_axis[c]])
            input_axes.append(i)
        else:
            raise ValueError(f"EinsumDense: kernel letter {c!r} of {equation!r} is in neither the input nor the "
                             "output, so its size is unknown")
    if any(d is None for d in kernel_shape):
        raise ValueError(f"EinsumDense: the kernel of {equation!r} needs known sizes; got input shape "
                         f"{input_shape} and output_shape {tuple(partial)} (kernel {kernel_shape})")
    return kernel_shape, _bias_shape(bias_axes, out_spec, full, out_axis, side, elided), tuple(full), \
        input_axes, output_axes


def _bias_shape(bias_axes, out_spec, full, out_axis, side, elided):
    """Keras' bias: from the first bias letter of the output to its end, 1 where a letter has no bias."""
    if bias_axes is None:
        return None
    missing = [c for c in bias_axes if c not in out_spec]
    if missing:
        raise ValueError(f"EinsumDense: bias_axes {bias_axes!r} names {missing}, which are not output letters "
                         f"({out_spec!r})")
    first = min(out_spec.find(c) for c in bias_axes)
    shape = [full[out_axis[c]] if c in bias_axes else 1 for c in out_spec[first:]]
    if side == "right":
        shape += [1] * elided
    return shape


class _FanInitializer:
    """Draw from ``base`` as a (fan_in, fan_out) matrix, then lay it out as the kernel (Keras 3's einsum fans)."""

    def __init__(self, base, input_axes, output_axes):
        self.base, self.input_axes, self.output_axes = base, input_axes, output_axes

    def __call__(self, shape, dtype=None):
        order = list(self.input_axes) + list(self.output_axes)
        if not isinstance(self.base, initializers.VarianceScaling) or sorted(order) != list(range(len(shape))):
            return self.base(shape, dtype=dtype)
        fan_in = math.prod(shape[a] for a in self.input_axes)
        fan_out = math.prod(shape[a] for a in self.output_axes)
        matrix = np.asarray(self.base((fan_in, fan_out), dtype=dtype))
        laid_out = matrix.reshape([shape[a] for a in order])
        return np.ascontiguousarray(np.transpose(laid_out, np.argsort(order)))


class EinsumDense(Layer):
    """A dense layer computed by an einsum: ``activation(einsum(equation, inputs, kernel) + bias)``.

    Args:
        equation: ``"<input>,<kernel>-><output>"``, e.g. ``"abc,cd->abd"``.
        output_shape: the output's shape without the batch axis (None for
            sizes taken from the input); an int for one axis.
        activation: applied last (None: linear).
        bias_axes: the output letters that get a bias (None: no bias).
        kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, kernel_constraint, bias_constraint: as in Dense.
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, activity_regularizer=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        split_equation(equation)
        if lora_rank:
            raise ValueError(f"EinsumDense: LoRA (lora_rank={lora_rank!r}) is not supported by glassnet")
        if gptq_unpacked_column_size is not None or quantization_config is not None:
            raise ValueError("EinsumDense: quantized kernels (gptq_unpacked_column_size, quantization_config) are "
                             "not supported by glassnet")
        super().__init__(**kwargs)
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        kernel_shape, bias_shape, _, input_axes, output_axes = analyze(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        self.kernel = self.add_weight(name="kernel", shape=kernel_shape,
                                      initializer=_FanInitializer(self.kernel_initializer, input_axes, output_axes),
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=bias_shape, initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=len(input_shape))
        self.built = True

    def compute_output_shape(self, input_shape):
        return analyze(self.equation, self.bias_axes, input_shape, self.partial_output_shape)[2]

    def call(self, inputs):
        outputs = ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            outputs = ops.add(outputs, self.bias)
        return self.activation(outputs) if self.activation is not None else outputs

    def get_config(self):
        config = super().get_config()
        config.update({
            "output_shape": list(self.partial_output_shape),
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": serialize_object(self.kernel_initializer),
            "bias_initializer": serialize_object(self.bias_initializer),
            "kernel_regularizer": serialize_object(self.kernel_regularizer),
            "bias_regularizer": serialize_object(self.bias_regularizer),
            "activity_regularizer": serialize_object(self.activity_regularizer),
            "kernel_constraint": serialize_object(self.kernel_constraint),
            "bias_constraint": serialize_object(self.bias_constraint),
            "quantization_config": None,
        })
        return config
