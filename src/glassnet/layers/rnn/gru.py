"""GRU: the gated recurrent unit (Cho et al., 2014), and its cell."""

from glassnet import activations, ops
from glassnet.autodiff.tensor import Tensor
from glassnet.layers.layer import Layer
from glassnet.layers.rnn import cell_arguments as args
from glassnet.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from glassnet.layers.rnn.rnn import BuiltInRNN, forward_to_cell
from glassnet.ops import rnn as rnn_ops


class GRUCell(DropoutRNNCell, Layer):
    """One step of a GRU, gates in Keras' order z, r, h::

        z = recurrent_activation(x W_z + h_{t-1} U_z + b)     r = recurrent_activation(x W_r + h_{t-1} U_r + b)
        reset_after=True (default; bias (2, 3u): input row, recurrent row):
            hh = activation(x W_h + b_h + r (h_{t-1} U_h + b_rh))
        reset_after=False (bias (3u,)):
            hh = activation(x W_h + (r h_{t-1}) U_h + b_h)
        h_t = z h_{t-1} + (1 - z) hh

    kernel (input_dim, 3u), recurrent_kernel (u, 3u); the output is h.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 reset_after=True, seed=None, **kwargs):
        args.check_units(type(self), units, kwargs)
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        args.set_cell_arguments(self, units, activation, use_bias, kernel_initializer, recurrent_initializer,
                                bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                                kernel_constraint, recurrent_constraint, bias_constraint)
        self.recurrent_activation = activations.get(recurrent_activation)
        self._init_dropout(dropout, recurrent_dropout, seed)
        self.implementation = 1 if self.recurrent_dropout else implementation
        if self.implementation == 1:
            self.dropout_mask_count = 3
        self.reset_after = bool(reset_after)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        bias_shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        args.add_cell_weights(self, input_shape, gates=3, bias_shape=bias_shape)
        self.built = True

    def _biases(self):
        if self.bias is None:
            return None, None
        if self.reset_after:
            return self.bias[0], self.bias[1]
        return self.bias, None

    def call(self, inputs, states, training=False):
        h_prev = args.first_state(states)
        u = self.units
        input_bias, recurrent_bias = self._biases()
        if self.implementation == 1:
            x = _per_gate(inputs, self.get_dropout_mask(inputs) if training else None)
            h = _per_gate(h_prev, self.get_recurrent_dropout_mask(h_prev) if training else None)
        else:
            if training and self.dropout > 0:
                inputs = ops.multiply(inputs, self.get_dropout_mask(inputs))
            x, h = [inputs] * 3, [h_prev] * 3
        xw = [ops.matmul(x[k], self.kernel[:, k * u:(k + 1) * u]) for k in range(3)]
        if input_bias is not None:
            xw = [ops.add(xw[k], input_bias[k * u:(k + 1) * u]) for k in range(3)]
        hu = [ops.matmul(h[k], self.recurrent_kernel[:, k * u:(k + 1) * u]) for k in range(2)]
        if recurrent_bias is not None:
            hu = [ops.add(hu[k], recurrent_bias[k * u:(k + 1) * u]) for k in range(2)]
        z = self.recurrent_activation(ops.add(xw[0], hu[0]))
        r = self.recurrent_activation(ops.add(xw[1], hu[1]))
        if self.reset_after:
            hu_h = ops.matmul(h[2], self.recurrent_kernel[:, 2 * u:])
            if recurrent_bias is not None:
                hu_h = ops.add(hu_h, recurrent_bias[2 * u:])
            recurrent_h = ops.multiply(r, hu_h)
        else:
            recurrent_h = ops.matmul(ops.multiply(r, h[2]), self.recurrent_kernel[:, 2 * u:])
        hh = self.activation(ops.add(xw[2], recurrent_h))
        new = ops.add(ops.multiply(z, h_prev), ops.multiply(ops.subtract(1.0, z), hh))
        return new, ([new] if isinstance(states, (list, tuple)) else new)

    def fusable(self, training):
        """Whether ``run_sequence`` can run this call as one op."""
        return args.fusable(self, training)

    def run_sequence(self, sequences, states, mask, go_backwards, return_sequences, zero_output_for_mask, training):
        """The whole sequence as one op (``ops.rnn.gru``): (output, [final h])."""
        if training and self.dropout > 0:
            sequences = ops.multiply(sequences, ops.expand_dims(self.get_dropout_mask(sequences[:, 0]), 1))
        output, h = rnn_ops.gru(
            sequences, args.first_state(states), self.kernel, self.recurrent_kernel, self.bias, mask=mask,
            go_backwards=go_backwards, return_sequences=return_sequences, zero_output_for_mask=zero_output_for_mask,
            reset_after=self.reset_after, **args.fused_arguments(self))
        return output, [h]

    def get_initial_state(self, batch_size=None):
        return [Tensor(s) for s in rnn_ops.zero_states(batch_size, [self.units], self.dtype)]

    def get_config(self):
        return {**super().get_config(), **args.config_entries(self)}


def _per_gate(x, masks):
    """Three copies of x, each times its own dropout mask (Keras' implementation 1)."""
    if masks is None:
        return [x] * 3
    return [ops.multiply(x, m) for m in masks]


class GRU(BuiltInRNN):
    """Gated Recurrent Unit layer (Keras' ``GRU``; ``reset_after=True`` is also PyTorch's formula).

    Inputs (batch, timesteps, features); output (batch, units), or
    (batch, timesteps, units) with ``return_sequences=True``. The whole
    sequence is one op with backpropagation through time (``ops.rnn.gru``).
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, reset_after=True, use_cudnn="auto", **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(f"GRU: use_cudnn must be 'auto', True or False, got {use_cudnn!r}")
        cell = GRUCell(
            units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
            reset_after=reset_after, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="gru_cell", seed=seed, implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn


forward_to_cell(GRU, ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                      "recurrent_initializer", "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
                      "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                      "recurrent_dropout", "reset_after"))
