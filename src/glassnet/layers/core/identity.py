"""Identity: a layer that returns its input unchanged (a placeholder, or a named tap in a graph)."""

from glassnet.layers.layer import Layer


class Identity(Layer):
    """y = x; the gradient passes through unchanged and a mask is carried along."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config()
