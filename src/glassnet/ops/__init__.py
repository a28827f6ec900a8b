"""Differentiable operations: Keras 3's ``keras.ops`` on NumPy.

Every function takes Tensors, arrays or numbers and returns a Tensor that is
recorded for ``backward()`` when an input requires grad. ``ops.nn``,
``ops.image``, ``ops.linalg`` and ``ops.numpy`` are Keras' namespaces; the
other modules of this package (math, reduce, shaping, ...) hold the
Functions behind the names and are named so that none shadows a Keras op.
"""

from types import FunctionType as _FunctionType

from glassnet.ops import image, linalg, nn, numpy  # Keras' namespaces
from glassnet.ops.convolution import conv, conv_transpose, depthwise_conv
from glassnet.ops.core import (
    associative_scan, cast, cond, convert_to_numpy, convert_to_tensor, custom_gradient, dtype, fori_loop, is_tensor,
    map, ndim, scan, shape, size, stop_gradient, switch, vectorized_map, while_loop,
)
from glassnet.ops.creation import (
    arange, empty, empty_like, eye, full, full_like, identity, linspace, logspace, meshgrid, ones, ones_like,
    tri, zeros, zeros_like,
)
from glassnet.ops.einsum import einsum  # noqa: F401
from glassnet.ops.linalg import (
    cholesky, cholesky_inverse, det, dot, eig, eigh, inner, inv, jvp, logdet, lstsq, lu_factor, matmul, matrix_rank,
    norm, outer, pinv, qr, slogdet, solve, solve_triangular, svd, tensordot, vdot,
)
from glassnet.ops.logic import (
    allclose, bitwise_and, bitwise_invert, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift,
    bitwise_xor, equal, greater, greater_equal, isclose, isfinite, isin, isinf, isnan, isneginf, isposinf, left_shift,
    less, less_equal, logical_and, logical_not, logical_or, logical_xor, not_equal, right_shift,
)
from glassnet.ops.math import (
    abs, absolute, add, arctan, ceil, clip, cos, cosh, deg2rad, divide, divide_no_nan, erf, erfc, exp, exp2, expm1,
    fabs, floor, floor_divide, heaviside, hypot, log, log1p, log2, log10, logaddexp, maximum, minimum, mod, multiply,
    nan_to_num, negative, power, rad2deg, reciprocal, round, rsqrt, sign, signbit, sin, sinh, sqrt, square, subtract,
    tan, true_divide, trunc, where,
)
from glassnet.ops.nn import (
    adaptive_average_pool, adaptive_max_pool, batch_normalization, ctc_decode, ctc_loss, depth_to_space,
    dot_product_attention, fold, layer_normalization, polar, psnr, rms_normalization, separable_conv,
    normalize, space_to_depth, sparse_sigmoid, sparsemax, unfold,
    binary_crossentropy, categorical_crossentropy, celu, dense, glu, hard_shrink, hard_tanh, soft_shrink, sparse_plus,
    squareplus, tanh_shrink, threshold, dropout, elu, gelu, hard_sigmoid, hard_silu, hard_swish,
    leaky_relu, log_sigmoid, log_softmax, moments, multi_hot, one_hot, relu, relu6, selu, sigmoid,
    sigmoid_cross_entropy, silu, softmax, softmax_cross_entropy, softplus, softsign, sparse_categorical_crossentropy,
    sparse_softmax_cross_entropy, swish, tanh,
)
from glassnet.ops.normalization import normalize_with_moments
from glassnet.ops.operators import attach as _attach_operators
from glassnet.ops.pooling import average_pool, max_pool
from glassnet.ops.reduce import (
    all, amax, amin, any, argmax, argmin, average, count_nonzero, cumprod, cumsum, logsumexp, max, mean, median,
    min, nanmax, nanmean, nanmin, nansum, percentile, prod, ptp, quantile, std, sum, trace, var,
)
from glassnet.ops.segment import segment_max, segment_min, segment_prod, segment_sum
from glassnet.ops.shaping import (
    append, array_split, broadcast_to, concatenate, diag, diagonal, diff, dsplit, dstack, expand_dims, flatten_batch,
    flip, fliplr, flipud, get_item, hsplit, hstack, rot90, vsplit, moveaxis, pad, ravel, repeat, reshape, roll, scatter, scatter_update, slice, slice_update, split,
    squeeze, stack, swapaxes, take, take_along_axis, tile, transpose, tril, triu, unstack, vstack,
)
from glassnet.ops.sorting import argsort, in_top_k, sort, top_k
from glassnet.ops.spectral import (
    extract_sequences, fft, fft2, ifft2, irfft, istft, rfft, stft, view_as_complex, view_as_real,
)
# the rest of Keras' NumPy-style functions (ops.numpy), and erfinv, cdist, saturate_cast, rearrange
from glassnet.ops.core import array, copy, saturate_cast, vectorize, view  # noqa: F401
from glassnet.ops.creation import bartlett, blackman, geomspace, hamming, hanning, kaiser  # noqa: F401
from glassnet.ops.einops import rearrange  # noqa: F401
from glassnet.ops.math import (  # noqa: F401
    angle, arccos, arccosh, arcsin, arcsinh, arctan2, arctanh, cbrt, conj, conjugate, fmax, fmin, fmod, gcd, imag,
    isreal, lcm, ldexp, logaddexp2, nextafter, real, select, sinc,
)
from glassnet.ops.products import cdist, correlate, cross, kron, vander  # noqa: F401
from glassnet.ops.reduce import (  # noqa: F401
    nanargmax, nanargmin, nancumprod, nancumsum, nanmedian, nanpercentile, nanprod, nanquantile, nanstd, nanvar,
    trapezoid,
)
from glassnet.ops.shaping import diagflat, nonzero, unravel_index  # noqa: F401
from glassnet.ops.sorting import argpartition, digitize, searchsorted, unique  # noqa: F401
from glassnet.ops.special import erfinv, i0  # noqa: F401
from glassnet.ops.statistics import bincount, corrcoef, histogram  # noqa: F401
from glassnet.ops.symbolic import dispatching as _dispatching

