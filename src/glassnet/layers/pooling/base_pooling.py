"""What max and average pooling share: pool size, strides, padding, output shape."""

from glassnet.layers.convolutional.base_conv import normalize_tuple
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.ops.windows import output_length


class BasePooling(Layer):
    """Pooling over ``rank`` spatial axes (channels last); strides default to the pool size."""

    rank = 2

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.pool_size = normalize_tuple(pool_size, self.rank, f"{cls} pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, f"{cls} strides")
        self.padding = str(padding).lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"{cls} '{self.name}': padding must be 'valid' or 'same', got {padding!r}")
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{cls} '{self.name}': only data_format='channels_last' is supported")
        self.data_format = "channels_last"
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def _check_inputs(self, spec, inputs):
        """The input spec, then the spatial size (a pool larger than the input names this layer)."""
        super()._check_inputs(spec, inputs)
        self.compute_output_shape(tuple(inputs.shape))

    def compute_output_shape(self, input_shape):
        spatial = []
        for size, pool, stride in zip(input_shape[1:-1], self.pool_size, self.strides):
            if size is not None and self.padding == "valid" and size < pool:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': the pool size {self.pool_size} is larger than the input's "
                    f"spatial size {tuple(input_shape[1:-1])} with padding='valid'"
                )
            spatial.append(None if size is None else output_length(size, pool, stride, 1, self.padding))
        return (input_shape[0],) + tuple(spatial) + (input_shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.update({"pool_size": list(self.pool_size), "strides": list(self.strides), "padding": self.padding,
                       "data_format": self.data_format})
        return config
