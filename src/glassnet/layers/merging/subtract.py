"""Subtract: the difference of exactly two tensors."""

from glassnet import ops
from glassnet.layers.merging.base_merge import Merge


class Subtract(Merge):
    """``Subtract()([x1, x2]) = x1 - x2``."""

    min_inputs = max_inputs = 2

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError(f"Subtract '{self.name}' takes exactly 2 inputs, got {len(inputs)}")
        return ops.subtract(inputs[0], inputs[1])


def subtract(inputs, **kwargs):
    """Functional form: ``subtract([x, y])`` is ``Subtract()([x, y])``."""
    return Subtract(**kwargs)(inputs)
