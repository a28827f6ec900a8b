"""Maximum: the element-wise maximum of a list of tensors."""

from glassnet import ops
from glassnet.layers.merging.base_merge import Merge


class Maximum(Merge):
    """``Maximum()([x1, x2, ...])``: at each position the largest value (the gradient goes to it)."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.maximum(output, x)
        return output


def maximum(inputs, **kwargs):
    """Functional form: ``maximum([x, y])`` is ``Maximum()([x, y])``."""
    return Maximum(**kwargs)(inputs)
