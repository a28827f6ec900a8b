"""Global pooling: one value per channel, over all spatial positions."""

from glassnet import ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer, mask_array


class _GlobalPooling(Layer):
    rank = 2
    reduce = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{type(self).__name__}: only data_format='channels_last' is supported")
        self.data_format, self.keepdims = "channels_last", keepdims
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        return type(self).reduce(inputs, axis=tuple(range(1, self.rank + 1)), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        if self.keepdims:
            return (input_shape[0],) + (1,) * self.rank + (input_shape[-1],)
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over height and width: (N, H, W, C) -> (N, C)."""

    reduce = staticmethod(ops.mean)


class GlobalMaxPooling2D(_GlobalPooling):
    """Maximum over height and width: (N, H, W, C) -> (N, C)."""

    reduce = staticmethod(ops.max)


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over steps: (N, L, C) -> (N, C); with a mask, over the unmasked steps only.

    y[n, c] = sum_t m[n, t] x[n, t, c] / sum_t m[n, t]   (m = 1 everywhere without a mask)
    """

    rank = 1
    reduce = staticmethod(ops.mean)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        weights = mask_array(mask).astype(inputs.dtype)[..., None]
        total = ops.sum(ops.multiply(inputs, weights), axis=1, keepdims=self.keepdims)
        return ops.divide(total, weights.sum(axis=1, keepdims=self.keepdims))

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_GlobalPooling):
    """Maximum over steps: (N, L, C) -> (N, C)."""

    rank = 1
    reduce = staticmethod(ops.max)
