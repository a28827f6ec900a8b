"""``keras.ops.numpy``: the NumPy-style functions, the same objects as in ``glassnet.ops``."""

from glassnet.ops.core import size, ndim  # noqa: F401
from glassnet.ops.creation import (  # noqa: F401
    arange, empty, empty_like, eye, full, full_like, identity, linspace, logspace, meshgrid, ones, ones_like,
    tri, zeros, zeros_like,
)
from glassnet.ops.einsum import einsum  # noqa: F401
from glassnet.ops.linalg import dot, inner, matmul, outer, tensordot, vdot  # noqa: F401
from glassnet.ops.logic import (  # noqa: F401
    allclose, equal, greater, greater_equal, isclose, isfinite, isinf, isnan, less, less_equal, logical_and,
    logical_not, logical_or, logical_xor, not_equal,
)
from glassnet.ops.math import (  # noqa: F401
    abs, absolute, add, arctan, ceil, clip, cos, cosh, divide, divide_no_nan, exp, exp2, expm1, floor,
    floor_divide, log, log1p, log2, log10, maximum, minimum, mod, multiply, negative, power, reciprocal, round,
    sign, sin, sinh, sqrt, square, subtract, tan, true_divide, trunc, where,
)
from glassnet.ops.nn import tanh  # noqa: F401
from glassnet.ops.reduce import (  # noqa: F401
    all, amax, amin, any, argmax, argmin, count_nonzero, cumprod, cumsum, max, mean, min, prod, std, sum, trace,
    var,
)
from glassnet.ops.shaping import (  # noqa: F401
    append, array_split, broadcast_to, concatenate, diag, diagonal, expand_dims, flip, get_item, hstack,
    moveaxis, pad, ravel, repeat, reshape, roll, split, squeeze, stack, swapaxes, take, take_along_axis, tile,
    transpose, tril, triu, vstack,
)
from glassnet.ops.sorting import argsort, sort  # noqa: F401
from glassnet.ops.logic import (  # noqa: F401, E402 - added names, kept apart for readability
    bitwise_and, bitwise_invert, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor, isin,
    isneginf, isposinf, left_shift, right_shift,
)
from glassnet.ops.math import (  # noqa: F401, E402
    deg2rad, fabs, heaviside, hypot, logaddexp, nan_to_num, rad2deg, signbit,
)
from glassnet.ops.reduce import (  # noqa: F401, E402
    average, median, nanmax, nanmean, nanmin, nansum, percentile, ptp, quantile,
)
from glassnet.ops.shaping import diff, dsplit, dstack, fliplr, flipud, hsplit, rot90, vsplit  # noqa: F401, E402
from glassnet.ops.core import array, copy, vectorize, view  # noqa: F401
from glassnet.ops.creation import bartlett, blackman, geomspace, hamming, hanning, kaiser  # noqa: F401
from glassnet.ops.linalg import slogdet  # noqa: F401
from glassnet.ops.math import (  # noqa: F401
    angle, arccos, arccosh, arcsin, arcsinh, arctan2, arctanh, cbrt, conj, conjugate, fmax, fmin, fmod, gcd, imag,
    isreal, lcm, ldexp, logaddexp2, nextafter, real, select, sinc,
)
from glassnet.ops.products import correlate, cross, kron, vander  # noqa: F401
from glassnet.ops.reduce import (  # noqa: F401
    nanargmax, nanargmin, nancumprod, nancumsum, nanmedian, nanpercentile, nanprod, nanquantile, nanstd, nanvar,
    trapezoid,
)
from glassnet.ops.shaping import diagflat, nonzero, unravel_index  # noqa: F401
from glassnet.ops.sorting import argpartition, digitize, searchsorted, unique  # noqa: F401
from glassnet.ops.special import i0  # noqa: F401
from glassnet.ops.statistics import bincount, corrcoef, histogram  # noqa: F401
