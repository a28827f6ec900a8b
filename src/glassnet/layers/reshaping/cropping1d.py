"""Cropping1D: cut steps off the start and end of each sequence."""

from glassnet import ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.reshaping._arguments import int_tuple


class Cropping1D(Layer):
    """(batch, steps, features) -> (batch, steps - start - end, features).

    ``cropping`` is an int (both ends) or a pair ``(start, end)``.
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = int_tuple(self, cropping, 2, "cropping")
        self.input_spec = InputSpec(ndim=3)

    def _check(self, shape):
        if shape[1] is not None and sum(self.cropping) >= shape[1]:
            raise ValueError(
                f"Cropping1D '{self.name}': cropping {self.cropping} must be smaller than the input length, "
                f"got inputs of shape {tuple(shape)}"
            )

    def call(self, inputs):
        self._check(inputs.shape)
        start, end = self.cropping
        if not (start or end):
            return inputs
        return ops.get_item(inputs, (slice(None), slice(start, inputs.shape[1] - end)))

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        batch, steps, features = input_shape
        return (batch, None if steps is None else steps - sum(self.cropping), features)

    def get_config(self):
        config = super().get_config()
        config["cropping"] = list(self.cropping)
        return config
