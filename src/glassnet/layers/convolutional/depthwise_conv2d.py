"""DepthwiseConv2D: each input channel convolved with its own filters."""

from glassnet import ops
from glassnet.layers.convolutional.base_conv import BaseConv
from glassnet.utils.serialization import serialize_object


class DepthwiseConv2D(BaseConv):
    """``DepthwiseConv2D((3, 3), depth_multiplier=1)``: kernel (kh, kw, channels, depth_multiplier),
    output channels = channels * depth_multiplier."""

    rank = 2
    splits_batch = True  # its convolution op computes parts of the batch in parallel threads

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(f"DepthwiseConv2D: depth_multiplier must be a positive integer, got {depth_multiplier!r}")
        self.depth_multiplier = depth_multiplier
        super().__init__(depth_multiplier, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=depthwise_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=depthwise_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)

    def kernel_shape(self, channels):
        return self.kernel_size + (channels, self.depth_multiplier)

    def bias_size(self, channels):
        return channels * self.depth_multiplier

    @property
    def depthwise_kernel(self):
        return self.kernel

    def call(self, inputs):
        outputs = ops.depthwise_conv(inputs, self.kernel, self.bias, strides=self.strides, padding=self.padding,
                                     dilation_rate=self.dilation_rate, activation=self._fused())
        return self._activate(outputs)

    def compute_output_shape(self, input_shape):
        shape = super().compute_output_shape(input_shape)
        channels = input_shape[-1]
        return shape[:-1] + (None if channels is None else channels * self.depth_multiplier,)

    def get_config(self):
        config = super().get_config()
        for key in ("filters", "groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key, None)
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": serialize_object(self.kernel_initializer),
            "depthwise_regularizer": serialize_object(self.kernel_regularizer),
            "depthwise_constraint": serialize_object(self.kernel_constraint),
        })
        return config
