"""Conv3D: 3-D convolution over (batch, depth, height, width, channels) volumes."""

from glassnet.layers.channels_first import ChannelsFirst, standardize_data_format
from glassnet.layers.convolutional.base_conv import BaseConv
from glassnet.ops.convolution3d import conv3d


class Conv3D(ChannelsFirst, BaseConv):
    """``Conv3D(8, 3)``: 8 filters of 3x3x3 over all input channels.

    kernel shape (kd, kh, kw, in_channels, filters); padding "valid" or "same";
    y = act(conv3d(x, K) + b), computed as one 2-D convolution over stacked depth windows
    (ops/convolution3d.py). data_format "channels_last" (N, D, H, W, C) or "channels_first" (N, C, D, H, W).
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=None,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         **kwargs)
        self.data_format = standardize_data_format(self, data_format)

    def call_channels_last(self, inputs):
        outputs = conv3d(inputs, self.kernel, self.bias, strides=self.strides, padding=self.padding,
                         dilation_rate=self.dilation_rate, activation=self._fused())
        return self._activate(outputs)

Convolution3D = Conv3D
