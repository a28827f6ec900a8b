"""SimpleRNN: the fully connected recurrence ``h_t = activation(x_t W + h_{t-1} U + b)``, and its cell."""

from glassnet import ops
from glassnet.autodiff.tensor import Tensor
from glassnet.layers.layer import Layer
from glassnet.layers.rnn import cell_arguments as args
from glassnet.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from glassnet.layers.rnn.rnn import BuiltInRNN, forward_to_cell
from glassnet.ops import rnn as rnn_ops


class SimpleRNNCell(DropoutRNNCell, Layer):
    """One step of SimpleRNN: ``output = h_t = activation(x_t W + b + h_{t-1} U)``.

    Weights: ``kernel`` (input_dim, units), ``recurrent_kernel`` (units, units),
    ``bias`` (units,). ``dropout`` masks x_t and ``recurrent_dropout`` masks
    h_{t-1} (one mask per layer call, in training only).
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        args.check_units(type(self), units, kwargs)
        super().__init__(**kwargs)
        args.set_cell_arguments(self, units, activation, use_bias, kernel_initializer, recurrent_initializer,
                                bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                                kernel_constraint, recurrent_constraint, bias_constraint)
        self._init_dropout(dropout, recurrent_dropout, seed)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        args.add_cell_weights(self, input_shape, gates=1, bias_shape=(self.units,))
        self.built = True

    def call(self, sequence, states, training=False):
        previous = args.first_state(states)
        dp_mask = self.get_dropout_mask(sequence)
        rec_dp_mask = self.get_recurrent_dropout_mask(previous)
        if training and dp_mask is not None:
            sequence = ops.multiply(sequence, dp_mask)
        h = ops.matmul(sequence, self.kernel)
        if self.bias is not None:
            h = ops.add(h, self.bias)
        if training and rec_dp_mask is not None:
            previous = ops.multiply(previous, rec_dp_mask)
        output = self.activation(ops.add(h, ops.matmul(previous, self.recurrent_kernel)))
        return output, ([output] if isinstance(states, (list, tuple)) else output)

    def fusable(self, training):
        """Whether ``run_sequence`` can run this call as one op."""
        return args.fusable(self, training)

    def run_sequence(self, sequences, states, mask, go_backwards, return_sequences, zero_output_for_mask, training):
        """The whole sequence as one op (``ops.rnn.simple_rnn``): (output, [final h])."""
        if training and self.dropout > 0:
            sequences = ops.multiply(sequences, ops.expand_dims(self.get_dropout_mask(sequences[:, 0]), 1))
        output, h = rnn_ops.simple_rnn(
            sequences, args.first_state(states), self.kernel, self.recurrent_kernel, self.bias, mask=mask,
            go_backwards=go_backwards, return_sequences=return_sequences, zero_output_for_mask=zero_output_for_mask,
            **args.fused_arguments(self))
        return output, [h]

    def get_initial_state(self, batch_size=None):
        return [Tensor(s) for s in rnn_ops.zero_states(batch_size, [self.units], self.dtype)]

    def get_config(self):
        return {**super().get_config(), **args.config_entries(self)}


class SimpleRNN(BuiltInRNN):
    """Fully connected RNN whose output is fed back as the next step's state (Keras' ``SimpleRNN``).

    Inputs (batch, timesteps, features); output (batch, units), or
    (batch, timesteps, units) with ``return_sequences=True``. The whole
    sequence is one op with backpropagation through time (``ops.rnn``).
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False,
                 seed=None, **kwargs):
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)


forward_to_cell(SimpleRNN, ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                            "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                            "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                            "recurrent_dropout"))
