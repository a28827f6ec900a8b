"""Conv2DTranspose: the transpose of a convolution, for upsampling ("deconvolution")."""

from glassnet import ops
from glassnet.layers.convolutional.base_conv import BaseConv
from glassnet.ops.convolution import transpose_output_hw


class Conv2DTranspose(BaseConv):
    """``Conv2DTranspose(16, (3, 3), strides=2, padding="same")`` doubles height and width.

    kernel shape (kh, kw, filters, in_channels), as in Keras. Output size per axis:
    "same": size * stride; "valid": size * stride + max(kernel - stride, 0); with
    output_padding: (size - 1) * stride + kernel - 2 * pad + output_padding.
    """

    rank = 2
    splits_batch = True  # its op computes parts of the batch in parallel threads

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias, **kwargs)
        self.output_padding = None if output_padding is None else _non_negative_pair(output_padding)
        if self.output_padding is not None and any(o >= s for o, s in zip(self.output_padding, self.strides)):
            raise ValueError(f"Conv2DTranspose '{self.name}': output_padding {self.output_padding} must be smaller "
                             f"than strides {self.strides}")

    def kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def _check_spatial(self, input_shape):
        return None

    def call(self, inputs):
        outputs = ops.conv_transpose(inputs, self.kernel, self.bias, strides=self.strides, padding=self.padding,
                                     output_padding=self.output_padding, dilation_rate=self.dilation_rate,
                                     activation=self._fused())
        return self._activate(outputs)

    def compute_output_shape(self, input_shape):
        height, width = transpose_output_hw(input_shape[1:3], self.kernel_size, self.strides, self.padding,
                                            self.output_padding, self.dilation_rate)
        return (input_shape[0], height, width, self.filters)

    def get_config(self):
        config = super().get_config()
        config.pop("groups", None)
        config["output_padding"] = None if self.output_padding is None else list(self.output_padding)
        return config


def _non_negative_pair(value):
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and v >= 0 for v in pair):
        raise ValueError(f"Conv2DTranspose output_padding must be a non-negative int or pair, got {value!r}")
    return pair
