"""Batch and layer normalization as single ops.

For x normalised over the axes in ``axes`` (m values per group):

    mean = sum x / m,  var = sum (x - mean)^2 / m,  xhat = (x - mean) / sqrt(var + eps)
    y = gamma xhat + beta

    dbeta = sum dy,  dgamma = sum dy xhat
    dx = gamma / sqrt(var + eps) * (dy - mean(dy) - xhat mean(dy xhat))

The three sums are the whole backward pass; no intermediate graph is kept.
Keras' ``batch_normalization`` (given statistics) and ``rms_normalization``
are composed from element-wise ops; ``layer_normalization`` is ``Normalize``.

Batch normalization of a large batch runs part by part over the batch on
parallel threads (backend/parallel.py), as convolutions do: each part adds
up its own sums, the parts' sums are added in part order, and each part
then normalises (or back-propagates) its own rows.
"""

import numpy as np

from glassnet import config
from glassnet.autodiff.function import Function
from glassnet.backend import get_array_module
from glassnet.backend.parallel import batch_parts, run_parts, sum_parts
from glassnet.ops import math, reduce, shaping
from glassnet.ops._convert import as_input, data_of

# Element passes per value in a batch-normalization pass (sums, centring, squares, scaling): the work that
# decides whether splitting the batch over threads pays (backend/parallel.MIN_WORK_PER_PART).
PASSES_PER_VALUE = 6


class Normalize(Function):
    """y = gamma (x - mean) / sqrt(var + eps) + beta, statistics over ``axes`` of this batch.

    gamma and beta (either may be None) are broadcast against x. Three
    outputs: y, and the batch mean and (biased) variance with the reduced
    axes kept, for BatchNormalization's moving averages (not differentiated).
    """

    def __init__(self, axes, epsilon=1e-3):
        self.axes, self.epsilon = tuple(axes), epsilon

    def forward(self, x, gamma, beta):
        xp = get_array_module(x)
        count = 1
        for a in self.axes:
            count *= x.shape[a]
        self.count = count
        self.parts = self._batch_parts(x, gamma, beta)
        if len(self.parts) > 1:
            return self._forward_parts(x, gamma, beta)
        mean = xp.add.reduce(x, axis=self.axes, keepdims=True) * (1.0 / count)
        centered = x - mean
        var = xp.add.reduce(centered * centered, axis=self.axes, keepdims=True) * (1.0 / count)
        self.inv_std = 1.0 / xp.sqrt(var + self.epsilon)
        self.xhat = centered
        self.xhat *= self.inv_std
        self.gamma = gamma
        y = self.xhat * gamma if gamma is not None else self.xhat.copy()
        if beta is not None:
            y += beta
        return y, mean, var

    def _batch_parts(self, x, gamma, beta):
        """Parts of the batch for parallel threads: more than one only for batch normalization (statistics over
        every axis but the last) of a large enough float batch, with gamma and beta None or arrays of x's dtype
        holding one value per channel."""
        whole = [slice(0, x.shape[0])] if x.ndim else []
        if x.ndim < 2 or x.dtype.kind != "f" or set(self.axes) != set(range(x.ndim - 1)):
            return whole
        for p in (gamma, beta):
            if p is not None and not (hasattr(p, "dtype") and p.dtype == x.dtype and p.size == x.shape[-1]
                                      and p.shape[-1:] == x.shape[-1:]):
                return whole
        return batch_parts(x.shape[0], x[0].size * PASSES_PER_VALUE, get_array_module(x))

    def _forward_parts(self, x, gamma, beta):
        """``forward`` for batch normalization, part by part: the same formulas, each part's sums added."""
        xp, axes, parts = get_array_module(x), self.axes, self.parts
        mean = sum_parts(run_parts(lambda part: xp.add.reduce(x[part], axis=axes, keepdims=True), parts))
        mean *= 1.0 / self.count
        xhat = xp.empty_like(x)

        def centre(part):
            centered = xp.subtract(x[part], mean, out=xhat[part])
            return xp.add.reduce(centered * centered, axis=axes, keepdims=True)

        var = sum_parts(run_parts(centre, parts))
        var *= 1.0 / self.count
        self.inv_std = 1.0 / xp.sqrt(var + self.epsilon)
        self.xhat, self.gamma = xhat, gamma
        y = xp.empty_like(x)

        def scale(part):
            part_xhat = xhat[part]
            part_xhat *= self.inv_std
            if gamma is not None:
                xp.multiply(part_xhat, gamma, out=y[part])
            else:
                y[part] = part_xhat
            if beta is not None:
                y[part] += beta

        run_parts(scale, parts)
        return y, mean, var

    def _backward_parts(self, gy):
        """``backward`` for batch normalization, part by part (see ``_forward_parts``)."""
        xp, axes, parts, xhat = get_array_module(gy), self.axes, self.parts, self.xhat
        need_x, need_gamma, need_beta = self.needs_input_grad
        sums = run_parts(lambda part: (xp.add.reduce(gy[part], axis=axes, keepdims=True),
                                       xp.add.reduce(gy[part] * xhat[part], axis=axes, keepdims=True)), parts)
        sum_dy, sum_dy_xhat = sum_parts(s[0] for s in sums), sum_parts(s[1] for s in sums)
        gx = None
        if need_x:
            scale = self.inv_std if self.gamma is None else self.gamma * self.inv_std
            xhat_factor, mean_dy = sum_dy_xhat * (-1.0 / self.count), sum_dy * (1.0 / self.count)
            gx = xp.empty_like(xhat)

            def input_grad(part):
                out = xp.multiply(xhat[part], xhat_factor, out=gx[part])
                out += gy[part]
                out -= mean_dy
                out *= scale

            run_parts(input_grad, parts)
        return gx, (sum_dy_xhat if need_gamma else None), (sum_dy if need_beta else None)

    def backward(self, grads):
        gy = grads[0]
        if len(self.parts) > 1 and gy.shape == self.xhat.shape and gy.dtype == self.xhat.dtype:
            return self._backward_parts(gy)
        xp = get_array_module(gy)
        need_x, need_gamma, need_beta = self.needs_input_grad
        gamma, xhat, axes, count = self.gamma, self.xhat, self.axes, self.count
        if set(axes) == set(range(gy.ndim - 1)):
            # batch normalization: gamma is constant over the statistics' axes, so the same two
            # sums give dbeta, dgamma and (scaled by gamma) dx
            sum_dy = xp.add.reduce(gy, axis=axes, keepdims=True)
            sum_dy_xhat = xp.add.reduce(gy * xhat, axis=axes, keepdims=True)
            gb, gg = sum_dy, sum_dy_xhat
            scale = self.inv_std if gamma is None else gamma * self.inv_std
            dxhat_sum, dxhat_xhat_sum, dxhat = sum_dy, sum_dy_xhat, gy
        else:
            # layer normalization: gamma varies along the normalised axes; gamma and beta are
            # summed over the other axes by the engine
            gb, gg = gy, (gy * xhat if need_gamma else None)
            dxhat = gy * gamma if gamma is not None else gy
            dxhat_sum = xp.add.reduce(dxhat, axis=axes, keepdims=True)
            dxhat_xhat_sum = xp.add.reduce(dxhat * xhat, axis=axes, keepdims=True)
            scale = self.inv_std
        gx = None
        if need_x:
            gx = xhat * (dxhat_xhat_sum * (-1.0 / count))
            gx += dxhat
            gx -= dxhat_sum * (1.0 / count)
            gx *= scale
        return gx, (gg if need_gamma else None), (gb if need_beta else None)


