"""ConvLSTM3D: a ConvLSTM over sequences of volumes (batch, time, depth, rows, cols, channels)."""

from glassnet.layers.rnn.conv_lstm import ConvLSTM, ConvLSTMCell
from glassnet.ops.convolution3d import conv3d


class ConvLSTM3DCell(ConvLSTMCell):
    """The ConvLSTM cell whose products are 3-D convolutions; states h, c are (batch, d', h', w', filters)."""

    rank = 3

    def _conv(self, x, kernel, bias, strides, padding, dilation):
        return conv3d(x, kernel, bias, strides=strides, padding=padding, dilation_rate=dilation)


class ConvLSTM3D(ConvLSTM):
    """``ConvLSTM3D(filters, kernel_size)``: inputs (batch, time, depth, rows, cols, channels)."""

    rank = 3
    cell_class = ConvLSTM3DCell

    def _check_sequence_shape(self, shape):
        if len(shape) != 6:
            raise ValueError(f"ConvLSTM3D '{self.name}' expects inputs of shape (batch, time, depth, rows, cols, "
                             f"channels), got shape {tuple(shape)}")
