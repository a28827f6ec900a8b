"""Conv1DTranspose: the transpose of a 1-D convolution, for upsampling sequences."""

from glassnet import ops
from glassnet.layers.convolutional.base_conv import BaseConv
from glassnet.ops.convolution import transpose_output_hw


class Conv1DTranspose(BaseConv):
    """``Conv1DTranspose(16, 3, strides=2, padding="same")`` doubles the number of steps.

    kernel shape (k, filters, in_channels), as in Keras. Output length:
    "same": steps * stride; "valid": steps * stride + max(k - stride, 0); with output_padding:
    (steps - 1) * stride + k - 2 * pad + output_padding. Computed as Conv2DTranspose over a height-1 image.
    """

    rank = 1
    splits_batch = True  # its op computes parts of the batch in parallel threads

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias, **kwargs)
        if isinstance(output_padding, (list, tuple)):
            output_padding = output_padding[0] if len(output_padding) == 1 else output_padding
        if output_padding is not None and (not isinstance(output_padding, int) or output_padding < 0
                                           or output_padding >= self.strides[0]):
            raise ValueError(f"Conv1DTranspose '{self.name}': output_padding must be a non-negative integer smaller "
                             f"than strides {self.strides[0]}, got {output_padding!r}")
        self.output_padding = None if output_padding is None else (output_padding,)

    def kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def _check_spatial(self, input_shape):
        return None

    def _two_d(self, value, one):
        return (one,) + tuple(value) if value is not None else None

    def call(self, inputs):
        outputs = ops.conv_transpose(ops.expand_dims(inputs, 1), ops.expand_dims(self.kernel, 0), self.bias,
                                     strides=self._two_d(self.strides, 1), padding=self.padding,
                                     output_padding=self._two_d(self.output_padding, 0),
                                     dilation_rate=self._two_d(self.dilation_rate, 1), activation=self._fused())
        return self._activate(ops.squeeze(outputs, 1))

    def compute_output_shape(self, input_shape):
        _, length = transpose_output_hw((1, input_shape[1]), (1,) + self.kernel_size, self._two_d(self.strides, 1),
                                        self.padding, self._two_d(self.output_padding, 0),
                                        self._two_d(self.dilation_rate, 1))
        return (input_shape[0], length, self.filters)

    def get_config(self):
        config = super().get_config()
        config.pop("groups", None)
        config["output_padding"] = None if self.output_padding is None else list(self.output_padding)
        return config
