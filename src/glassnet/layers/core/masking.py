"""Masking: skip the timesteps whose features all equal ``mask_value``."""

from glassnet import ops
from glassnet.layers.layer import Layer


class Masking(Layer):
    """``Masking(mask_value=0.0)``: timesteps of (batch, time, features) inputs whose features all equal
    ``mask_value`` are zeroed and masked out for the layers after it (recurrent layers skip them, losses
    and metrics ignore them).

    mask[b, t] = any(x[b, t, :] != mask_value);  y = x * mask[..., None]
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        data = inputs.data if hasattr(inputs, "data") else inputs
        return (data != self.mask_value).any(axis=-1)

    def call(self, inputs):
        keep = self.compute_mask(inputs)
        outputs = ops.multiply(inputs, keep[..., None].astype(inputs.dtype))
        outputs._keras_mask = keep
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
