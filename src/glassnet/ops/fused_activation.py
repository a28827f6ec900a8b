"""The activations that the dense and convolution ops compute inside their own node.

One table, read by ``ops.nn.Dense``, the ``ops.conv`` Functions and the
layers that decide whether to fuse (``layers/kernel_bias.py``). Each entry
applies ``y = f(z)`` in place on the freshly computed pre-activation ``z``
(``add_bias_and_activate``: the ops' common last step, ``y = f(z + b)``) and
turns ``dL/dy`` into ``dL/dz`` from the output ``y`` alone::

    name       y = f(z)              dL/dz
    None       z                     dy
    "relu"     max(z, 0)             dy [y > 0]
    "sigmoid"  1 / (1 + exp(-z))     dy y (1 - y)
    "tanh"     tanh(z)               dy (1 - y^2)

``"linear"`` is accepted everywhere and means None. Any other activation is
applied by the layer after the op, as its own node.
"""

from typing import Callable, NamedTuple

from glassnet.backend import get_array_module


class FusedActivation(NamedTuple):
    """How an op applies one activation itself."""

    activate_in_place: Callable  # z -> f(z), written into z
    slope: Callable  # (dL/dy, y) -> dL/dz


def _identity(z):
    return z


def _pass_through(gy, y):
    return gy


def _relu_in_place(z):
    get_array_module(z).maximum(z, 0, out=z)
    return z


def relu_slope(gy, y):
    """gy where y > 0, else 0: the comparison written as floats, then one multiply.

    Multiplying by a boolean mask makes NumPy convert it element by element;
    1.0/0.0 floats are 30 % faster on a (64, 26, 26, 32) batch.
    """
    xp = get_array_module(gy)
    slope = xp.greater(y, 0, out=xp.empty_like(gy))
    slope *= gy
    return slope


def _sigmoid_in_place(z):
    """1 / (1 + exp(-z)) written as (1 + tanh(z/2)) / 2, which never overflows."""
    get_array_module(z).tanh(z * 0.5, out=z)
    z += 1.0
    z *= 0.5
    return z


def _sigmoid_slope(gy, y):
    return gy * (y * (1.0 - y))


def _tanh_in_place(z):
    get_array_module(z).tanh(z, out=z)
    return z


def _tanh_slope(gy, y):
    return gy * (1.0 - y * y)


FUSED_ACTIVATIONS = {
    None: FusedActivation(_identity, _pass_through),
    "relu": FusedActivation(_relu_in_place, relu_slope),
    "sigmoid": FusedActivation(_sigmoid_in_place, _sigmoid_slope),
    "tanh": FusedActivation(_tanh_in_place, _tanh_slope),
}

# The names a user may write: the table's keys, with "linear" for None.
FUSED_NAMES = ("linear",) + tuple(name for name in FUSED_ACTIVATIONS if name is not None)


def fused_key(activation, op_name):
    """The table key for ``activation`` (None for None or "linear"); a ValueError naming ``op_name`` otherwise."""
    if activation is None:
        return None
    if isinstance(activation, str):
        if activation == "linear":
            return None
        if activation in FUSED_ACTIVATIONS:
            return activation
    raise ValueError(f"{op_name} fuses the activations {', '.join(FUSED_NAMES)} (or None); got {activation!r}")


def add_bias_and_activate(z, bias, activation):
    """``z + bias`` (bias None: none), then the fused ``activation`` (a table key), all in place; returns ``z``."""
    if bias is not None:
        z += bias
    return FUSED_ACTIVATIONS[activation].activate_in_place(z)


def activation_slope(gy, y, activation):
    """dL/dz from dL/dy for ``y = activation(z)``, using only ``y``."""
    return FUSED_ACTIVATIONS[activation].slope(gy, y)
