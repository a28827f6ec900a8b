"""Reshape: give each sample a new shape (one axis may be -1)."""

import math

from glassnet import ops
from glassnet.layers.layer import Layer


class Reshape(Layer):
    """``Reshape((7, 7, 16))``: (batch, 784) -> (batch, 7, 7, 16). The batch axis is kept."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if sum(1 for d in self.target_shape if d == -1) > 1:
            raise ValueError(f"Reshape '{self.name}': at most one -1 in target_shape, got {self.target_shape}")

    def _resolve(self, input_shape):
        size = None if any(d is None for d in input_shape[1:]) else math.prod(input_shape[1:])
        known = math.prod(d for d in self.target_shape if d != -1)
        if size is None:
            return self.target_shape
        if -1 in self.target_shape:
            if known == 0 or size % known:
                raise ValueError(
                    f"Reshape '{self.name}': cannot reshape samples of shape {tuple(input_shape[1:])} "
                    f"({size} values) to {self.target_shape}"
                )
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            raise ValueError(
                f"Reshape '{self.name}': target_shape {self.target_shape} holds {known} values, "
                f"but samples of shape {tuple(input_shape[1:])} hold {size}"
            )
        return self.target_shape

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0],) + self._resolve(inputs.shape))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(None if d == -1 else d for d in self._resolve(input_shape))

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config
