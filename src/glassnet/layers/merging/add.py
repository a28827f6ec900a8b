"""Add: the element-wise sum of a list of tensors (residual connections)."""

from glassnet import ops
from glassnet.layers.merging.base_merge import Merge


class Add(Merge):
    """``Add()([x1, x2, ...]) = x1 + x2 + ...``; the gradient reaches each input unchanged."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return output


def add(inputs, **kwargs):
    """Functional form: ``add([x, y])`` is ``Add()([x, y])``."""
    return Add(**kwargs)(inputs)
