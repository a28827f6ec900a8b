"""Dot: the dot product of two tensors along one axis each, sample by sample (Keras' ``batch_dot``).

For ``x`` of shape (batch, n) and ``y`` of shape (batch, n), ``Dot(axes=1)``
gives (batch, 1): each sample's ``sum_i x_i y_i``. In general the axis
``axes[0]`` of ``x`` and ``axes[1]`` of ``y`` are summed over and the output
keeps the other axes of ``x`` then those of ``y`` (batch axis once):
``(b, m, n)`` and ``(b, n, k)`` with ``axes=(2, 1)`` give ``(b, m, k)``.
With ``normalize=True`` both are L2-normalized along their axis first, so
the output is the cosine similarity.
"""

import math

from glassnet import config, ops
from glassnet.layers.merging.base_merge import Merge, _who


class Dot(Merge):
    """``Dot(axes, normalize=False)([x, y])``; ``axes`` is an int or a pair, never the batch axis 0."""

    min_inputs = max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2 or not all(isinstance(a, int) for a in axes):
                raise ValueError(f"Dot: axes must be an int or a pair of ints, got {axes!r}")
        elif not isinstance(axes, int):
            raise TypeError(f"Dot: axes must be an int or a pair of ints, got {axes!r}")
        self.axes = axes
        self.normalize = normalize

    def _axes(self, rank1, rank2):
        pair = [self.axes, self.axes] if isinstance(self.axes, int) else list(self.axes)
        axes = [pair[0] % rank1, pair[1] % rank2]
        if 0 in axes:
            raise ValueError(f"{_who(self)} cannot take the dot product over the batch axis 0 (axes={self.axes})")
        return axes

    def build(self, input_shape):
        self._check_list(input_shape)
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(f"{_who(self)} needs inputs with a batch axis and at least one more, got "
                             f"{tuple(shape1)} and {tuple(shape2)}")
        a1, a2 = self._axes(len(shape1), len(shape2))
        if None not in (shape1[a1], shape2[a2]) and shape1[a1] != shape2[a2]:
            raise ValueError(f"{_who(self)}: the summed axes differ in size: axis {a1} of {tuple(shape1)} is "
                             f"{shape1[a1]}, axis {a2} of {tuple(shape2)} is {shape2[a2]}")
        shape1.pop(a1)
        shape2.pop(a2)
        output = shape1 + shape2[1:]
        return tuple(output + [1] if len(output) == 1 else output)

    def compute_mask(self, inputs, mask=None):
        """The dot product has no timesteps left to mask (as in Keras)."""
        return None

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"{_who(self)} must be called on a list of exactly 2 tensors")
        x, y = inputs
        a1, a2 = self._axes(x.ndim, y.ndim)
        if self.normalize:
            x, y = _l2_normalize(x, a1), _l2_normalize(y, a2)
        return batch_dot(x, y, a1, a2)

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def _l2_normalize(x, axis):
    """x / max(||x||, epsilon) along ``axis`` (Keras' ``ops.normalize``)."""
    epsilon = config.epsilon()
    squares = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return ops.divide(x, ops.sqrt(ops.maximum(squares, epsilon * epsilon)))


def batch_dot(x, y, a1, a2):
    """Sum ``x`` over its axis ``a1`` against ``y`` over ``a2``, sample by sample, with one matrix product."""
    x_rest = [d for i, d in enumerate(x.shape) if i not in (0, a1)]
    y_rest = [d for i, d in enumerate(y.shape) if i not in (0, a2)]
    batch = x.shape[0]
    x_order = [0] + [i for i in range(1, x.ndim) if i != a1] + [a1]
    y_order = [0, a2] + [i for i in range(1, y.ndim) if i != a2]
    x3 = ops.reshape(ops.transpose(x, x_order), (batch, math.prod(x_rest), x.shape[a1]))
    y3 = ops.reshape(ops.transpose(y, y_order), (batch, y.shape[a2], math.prod(y_rest)))
    output = ops.matmul(x3, y3)
    shape = [batch] + x_rest + y_rest
    return ops.reshape(output, shape + [1] if len(shape) == 1 else shape)


def dot(inputs, axes=-1, **kwargs):
    """Functional form: ``dot([x, y], axes)`` is ``Dot(axes)([x, y])``."""
    return Dot(axes=axes, **kwargs)(inputs)
