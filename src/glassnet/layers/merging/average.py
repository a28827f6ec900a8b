"""Average: the element-wise mean of a list of tensors."""

from glassnet import ops
from glassnet.layers.merging.base_merge import Merge


class Average(Merge):
    """``Average()([x1, ..., xn]) = (x1 + ... + xn) / n``."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return ops.divide(output, float(len(inputs)))


def average(inputs, **kwargs):
    """Functional form: ``average([x, y])`` is ``Average()([x, y])``."""
    return Average(**kwargs)(inputs)
