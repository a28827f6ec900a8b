"""The one table of activations that the dense and conv ops fuse (ops/fused_activation.py).

Each entry must agree with the stand-alone activation op, forward and backward; the dense and conv ops
and the layers' fuse-or-not decision all read it.
"""

import numpy as np
import pytest

import glassnet as gn
from glassnet import activations, ops
from glassnet.autodiff.tensor import Tensor
from glassnet.layers.kernel_bias import fused_activation
from glassnet.ops.fused_activation import (
    FUSED_ACTIVATIONS, FUSED_NAMES, activation_slope, add_bias_and_activate, fused_key,
)

RNG = np.random.default_rng(7)
# Pre-activations away from relu's kink, so its slope is unambiguous.
Z = (RNG.uniform(0.1, 3.0, (4, 5)) * RNG.choice([-1.0, 1.0], (4, 5))).astype("float32")


def stand_alone(key):
    """The unfused op for a table key (None: the identity)."""
    return {None: ops.linear, "relu": ops.relu, "sigmoid": ops.sigmoid, "tanh": ops.tanh}[key]


@pytest.mark.parametrize("key", list(FUSED_ACTIVATIONS))
def test_each_entry_matches_the_stand_alone_op_forward_and_backward(key):
    z, bias = Z.copy(), RNG.normal(size=Z.shape[-1]).astype("float32")
    y = add_bias_and_activate(z, bias, key)
    x = Tensor(Z + bias, requires_grad=True)
    expected = stand_alone(key)(x)
    assert y is z and y.dtype == np.float32
    np.testing.assert_allclose(y, expected.data, rtol=1e-6, atol=1e-7)

    gy = RNG.normal(size=Z.shape).astype("float32")
    ops.sum(ops.multiply(expected, gy)).backward()
    dz = activation_slope(gy, y, key)
    assert dz.dtype == np.float32
    np.testing.assert_allclose(dz, x.grad, rtol=1e-5, atol=1e-6)


def test_the_names_are_the_table_with_linear_for_none():
    assert set(FUSED_NAMES) == {"linear"} | {key for key in FUSED_ACTIVATIONS if key is not None}
    assert fused_key("linear", "dense") is None and fused_key(None, "dense") is None
    for key in FUSED_ACTIVATIONS:
        assert fused_key(key, "dense") == key


@pytest.mark.parametrize("bad", ["softmax", "Relu", activations.relu, 3, np.zeros(2)])
def test_an_unfusable_activation_is_refused_naming_the_op_and_the_choices(bad):
    with pytest.raises(ValueError, match=r"convolutions fuses the activations linear, relu, sigmoid, tanh"):
        fused_key(bad, "convolutions")


@pytest.mark.parametrize("op", [
    lambda activation: ops.dense(np.ones((2, 3), "float32"), np.ones((3, 4), "float32"), activation=activation),
    lambda activation: ops.conv(np.ones((1, 4, 4, 2), "float32"), np.ones((3, 3, 2, 2), "float32"),
                                activation=activation),
])
def test_the_ops_refuse_activations_outside_the_table(op):
    with pytest.raises(ValueError, match="fuses the activations"):
        op("softmax")


@pytest.mark.parametrize("name", FUSED_NAMES)
def test_layers_fuse_every_table_name_given_as_a_name_or_function(name):
    key = None if name == "linear" else name
    assert fused_activation(name) == (True, key)
    assert fused_activation(name.upper()) == (True, key)
    assert fused_activation(activations.get(name)) == (True, key)
    assert fused_activation({"class_name": "function", "config": name}) == (True, key)


@pytest.mark.parametrize("activation", ["softmax", "gelu", activations.elu, lambda x: x])
def test_layers_apply_other_activations_themselves(activation):
    assert fused_activation(activation) == (False, None)
    layer = gn.layers.Dense(3, activation=activation)
    x = RNG.normal(size=(2, 4)).astype("float32")
    y = layer(x)
    expected = activations.get(activation)(ops.dense(x, layer.kernel, layer.bias))
    np.testing.assert_allclose(ops.convert_to_numpy(y), ops.convert_to_numpy(expected), rtol=1e-6)
