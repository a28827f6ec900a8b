"""Conv2D: 2-D convolution over (batch, height, width, channels) images."""

from glassnet import ops
from glassnet.layers.convolutional.base_conv import BaseConv


class Conv2D(BaseConv):
    """``Conv2D(32, (3, 3), activation="relu")``: 32 filters of 3x3 over all input channels.

    kernel shape (kh, kw, in_channels, filters); padding "valid" or "same";
    strides and dilation_rate as ints or pairs.
    """

    rank = 2
    splits_batch = True  # its convolution op computes parts of the batch in parallel threads

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         **kwargs)

    def call(self, inputs):
        outputs = ops.conv(inputs, self.kernel, self.bias, strides=self.strides, padding=self.padding,
                           dilation_rate=self.dilation_rate, activation=self._fused())
        return self._activate(outputs)
