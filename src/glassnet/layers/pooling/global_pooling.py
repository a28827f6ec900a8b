"""Global pooling: one value per channel, over all spatial positions."""

from glassnet import ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer


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
    """Mean over steps: (N, L, C) -> (N, C)."""

    rank = 1
    reduce = staticmethod(ops.mean)


class GlobalMaxPooling1D(_GlobalPooling):
    """Maximum over steps: (N, L, C) -> (N, C)."""

    rank = 1
    reduce = staticmethod(ops.max)
