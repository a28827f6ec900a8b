"""ELU: the exponential linear unit, f(x) = x for x > 0, alpha (e^x - 1) otherwise."""

import numbers

from glassnet import ops
from glassnet.layers.layer import Layer


class ELU(Layer):
    """f(x) = x if x > 0 else alpha (exp(x) - 1);  f'(x) = 1 or alpha exp(x)."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
            raise ValueError(f"ELU '{self.name}': `alpha` must be a number, got alpha={alpha!r}")
        self.alpha = float(alpha)
        self.supports_masking = True

    def call(self, inputs):
        return ops.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):  # Keras 3 leaves alpha out of its config; writing it keeps a non-default alpha
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
