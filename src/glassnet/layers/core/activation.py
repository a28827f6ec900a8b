"""Activation: apply an activation function as a layer of its own."""

from glassnet import activations
from glassnet.layers.layer import Layer


class Activation(Layer):
    """``Activation("relu")``: the named function applied element-wise (softmax on the last axis)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config
