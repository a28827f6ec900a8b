"""ConvLSTM1D / ConvLSTM2D: an LSTM whose products are convolutions (Shi et al., 2015), and its cell.

Inputs are sequences of images (batch, time, rows, cols, channels) for 2-D
(sequences of sequences, (batch, time, steps, channels), for 1-D); the
states h and c are images (batch, rows', cols', filters).
"""

from glassnet import activations, constraints, initializers, ops, regularizers
from glassnet.layers.convolutional.base_conv import normalize_tuple
from glassnet.layers.layer import Layer
from glassnet.layers.rnn import cell_arguments as args
from glassnet.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from glassnet.layers.rnn.lstm import _UnitForgetBias
from glassnet.layers.rnn.rnn import RNN, forward_to_cell
from glassnet.ops.windows import output_length


class ConvLSTMCell(DropoutRNNCell, Layer):
    """One step of a ConvLSTM, gates in Keras' order i, f, c, o (``*`` is a convolution)::

        z = W * x_t + U * h_{t-1} + b      (W: kernel (k..., in, 4 filters) with ``padding`` and ``strides``;
                                             U: recurrent_kernel (k..., filters, 4 filters), "same", stride 1)
        i, f, o = recurrent_activation(z_i, z_f, z_o)      g = activation(z_c)
        c_t = f c_{t-1} + i g              h_t = o activation(c_t)
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        cls = type(self).__name__
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{cls}: filters must be a positive integer, got {filters!r}")
        if str(padding).lower() not in ("valid", "same"):
            raise ValueError(f"{cls}: padding must be 'valid' or 'same', got {padding!r}")
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{cls}: only data_format='channels_last' is supported, got {data_format!r}")
        super().__init__(**kwargs)
        self.filters, self.padding, self.data_format = filters, str(padding).lower(), "channels_last"
        self.kernel_size = normalize_tuple(kernel_size, self.rank, f"{cls} kernel_size")
        self.strides = normalize_tuple(strides, self.rank, f"{cls} strides")
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, f"{cls} dilation_rate")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias, self.unit_forget_bias = bool(use_bias), bool(unit_forget_bias)
        for name, value, module in (
                ("kernel_initializer", kernel_initializer, initializers),
                ("recurrent_initializer", recurrent_initializer, initializers),
                ("bias_initializer", bias_initializer, initializers),
                ("kernel_regularizer", kernel_regularizer, regularizers),
                ("recurrent_regularizer", recurrent_regularizer, regularizers),
                ("bias_regularizer", bias_regularizer, regularizers),
                ("kernel_constraint", kernel_constraint, constraints),
                ("recurrent_constraint", recurrent_constraint, constraints),
                ("bias_constraint", bias_constraint, constraints)):
            setattr(self, name, module.get(value))
        self._init_dropout(dropout, recurrent_dropout, seed)
        self.dropout_mask_count = 4
        self.state_size = [filters, filters]  # channels of h and c; their full shape is state_shape(batch)

    def build(self, input_shape):
        spatial, channels = tuple(input_shape[1:-1]), input_shape[-1]
        if len(spatial) != self.rank or None in spatial or channels is None:
            raise ValueError(f"{type(self).__name__} '{self.name}' needs steps of known shape (batch, "
                             f"{'rows, cols' if self.rank == 2 else 'steps'}, channels), got {tuple(input_shape)}")
        self.spatial_dims, self.input_dim = spatial, channels
        self.kernel = self.add_weight(
            shape=self.kernel_size + (channels, 4 * self.filters), initializer=self.kernel_initializer,
            name="kernel", regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, 4 * self.filters), initializer=self.recurrent_initializer,
            name="recurrent_kernel", regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            initializer = _UnitForgetBias(self.bias_initializer, self.filters) if self.unit_forget_bias \
                else self.bias_initializer
            self.bias = self.add_weight(shape=(4 * self.filters,), initializer=initializer, name="bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def state_shape(self, batch_size):
        """(batch, rows', cols', filters): the shape of h and c for steps of ``spatial_dims``."""
        sizes = [output_length(size, k, s, d, self.padding)
                 for size, k, s, d in zip(self.spatial_dims, self.kernel_size, self.strides, self.dilation_rate)]
        return (batch_size, *sizes, self.filters)

    def _conv(self, x, kernel, bias, strides, padding, dilation):
        if self.rank == 2:
            return ops.conv(x, kernel, bias, strides=strides, padding=padding, dilation_rate=dilation)
        out = ops.conv(ops.expand_dims(x, 1), ops.expand_dims(kernel, 0), bias, strides=(1,) + tuple(strides),
                       padding=padding, dilation_rate=(1,) + tuple(dilation))
        return ops.squeeze(out, 1)

    def _gates(self, x, h, training):
        """z for the four gates, as one array (..., 4 filters), or four arrays when dropout masks differ per gate."""
        x_masks = self.get_dropout_mask(x) if training and 0.0 < self.dropout < 1.0 else None
        h_masks = self.get_recurrent_dropout_mask(h) if training and 0.0 < self.recurrent_dropout < 1.0 else None
        if x_masks is None and h_masks is None:
            z = self._conv(x, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate)
            return ops.add(z, self._conv(h, self.recurrent_kernel, None, (1,) * self.rank, "same", (1,) * self.rank))
        parts, f = [], self.filters
        for gate in range(4):
            block = (Ellipsis, slice(gate * f, (gate + 1) * f))
            xg = x if x_masks is None else ops.multiply(x, x_masks[gate])
            hg = h if h_masks is None else ops.multiply(h, h_masks[gate])
            bias = None if self.bias is None else ops.get_item(self.bias, slice(gate * f, (gate + 1) * f))
            zg = self._conv(xg, ops.get_item(self.kernel, block), bias, self.strides, self.padding, self.dilation_rate)
            parts.append(ops.add(zg, self._conv(hg, ops.get_item(self.recurrent_kernel, block), None,
                                                (1,) * self.rank, "same", (1,) * self.rank)))
        return ops.concatenate(parts, axis=-1)

    def call(self, inputs, states, training=False):
        h_previous, c_previous = states[0], states[1]
        z = self._gates(inputs, h_previous, training)
        f = self.filters
        i, forget, g, o = (ops.get_item(z, (Ellipsis, slice(k * f, (k + 1) * f))) for k in range(4))
        c = ops.add(ops.multiply(self.recurrent_activation(forget), c_previous),
                    ops.multiply(self.recurrent_activation(i), self.activation(g)))
        h = ops.multiply(self.recurrent_activation(o), self.activation(c))
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update(_conv_lstm_entries(self))
        return config


def _conv_lstm_entries(cell, layer=None):
    """Keras' config entries of a ConvLSTM cell (and of the layer holding it, with ``layer``)."""
    return args.config_entries(cell, layer, size_entries={
        "filters": cell.filters, "kernel_size": list(cell.kernel_size), "strides": list(cell.strides),
        "padding": cell.padding, "data_format": cell.data_format, "dilation_rate": list(cell.dilation_rate)})


