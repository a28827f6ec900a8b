"""ReLU: the rectifier with Keras' three knobs (ceiling, slope below the threshold, threshold)."""

import numbers

from glassnet import ops
from glassnet.layers.layer import Layer


def _check(layer, name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        kind = "None or a non-negative number" if allow_none else "a non-negative number"
        raise ValueError(f"{type(layer).__name__} '{layer.name}': `{name}` must be {kind}, got {name}={value!r}")
    return float(value)


class ReLU(Layer):
    """f(x) = max_value                         for x >= max_value
            x                                 for threshold <= x < max_value
            negative_slope (x - threshold)    for x < threshold

    The defaults (no ceiling, slope 0, threshold 0) give max(x, 0). The
    derivative is 1 on the middle piece, ``negative_slope`` below it, 0 above.
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _check(self, "max_value", max_value, allow_none=True)
        self.negative_slope = _check(self, "negative_slope", negative_slope)
        self.threshold = _check(self, "threshold", threshold)
        self.supports_masking = True

    def call(self, inputs):
        if self.threshold == 0:
            outputs = ops.relu(inputs) if self.negative_slope == 0 else \
                ops.leaky_relu(inputs, negative_slope=self.negative_slope)
        else:
            below = ops.multiply(ops.subtract(inputs, self.threshold), self.negative_slope)
            outputs = ops.where(inputs.data >= self.threshold, inputs, below)
        if self.max_value is not None:
            outputs = ops.minimum(outputs, self.max_value)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config
