"""What every convolution layer shares: arguments, weights, config, shape checks."""

from glassnet.layers.input_spec import InputSpec
from glassnet.layers.kernel_bias import add_kernel_and_bias, kernel_bias_config, set_kernel_bias_arguments
from glassnet.layers.layer import Layer
from glassnet.ops.windows import output_length


def normalize_tuple(value, rank, name):
    """``3`` -> ``(3, 3)`` for rank 2; a tuple is checked for length and positive ints."""
    if isinstance(value, int):
        value = (value,) * rank
    value = tuple(value)
    if len(value) != rank or not all(isinstance(v, int) and v > 0 for v in value):
        raise ValueError(f"{name} must be a positive integer or a tuple of {rank} positive integers, got {value!r}")
    return value


class BaseConv(Layer):
    """Shared constructor and weights of Conv1D/Conv2D (``rank`` spatial axes, channels last)."""

    rank = 2
    paddings = ("valid", "same")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{cls} '{self.name}': filters must be a positive integer, got {filters!r}")
        self.filters = filters
        self.kernel_size = normalize_tuple(kernel_size, self.rank, f"{cls} kernel_size")
        self.strides = normalize_tuple(strides, self.rank, f"{cls} strides")
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, f"{cls} dilation_rate")
        self.padding = str(padding).lower()
        if self.padding not in self.paddings:
            raise ValueError(f"{cls} '{self.name}': padding must be one of {self.paddings}, got {padding!r}")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{cls} '{self.name}': strides > 1 cannot be combined with dilation_rate > 1 "
                             f"(got strides={self.strides}, dilation_rate={self.dilation_rate})")
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{cls} '{self.name}': only data_format='channels_last' is supported, got {data_format!r}")
        if groups != 1:
            raise ValueError(f"{cls} '{self.name}': groups other than 1 are not supported, got {groups!r}")
        self.data_format, self.groups = "channels_last", 1
        set_kernel_bias_arguments(self, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                                  bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def kernel_shape(self, channels):
        return self.kernel_size + (channels, self.filters)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(f"{type(self).__name__} '{self.name}' needs a known channels axis, got {input_shape}")
        self._check_spatial(input_shape)
        add_kernel_and_bias(self, kernel_shape=self.kernel_shape(channels), bias_size=self.bias_size(channels))
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: channels})
        self.built = True

    def bias_size(self, channels):
        return self.filters

    def _check_spatial(self, input_shape):
        """A kernel larger than the input with 'valid' padding is an error, said before anything is built."""
        if self.padding != "valid":
            return
        for size, k, d in zip(input_shape[1:-1], self.kernel_size, self.dilation_rate):
            if size is not None and size < (k - 1) * d + 1:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': the kernel {self.kernel_size} (dilation "
                    f"{self.dilation_rate}) is larger than the input's spatial size {tuple(input_shape[1:-1])} "
                    "with padding='valid'. Use padding='same', a smaller kernel, or a larger input"
                )

    def _check_inputs(self, spec, inputs):
        """The input spec, then the spatial size: a built layer named in the error, not a bare op message."""
        super()._check_inputs(spec, inputs)
        self._check_spatial(tuple(inputs.shape))

    def _activate(self, outputs):
        return outputs if self._fusable else self.activation(outputs)

    def _fused(self):
        return self._fused_name if self._fusable else None

    def compute_output_shape(self, input_shape):
        self._check_spatial(input_shape)
        spatial = tuple(
            None if size is None else output_length(size, k, s, d, "same" if self.padding != "valid" else "valid")
            for size, k, s, d in zip(input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate)
        )
        return (input_shape[0],) + spatial + (self.filters,)

    def multiply_adds(self):
        """Multiply-adds per sample (for the BLAS thread choice), known once built."""
        shape = self._build_shapes
        if not self.built or shape is None:
            return 0
        out = self.compute_output_shape(shape)
        positions = 1
        for size in out[1:-1]:
            positions *= size or 1
        return positions * self._multiply_adds_per_position()

    def _multiply_adds_per_position(self):
        return int(self.kernel.size)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters, "kernel_size": list(self.kernel_size), "strides": list(self.strides),
            "padding": self.padding, "data_format": self.data_format, "dilation_rate": list(self.dilation_rate),
            "groups": self.groups, **kernel_bias_config(self),
        })
        return config
