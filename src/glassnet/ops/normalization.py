"""Batch and layer normalization as single ops.

For x normalised over the axes in ``axes`` (m values per group):

    mean = sum x / m,  var = sum (x - mean)^2 / m,  xhat = (x - mean) / sqrt(var + eps)
    y = gamma xhat + beta

    dbeta = sum dy,  dgamma = sum dy xhat
    dx = gamma / sqrt(var + eps) * (dy - mean(dy) - xhat mean(dy xhat))

The three sums are the whole backward pass; no intermediate graph is kept.
"""

from glassnet.autodiff.function import Function
from glassnet.backend import get_array_module
from glassnet.ops._convert import as_input


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

    def backward(self, grads):
        gy = grads[0]
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


def normalize(x, gamma=None, beta=None, axes=(0,), epsilon=1e-3):
    """Normalise ``x`` over ``axes`` with this batch's statistics, then scale and shift.

    Returns ``(y, mean, var)``; mean and var keep the reduced axes as size 1.
    """
    return Normalize.apply(as_input(x), gamma, beta, axes=tuple(a % len(_shape(x)) for a in axes),
                           epsilon=epsilon)


def _shape(x):
    return x.shape if hasattr(x, "shape") else get_array_module(x).shape(x)
