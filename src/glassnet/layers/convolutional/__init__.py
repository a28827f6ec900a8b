from glassnet.layers.convolutional.conv1d import Conv1D
from glassnet.layers.convolutional.conv1d_transpose import Conv1DTranspose
from glassnet.layers.convolutional.conv2d import Conv2D
from glassnet.layers.convolutional.conv2d_transpose import Conv2DTranspose
from glassnet.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from glassnet.layers.convolutional.separable_conv2d import SeparableConv2D
