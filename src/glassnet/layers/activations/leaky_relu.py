"""LeakyReLU: f(x) = x for x >= 0, negative_slope * x below (Keras' default slope 0.3)."""

import numbers
import warnings

from glassnet import ops
from glassnet.layers.layer import Layer


class LeakyReLU(Layer):
    """f(x) = x if x >= 0 else negative_slope * x;  f'(x) = 1 or negative_slope.

    ``alpha`` is accepted as the deprecated name of ``negative_slope``, as in Keras 3.
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("LeakyReLU: argument `alpha` is deprecated. Use `negative_slope` instead.", stacklevel=2)
        super().__init__(**kwargs)
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, numbers.Real) \
                or not negative_slope >= 0:
            raise ValueError(f"LeakyReLU '{self.name}': `negative_slope` must be a non-negative number, "
                             f"got negative_slope={negative_slope!r}")
        self.negative_slope = float(negative_slope)
        self.supports_masking = True

    def call(self, inputs):
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config
