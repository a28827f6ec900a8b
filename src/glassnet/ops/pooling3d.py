"""Max and average pooling of NDHWC volumes, composed from the 2-D pooling ops (ops/pooling.py).

Both poolings are separable: a box's maximum is the maximum over depth of the
(height, width) maxima, and a box's mean with "same" padding is the mean over
the real depths of the (height, width) means of real values (the count of real
values in a box is the product of its counts per axis). So

    y = pool2d over depth (pool (pd, 1)) of  pool2d over (height, width) of every depth slice

and the gradients are those of the two 2-D poolings.
"""

from glassnet.ops import shaping
from glassnet.ops._convert import as_input
from glassnet.ops.pooling import average_pool, max_pool


def _triple(value, name):
    values = (value,) * 3 if isinstance(value, int) else tuple(int(v) for v in value)
    if len(values) != 3 or min(values) <= 0:
        raise ValueError(f"{name} must be a positive integer or a tuple of 3 positive integers, got {value!r}")
    return values


def _pool3d(pool, x, pool_size, strides, padding):
    pool_size = _triple(pool_size, "pool_size")
    strides = pool_size if strides is None else _triple(strides, "strides")
    padding = str(padding).lower()
    x = as_input(x)
    n, depth, h, w, c = x.shape
    planes = pool(shaping.reshape(x, (n * depth, h, w, c)), pool_size[1:], strides[1:], padding)
    oh, ow = planes.shape[1:3]
    columns = shaping.reshape(planes, (n, depth, oh * ow, c))
    pooled = pool(columns, (pool_size[0], 1), (strides[0], 1), padding)
    return shaping.reshape(pooled, (n, pooled.shape[1], oh, ow, c))


def max_pool3d(x, pool_size=2, strides=None, padding="valid"):
    """3-D max pooling of an NDHWC batch; strides default to ``pool_size``."""
    return _pool3d(max_pool, x, pool_size, strides, padding)


def average_pool3d(x, pool_size=2, strides=None, padding="valid"):
    """3-D average pooling of an NDHWC batch (edge boxes of "same" padding average their real values)."""
    return _pool3d(average_pool, x, pool_size, strides, padding)
