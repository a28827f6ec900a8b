"""SeparableConv2D: a depthwise convolution followed by a 1x1 (pointwise) convolution."""

from glassnet import constraints, initializers, ops, regularizers
from glassnet.layers.convolutional.base_conv import BaseConv
from glassnet.layers.input_spec import InputSpec
from glassnet.utils.serialization import serialize_object


class SeparableConv2D(BaseConv):
    """``SeparableConv2D(64, (3, 3))``: per-channel spatial filtering, then mixing channels.

    depthwise_kernel (kh, kw, C, depth_multiplier), pointwise_kernel (1, 1, C*depth_multiplier, filters).
    """

    rank = 2
    splits_batch = True  # its convolution op computes parts of the batch in parallel threads

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        channels = input_shape[-1]
        self._check_spatial(input_shape)
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (channels, self.depth_multiplier), initializer=self.depthwise_initializer,
            name="depthwise_kernel", regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            shape=self.pointwise_shape(channels), initializer=self.pointwise_initializer,
            name="pointwise_kernel", regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), initializer=self.bias_initializer, name="bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: channels})
        self.built = True

    def pointwise_shape(self, channels):
        """(1, 1, C*depth_multiplier, filters): a 1x1 convolution mixing the depthwise outputs."""
        return (1,) * self.rank + (channels * self.depth_multiplier, self.filters)

    def call(self, inputs):
        depthwise = ops.depthwise_conv(inputs, self.depthwise_kernel, None, strides=self.strides,
                                       padding=self.padding, dilation_rate=self.dilation_rate)
        outputs = ops.conv(depthwise, self.pointwise_kernel, self.bias, activation=self._fused())
        return self._activate(outputs)

    def _multiply_adds_per_position(self):
        """The depthwise and the pointwise products (there is no ``self.kernel``)."""
        return int(self.depthwise_kernel.size) + int(self.pointwise_kernel.size)

    def get_config(self):
        config = super().get_config()
        for key in ("groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key, None)
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": serialize_object(self.depthwise_initializer),
            "pointwise_initializer": serialize_object(self.pointwise_initializer),
            "depthwise_regularizer": serialize_object(self.depthwise_regularizer),
            "pointwise_regularizer": serialize_object(self.pointwise_regularizer),
            "depthwise_constraint": serialize_object(self.depthwise_constraint),
            "pointwise_constraint": serialize_object(self.pointwise_constraint),
        })
        return config
