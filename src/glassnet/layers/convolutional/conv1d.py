"""Conv1D: 1-D convolution over (batch, steps, channels) sequences."""

from glassnet import ops
from glassnet.layers.convolutional.base_conv import BaseConv
from glassnet.ops.windows import output_length


class Conv1D(BaseConv):
    """``Conv1D(64, 3)``: convolution along the steps axis; kernel shape (k, in_channels, filters).

    padding "valid", "same" or "causal" (left-padded so step t sees only steps <= t).
    Computed as a 2-D convolution over a height-1 image.
    """

    rank = 1
    splits_batch = True  # its convolution op computes parts of the batch in parallel threads
    paddings = ("valid", "same", "causal")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         **kwargs)

    def call(self, inputs):
        x = ops.expand_dims(inputs, 1)  # (N, 1, L, C)
        padding = self.padding
        if padding == "causal":
            left = (self.kernel_size[0] - 1) * self.dilation_rate[0]
            x = ops.pad(x, ((0, 0), (0, 0), (left, 0), (0, 0)))
            padding = "valid"
        kernel = ops.expand_dims(self.kernel, 0)  # (1, k, C, F)
        outputs = ops.conv(x, kernel, self.bias, strides=(1, self.strides[0]), padding=padding,
                           dilation_rate=(1, self.dilation_rate[0]), activation=self._fused())
        return self._activate(ops.squeeze(outputs, 1))

    def compute_output_shape(self, input_shape):
        size = input_shape[1]
        if size is not None:
            if self.padding == "causal":
                size = output_length(size + (self.kernel_size[0] - 1) * self.dilation_rate[0], self.kernel_size[0],
                                     self.strides[0], self.dilation_rate[0], "valid")
            else:
                self._check_spatial(input_shape)
                size = output_length(size, self.kernel_size[0], self.strides[0], self.dilation_rate[0], self.padding)
        return (input_shape[0], size, self.filters)
