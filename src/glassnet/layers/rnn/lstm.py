"""LSTM: the long short-term memory layer (Hochreiter & Schmidhuber, 1997), and its cell."""

from glassnet import activations, initializers, ops
from glassnet.autodiff.tensor import Tensor
from glassnet.backend import get_array_module
from glassnet.layers.layer import Layer
from glassnet.layers.rnn import cell_arguments as args
from glassnet.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from glassnet.layers.rnn.rnn import BuiltInRNN, forward_to_cell
from glassnet.ops import rnn as rnn_ops


class _UnitForgetBias:
    """The bias initializer with ``unit_forget_bias``: [init(u), ones(u), init(2u)] (gates i, f, c, o)."""

    def __init__(self, bias_initializer, units):
        self.bias_initializer, self.units = bias_initializer, units

    def __call__(self, shape, dtype=None):
        u = self.units
        parts = [self.bias_initializer((u,), dtype=dtype), initializers.get("ones")((u,), dtype=dtype),
                 self.bias_initializer((2 * u,), dtype=dtype)]
        return get_array_module(*parts).concatenate(parts)


class LSTMCell(DropoutRNNCell, Layer):
    """One step of an LSTM, gates in Keras' order i, f, c, o::

        z = x_t W + h_{t-1} U + b          (kernel (input_dim, 4u), recurrent_kernel (u, 4u), bias (4u,))
        i, f, o = recurrent_activation(z_i, z_f, z_o)      g = activation(z_c)
        c_t = f c_{t-1} + i g              h_t = o activation(c_t)

    States ``[h, c]``; the output is h. ``unit_forget_bias`` starts the forget
    gate's bias at 1.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        args.check_units(type(self), units, kwargs)
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        args.set_cell_arguments(self, units, activation, use_bias, kernel_initializer, recurrent_initializer,
                                bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                                kernel_constraint, recurrent_constraint, bias_constraint)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self._init_dropout(dropout, recurrent_dropout, seed)
        self.implementation = 1 if self.recurrent_dropout else implementation
        if self.implementation == 1:
            self.dropout_mask_count = 4
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        bias_initializer = _UnitForgetBias(self.bias_initializer, self.units) if self.unit_forget_bias else None
        args.add_cell_weights(self, input_shape, gates=4, bias_shape=(4 * self.units,),
                              bias_initializer=bias_initializer)
        self.built = True

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        u = self.units
        if self.implementation == 1:
            x = _per_gate(inputs, self.get_dropout_mask(inputs) if training else None, 4)
            h = _per_gate(h_prev, self.get_recurrent_dropout_mask(h_prev) if training else None, 4)
            z = [ops.add(ops.matmul(x[k], self.kernel[:, k * u:(k + 1) * u]),
                         ops.matmul(h[k], self.recurrent_kernel[:, k * u:(k + 1) * u])) for k in range(4)]
            if self.bias is not None:
                z = [ops.add(z[k], self.bias[k * u:(k + 1) * u]) for k in range(4)]
        else:
            if training and self.dropout > 0:
                inputs = ops.multiply(inputs, self.get_dropout_mask(inputs))
            whole = ops.add(ops.matmul(inputs, self.kernel), ops.matmul(h_prev, self.recurrent_kernel))
            if self.bias is not None:
                whole = ops.add(whole, self.bias)
            z = [whole[:, k * u:(k + 1) * u] for k in range(4)]
        i, f, o = self.recurrent_activation(z[0]), self.recurrent_activation(z[1]), self.recurrent_activation(z[3])
        c = ops.add(ops.multiply(f, c_prev), ops.multiply(i, self.activation(z[2])))
        h = ops.multiply(o, self.activation(c))
        return h, [h, c]

    def fusable(self, training):
        """Whether ``run_sequence`` can run this call as one op."""
        return args.fusable(self, training)

    def run_sequence(self, sequences, states, mask, go_backwards, return_sequences, zero_output_for_mask, training):
        """The whole sequence as one op (``ops.rnn.lstm``): (output, [final h, final c])."""
        if training and self.dropout > 0:
            sequences = ops.multiply(sequences, ops.expand_dims(self.get_dropout_mask(sequences[:, 0]), 1))
        output, h, c = rnn_ops.lstm(
            sequences, states[0], states[1], self.kernel, self.recurrent_kernel, self.bias, mask=mask,
            go_backwards=go_backwards, return_sequences=return_sequences, zero_output_for_mask=zero_output_for_mask,
            **args.fused_arguments(self))
        return output, [h, c]

    def get_initial_state(self, batch_size=None):
        return [Tensor(s) for s in rnn_ops.zero_states(batch_size, self.state_size, self.dtype)]

    def get_config(self):
        return {**super().get_config(), **args.config_entries(self)}


def _per_gate(x, masks, count):
    """``count`` copies of x, each times its own dropout mask (Keras' implementation 1)."""
    if masks is None:
        return [x] * count
    return [ops.multiply(x, m) for m in masks]


class LSTM(BuiltInRNN):
    """Long Short-Term Memory layer (Keras' ``LSTM``; weights ``kernel``, ``recurrent_kernel``, ``bias`` as Keras').

    Inputs (batch, timesteps, features); output (batch, units), or
    (batch, timesteps, units) with ``return_sequences=True``; with
    ``return_state=True`` also the final h and c. The whole sequence is one op
    with backpropagation through time (``ops.rnn.lstm``).
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, use_cudnn="auto", **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(f"LSTM: use_cudnn must be 'auto', True or False, got {use_cudnn!r}")
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, unit_forget_bias=unit_forget_bias,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="lstm_cell", seed=seed, implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn


forward_to_cell(LSTM, ("units", "activation", "recurrent_activation", "use_bias", "unit_forget_bias",
                       "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
                       "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                       "bias_constraint", "dropout", "recurrent_dropout"))