_attach_operators()

# called on symbolic tensors, these record an operation node (see ops/symbolic.py); the rest
# answer from the symbolic tensor itself or run Python control flow
_NOT_RECORDED = {
    "shape", "ndim", "size", "dtype", "is_tensor", "convert_to_numpy", "cond", "switch", "while_loop", "fori_loop",
    "scan", "map", "vectorized_map", "custom_gradient", "dense", "dropout", "associative_scan", "jvp", "vectorize",
}


def _wrap_public_functions():
    """Route every public op (here and in Keras' namespaces) through ``symbolic.dispatching``.

    The namespaces ``ops.image``, ``ops.linalg``, ``ops.nn`` and ``ops.numpy`` become copies of their
    modules holding the wrapped functions; the modules keep the plain ones, which their own Functions
    call on raw arrays in every forward and backward pass (a wrapper there cost ~5 % of an MLP step).
    """
    import types

    wrapped = {}
    for name, value in list(globals().items()):
        if isinstance(value, _FunctionType) and not name.startswith("_") and name not in _NOT_RECORDED:
            wrapped[id(value)] = globals()[name] = _dispatching(name, value)
    for module in (image, linalg, nn, numpy):
        namespace = types.ModuleType(module.__name__, module.__doc__)
        namespace.__dict__.update((k, v) for k, v in vars(module).items() if not k.startswith("__"))
        for name, value in vars(module).items():
            if isinstance(value, _FunctionType) and not name.startswith("_") and name not in _NOT_RECORDED:
                setattr(namespace, name, wrapped.get(id(value)) or _dispatching(name, value))
        globals()[module.__name__.rsplit(".", 1)[1]] = namespace


_wrap_public_functions()


def linear(x):
    """The identity."""
    return x
