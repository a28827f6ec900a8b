"""Flatten: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...)."""

import math

from glassnet import ops
from glassnet.layers.layer import Layer


class Flatten(Layer):
    """Flatten every axis but the batch axis (a view, no copy)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
