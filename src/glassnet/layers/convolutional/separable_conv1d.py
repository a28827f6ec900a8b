"""SeparableConv1D: a depthwise convolution of a sequence followed by a pointwise (size-1) convolution."""

from glassnet import ops
from glassnet.layers.channels_first import ChannelsFirst, standardize_data_format
from glassnet.layers.convolutional.separable_conv2d import SeparableConv2D


class SeparableConv1D(ChannelsFirst, SeparableConv2D):
    """``SeparableConv1D(16, 3)``: per-channel filtering along the steps, then mixing channels.

    depthwise_kernel (k, C, depth_multiplier), pointwise_kernel (1, C*depth_multiplier, filters);
    computed as SeparableConv2D over a height-1 image.
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=None,
                         dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, activation=activation,
                         use_bias=use_bias, **kwargs)
        self.data_format = standardize_data_format(self, data_format)

    def call_channels_last(self, inputs):
        x = ops.expand_dims(inputs, 1)
        depthwise = ops.depthwise_conv(x, ops.expand_dims(self.depthwise_kernel, 0), None,
                                       strides=(1,) + self.strides, padding=self.padding,
                                       dilation_rate=(1,) + self.dilation_rate)
        outputs = ops.conv(depthwise, ops.expand_dims(self.pointwise_kernel, 0), self.bias,
                           activation=self._fused())
        return self._activate(ops.squeeze(outputs, 1))

SeparableConvolution1D = SeparableConv1D
