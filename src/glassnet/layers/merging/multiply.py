"""Multiply: the element-wise product of a list of tensors (gating)."""

from glassnet import ops
from glassnet.layers.merging.base_merge import Merge


class Multiply(Merge):
    """``Multiply()([x1, x2, ...]) = x1 * x2 * ...``."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.multiply(output, x)
        return output


def multiply(inputs, **kwargs):
    """Functional form: ``multiply([x, y])`` is ``Multiply()([x, y])``."""
    return Multiply(**kwargs)(inputs)
