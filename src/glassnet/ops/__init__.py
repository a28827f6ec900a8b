"""Differentiable operations, with ``keras.ops``-like names.

Every function takes Tensors, arrays or numbers and returns a Tensor that is
recorded for ``backward()`` when an input requires grad.
"""

from glassnet.ops import conv as _conv_module
from glassnet.ops import image, linalg, math, nn, normalization, pooling, reduce, shape, windows
from glassnet.ops.conv import conv, conv_transpose, depthwise_conv
from glassnet.ops.normalization import normalize
from glassnet.ops.pooling import average_pool, max_pool
from glassnet.ops._convert import convert_to_numpy, convert_to_tensor
from glassnet.ops.linalg import dot, matmul
from glassnet.ops.math import (
    abs, absolute, add, clip, divide, exp, log, maximum, minimum, multiply, negative, power, sqrt,
    square, subtract, true_divide, where,
)
from glassnet.ops.nn import (
    dense, dropout, elu, erf, gelu, hard_sigmoid, leaky_relu, log_softmax, relu, selu, sigmoid,
    sigmoid_cross_entropy, silu, softmax, softmax_cross_entropy, softplus, softsign,
    sparse_softmax_cross_entropy, swish, tanh,
)
from glassnet.ops.operators import attach as _attach_operators
from glassnet.ops.reduce import amax, amin, argmax, argmin, logsumexp, max, mean, min, std, sum, var
from glassnet.ops.shape import (
    broadcast_to, concatenate, expand_dims, flatten_batch, get_item, pad, repeat, reshape, squeeze, stack,
    take, take_along_axis, transpose,
)

_attach_operators()


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return clip(x, 0.0, 6.0)


def linear(x):
    """The identity."""
    return x
