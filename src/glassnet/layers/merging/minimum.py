"""Minimum: the element-wise minimum of a list of tensors."""

from glassnet import ops
from glassnet.layers.merging.base_merge import Merge


class Minimum(Merge):
    """``Minimum()([x1, x2, ...])``: at each position the smallest value (the gradient goes to it)."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.minimum(output, x)
        return output


def minimum(inputs, **kwargs):
    """Functional form: ``minimum([x, y])`` is ``Minimum()([x, y])``."""
    return Minimum(**kwargs)(inputs)