class ConvLSTM(RNN):
    """Base of ConvLSTM1D/2D: the RNN machinery over image-shaped steps and states."""

    rank = 2
    cell_class = None

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, **kwargs):
        cell = self.cell_class(
            filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, name="conv_lstm_cell", dtype=kwargs.get("dtype"))
        kwargs.pop("unroll", None)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, activity_regularizer=activity_regularizer,
                         **kwargs)

    def _check_sequence_shape(self, shape):
        if len(shape) != self.rank + 3:
            what = "rows, cols, channels" if self.rank == 2 else "steps, channels"
            raise ValueError(f"{type(self).__name__} '{self.name}' expects inputs of shape (batch, time, {what}), "
                             f"got shape {tuple(shape)}")

    def _flat_state_sizes(self):
        return [self.cell.filters, self.cell.filters]

    def _zero_states(self, batch_size):
        from glassnet.autodiff.tensor import Tensor
        from glassnet.backend import get_array_module

        xp = get_array_module(self.cell.kernel.data)
        return [Tensor(xp.zeros(self.cell.state_shape(batch_size), dtype=self.dtype)) for _ in range(2)]

    def get_initial_state(self, batch_size):
        return self._zero_states(batch_size)

    def _initial_states(self, sequences, initial_state):
        if initial_state is None or self.stateful:
            return super()._initial_states(sequences, initial_state)
        expected = self.cell.state_shape(sequences.shape[0])
        states = [s if hasattr(s, "creator") else ops.convert_to_tensor(s) for s in list(initial_state)]
        if len(states) != 2 or any(tuple(s.shape) != expected for s in states):
            raise ValueError(f"{type(self).__name__} '{self.name}' expects initial_state [h, c] of shape {expected} "
                             f"each, got {[tuple(s.shape) for s in states]}")
        return states

    def _run(self, sequences, states, mask, training):
        return self._step_loop(sequences, states, mask, training)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        if not self.cell.built:
            self.cell.spatial_dims = tuple(sequences_shape[2:-1])
        state = self.cell.state_shape(batch)
        output = (batch, steps) + state[1:] if self.return_sequences else state
        return [output, state, state] if self.return_state else output

    def get_config(self):
        config = Layer.get_config(self)
        config.update(_conv_lstm_entries(self.cell, self))
        config.update({"return_sequences": self.return_sequences, "return_state": self.return_state,
                       "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll})
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("zero_output_for_mask", None)
        return cls(**config)


class ConvLSTM1DCell(ConvLSTMCell):
    rank = 1


class ConvLSTM2DCell(ConvLSTMCell):
    rank = 2


class ConvLSTM1D(ConvLSTM):
    """``ConvLSTM1D(filters, kernel_size)``: inputs (batch, time, steps, channels)."""

    rank = 1
    cell_class = ConvLSTM1DCell


class ConvLSTM2D(ConvLSTM):
    """``ConvLSTM2D(filters, kernel_size)``: inputs (batch, time, rows, cols, channels)."""

    rank = 2
    cell_class = ConvLSTM2DCell


forward_to_cell(ConvLSTM, ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                           "activation", "recurrent_activation", "use_bias", "dropout", "recurrent_dropout"])
