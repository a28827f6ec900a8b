"""DepthwiseConv1D: each channel of a sequence convolved with its own filters."""

from glassnet import ops
from glassnet.layers.channels_first import ChannelsFirst, standardize_data_format
from glassnet.layers.convolutional.depthwise_conv2d import DepthwiseConv2D


class DepthwiseConv1D(ChannelsFirst, DepthwiseConv2D):
    """``DepthwiseConv1D(3, depth_multiplier=2)``: kernel (k, channels, depth_multiplier),
    output channels = channels * depth_multiplier. Computed as DepthwiseConv2D over a height-1 image."""

    rank = 1

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=None, dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         **kwargs)
        self.data_format = standardize_data_format(self, data_format)

    def call_channels_last(self, inputs):
        outputs = ops.depthwise_conv(ops.expand_dims(inputs, 1), ops.expand_dims(self.kernel, 0), self.bias,
                                     strides=(1,) + self.strides, padding=self.padding,
                                     dilation_rate=(1,) + self.dilation_rate, activation=self._fused())
        return self._activate(ops.squeeze(outputs, 1))
