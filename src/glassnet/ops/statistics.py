"""Statistics of samples: ``corrcoef``, ``histogram``, ``bincount``.

``corrcoef`` is composed from means, a matrix product and a square root, so
it is differentiable; counting has no gradient.
"""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.ops import math
from glassnet.ops._convert import data_of
from glassnet.ops._promote import floating, typed
from glassnet.ops.linalg import matmul
from glassnet.ops.reduce import mean
from glassnet.ops.shaping import diagonal, expand_dims, reshape, transpose


def corrcoef(x):
    """Pearson correlation coefficients of the rows of ``x`` (one variable per row, observations along
    the columns): cov_ij / sqrt(cov_ii cov_jj), clipped to [-1, 1]; a 1-D ``x`` is one variable."""
    x = floating(x)
    ndim = data_of(x).ndim
    if ndim not in (1, 2):
        raise ValueError(f"corrcoef expects a 1-D or 2-D input (variables x observations), got shape "
                         f"{data_of(x).shape}")
    rows = reshape(x, (1, -1)) if ndim == 1 else x
    centered = math.subtract(rows, mean(rows, axis=1, keepdims=True))
    covariance = matmul(centered, transpose(centered))
    scale = math.sqrt(diagonal(covariance))
    correlation = math.divide(math.divide(covariance, expand_dims(scale, 1)), expand_dims(scale, 0))
    correlation = math.clip(correlation, -1.0, 1.0)
    return reshape(correlation, ()) if ndim == 1 else correlation


def histogram(x, bins=10, range=None):
    """Counts of the entries of the 1-D ``x`` in ``bins`` equal-width bins over ``range`` (the data's
    min and max by default), and the ``bins + 1`` edges; both in ``x``'s float dtype (float32 for integers).

    The last bin includes its right edge. No gradient.
    """
    data = data_of(floating(x))
    if data.ndim != 1:
        raise ValueError(f"histogram expects a 1-D input, got shape {data.shape}")
    if not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"histogram: bins must be a positive integer, got {bins!r}")
    counts, edges = np.histogram(data, bins=int(bins), range=range)
    return Tensor(counts.astype(data.dtype)), Tensor(edges.astype(data.dtype))


def _bincount_row(values, weights, minlength, dtype):
    return np.bincount(values, weights=weights, minlength=minlength).astype(dtype)


def bincount(x, weights=None, minlength=0, sparse=False):
    """How often each non-negative integer occurs in ``x`` (1-D, or per row of a 2-D ``x``), or the sum of
    ``weights`` at its occurrences; at least ``minlength`` bins. int32 counts, weights' dtype sums."""
    if sparse:
        raise ValueError("bincount: sparse=True is not supported (glassnet tensors are dense)")
    values = np.asarray(data_of(typed(x)))
    if values.dtype.kind not in "iub" or values.ndim not in (1, 2):
        raise ValueError(f"bincount expects a 1-D or 2-D tensor of non-negative integers, got dtype "
                         f"{values.dtype} and shape {values.shape}")
    if values.size and values.min() < 0:
        raise ValueError(f"bincount expects non-negative integers, got the value {values.min()}")
    dtype = "int32"
    if weights is not None:
        weights = np.asarray(data_of(typed(weights)))
        dtype = weights.dtype if weights.dtype.kind == "f" else np.result_type(values.dtype, weights.dtype)
    if values.ndim == 1:
        return Tensor(_bincount_row(values, weights, minlength, dtype))
    length = max(int(values.max(initial=-1)) + 1, minlength)
    rows = [_bincount_row(row, None if weights is None else w, length, dtype)
            for row, w in zip(values, weights if weights is not None else values)]
    return Tensor(np.stack(rows) if rows else np.zeros((0, length), dtype=dtype))