def normalize_with_moments(x, gamma=None, beta=None, axes=(0,), epsilon=1e-3):
    """Normalise ``x`` over ``axes`` with this batch's statistics, then scale and shift.

    Returns ``(y, mean, var)``; mean and var keep the reduced axes as size 1.
    """
    return Normalize.apply(as_input(x), gamma, beta, axes=tuple(a % len(_shape(x)) for a in axes),
                           epsilon=epsilon)


def _shape(x):
    return x.shape if hasattr(x, "shape") else get_array_module(x).shape(x)


def _axes(axis, ndim):
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(sorted(a % ndim for a in axes))


def _along(v, axes, shape):
    """``v`` (shaped like the normalised axes) reshaped to broadcast against ``shape``; None stays None."""
    if v is None:
        return None
    v = as_input(v)
    if len(np.shape(data_of(v))) == len(shape) or axes == (len(shape) - 1,):
        return v
    return shaping.reshape(v, [shape[a] if a in axes else 1 for a in range(len(shape))])


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset`` with given statistics, which are
    vectors along ``axis``."""
    x = as_input(x)
    shape = np.shape(data_of(x))
    axes = _axes(axis, len(shape))
    mean, variance = _along(mean, axes, shape), _along(variance, axes, shape)
    inv = math.rsqrt(math.add(variance, epsilon))
    if scale is not None:
        inv = math.multiply(inv, _along(scale, axes, shape))
    y = math.multiply(math.subtract(x, mean), inv)
    return y if offset is None else math.add(y, _along(offset, axes, shape))


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta``, statistics over ``axis`` of each sample
    (``epsilon`` defaults to ``config.epsilon()``; ``rms_scaling=True`` skips the centring and beta)."""
    unknown = set(kwargs) - {"rms_scaling"}
    if unknown:
        raise TypeError(f"layer_normalization got unexpected keyword arguments {sorted(unknown)}")
    x = as_input(x)
    shape = np.shape(data_of(x))
    axes = _axes(axis, len(shape))
    epsilon = config.epsilon() if epsilon is None else epsilon
    gamma, beta = _along(gamma, axes, shape), _along(beta, axes, shape)
    if kwargs.get("rms_scaling"):
        y = math.multiply(x, math.rsqrt(math.add(reduce.var(x, axis=axes, keepdims=True), epsilon)))
        return y if gamma is None else math.multiply(y, gamma)
    return Normalize.apply(x, gamma, beta, axes=axes, epsilon=epsilon)[0]


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x / sqrt(mean(x^2 over axis) + epsilon) * scale`` (``epsilon`` defaults to ``config.epsilon()``)."""
    x = as_input(x)
    shape = np.shape(data_of(x))
    axes = _axes(axis, len(shape))
    epsilon = config.epsilon() if epsilon is None else epsilon
    mean_square = reduce.mean(math.square(x), axis=axes, keepdims=True)
    y = math.multiply(x, math.rsqrt(math.add(mean_square, epsilon)))
    return y if scale is None else math.multiply(y, _along(scale, axes, shape))
