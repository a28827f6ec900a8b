"""Conv3DTranspose: the transpose of a 3-D convolution, for upsampling volumes."""

from glassnet.layers.channels_first import ChannelsFirst, standardize_data_format
from glassnet.layers.convolutional.base_conv import BaseConv, normalize_tuple
from glassnet.ops.convolution3d import conv3d_transpose, transpose_output_size


class Conv3DTranspose(ChannelsFirst, BaseConv):
    """``Conv3DTranspose(4, 3, strides=2, padding="same")`` doubles depth, height and width.

    kernel shape (kd, kh, kw, filters, in_channels), as in Keras. Output size per axis:
    "same": size * stride; "valid": size * stride + max(kernel - stride, 0); with
    output_padding: (size - 1) * stride + kernel - 2 * pad + output_padding.
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 output_padding=None, dilation_rate=(1, 1, 1), activation=None, use_bias=True, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=None,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias, **kwargs)
        self.data_format = standardize_data_format(self, data_format)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, 3, "Conv3DTranspose output_padding") \
                if output_padding != 0 and output_padding != (0, 0, 0) else (0, 0, 0)
            if any(o >= s for o, s in zip(self.output_padding, self.strides)):
                raise ValueError(f"Conv3DTranspose '{self.name}': output_padding {self.output_padding} must be "
                                 f"smaller than strides {self.strides}")

    def kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def _check_spatial(self, input_shape):
        return None

    def call_channels_last(self, inputs):
        outputs = conv3d_transpose(inputs, self.kernel, self.bias, strides=self.strides, padding=self.padding,
                                   output_padding=self.output_padding, dilation_rate=self.dilation_rate)
        return self.activation(outputs) if self.activation is not None else outputs

    def output_shape_channels_last(self, input_shape):
        extra = self.output_padding or (None,) * 3
        sizes = tuple(transpose_output_size(size, k, s, self.padding, o, d) for size, k, s, o, d in
                      zip(input_shape[1:4], self.kernel_size, self.strides, extra, self.dilation_rate))
        return (input_shape[0],) + sizes + (self.filters,)

    def get_config(self):
        config = super().get_config()
        config.pop("groups", None)
        config["output_padding"] = None if self.output_padding is None else list(self.output_padding)
        return config

Convolution3DTranspose = Conv3DTranspose
