"""UnitNormalization: scale each sample to unit L2 norm over ``axis``.

    y = x / max(||x||_2, 1e-12),  ||x||_2 = sqrt(sum x^2) over ``axis``

Computed as x / sqrt(max(sum x^2, 1e-24)) so that an all-zero input has a
finite gradient. No weights.
"""

from glassnet import ops
from glassnet.layers.layer import Layer

_EPSILON = 1e-12  # Keras' floor on the norm


class UnitNormalization(Layer):
    """Divide by the L2 norm over ``axis`` (an int or a list of ints; Keras' default -1)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise ValueError(f"UnitNormalization '{self.name}': `axis` must be an int or a list of ints, "
                             f"got axis={axis!r}")
        self.axis = axes if isinstance(axis, (list, tuple)) else axis
        self.supports_masking = True

    def build(self, input_shape):
        self._axes(len(input_shape))
        self.built = True

    def _axes(self, rank):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        if any(not -rank <= a < rank for a in axes):
            raise ValueError(f"UnitNormalization '{self.name}': axis {self.axis} is out of range for inputs of "
                             f"rank {rank}")
        return tuple(a % rank for a in axes)

    def call(self, inputs):
        squares = ops.sum(ops.square(inputs), axis=self._axes(inputs.ndim), keepdims=True)
        return ops.divide(inputs, ops.sqrt(ops.maximum(squares, _EPSILON * _EPSILON)))

    def compute_output_shape(self, input_shape):
        self._axes(len(input_shape))
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
