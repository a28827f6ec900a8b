"""RNN: run a recurrent cell over the timesteps of a sequence (Keras' ``keras.layers.RNN``).

A cell is a layer with ``state_size`` and ``call(inputs, states) -> (output,
new_states)`` computing one step. The built-in cells (SimpleRNNCell, LSTMCell,
GRUCell, and StackedRNNCells of them) also have ``run_sequence``: the whole
sequence as one op with backpropagation through time (``glassnet.ops.rnn``).
Any other cell, or a built-in one with an activation the op does not compute
or with recurrent dropout in training, runs step by step, one cell call per
timestep, composed from ops.

Keras' rules: a masked step (``mask[b, t]`` False) leaves the states
unchanged and repeats the previous output (zeros with
``zero_output_for_mask=True``); ``go_backwards`` processes the steps last to
first and returns the outputs in that order; ``return_state`` returns
``[output, *final_states]``; ``stateful`` keeps the final states of one batch
as the initial states of the next.
"""

from glassnet import ops, regularizers
from glassnet.autodiff.tensor import Tensor
from glassnet.layers.keras_tensor import flatten, pack_like
from glassnet.layers.layer import Layer, _call_accepts, mask_array
from glassnet.ops import rnn as rnn_ops


def forward_to_cell(layer_class, names):
    """Give ``layer_class`` read-only properties ``names`` that read the cell's attributes (as Keras' LSTM has)."""
    for name in names:
        setattr(layer_class, name, property(lambda self, name=name: getattr(self.cell, name)))


def _state_structure(state_size):
    """``state_size`` as a list (one entry per state; a list for a cell with several)."""
    return [state_size] if isinstance(state_size, int) else list(state_size)


class RNN(Layer):
    """Base class for recurrent layers: ``RNN(cell)`` runs ``cell`` over (batch, timesteps, features) inputs.

    Args:
        cell: a cell (``state_size``, ``call(inputs, states)``), or a list of cells (stacked).
        return_sequences: return the output of every step (batch, timesteps, units), not only the last.
        return_state: also return the final states: ``[output, *states]``.
        go_backwards: process the sequence from its last step to its first (outputs in that order).
        stateful: the final states of a batch are the initial states of the next (``reset_states()`` zeroes them).
        unroll: accepted for Keras compatibility; the result is the same.
        zero_output_for_mask: masked steps output zeros instead of repeating the previous output.

    Call arguments: ``sequences``, ``initial_state`` (a list of (batch, size) states), ``mask``
    (batch, timesteps) booleans, ``training``.
    """

    recurrent = True  # the loop's thread choice gives BLAS two threads (trainers/threads.py)

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, activity_regularizer=None, **kwargs):
        if isinstance(cell, (list, tuple)):
            from glassnet.layers.rnn.stacked_rnn_cells import StackedRNNCells

            cell = StackedRNNCells(cell)
        if not callable(getattr(cell, "call", None)):
            raise ValueError(f"RNN expects a cell with a `call(inputs, states)` method, got {cell!r}")
        state_size = getattr(cell, "state_size", None)
        if state_size is None or not isinstance(state_size, (int, list, tuple)):
            raise ValueError(f"RNN expects a cell whose `state_size` is an integer or a list of integers (one per "
                             f"state), got state_size={state_size!r} on {cell!r}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.supports_masking = True
        self.states = None  # stateful: the carried states, arrays (not weights, as in Keras)
        self._input_features = None

    # --- shapes -----------------------------------------------------------------------------------------
    @property
    def state_size(self):
        return _state_structure(self.cell.state_size)

    def _flat_state_sizes(self):
        return [int(s) for s in flatten(self.state_size)]

    def _output_size(self):
        size = getattr(self.cell, "output_size", None)
        return size if size is not None else self._flat_state_sizes()[0]

    def _check_sequence_shape(self, shape):
        if len(shape) != 3:
            hint = ""
            if len(shape) == 2:
                hint = (f" For one feature per step, reshape to {tuple(shape) + (1,)}; for integer tokens, put an "
                        "Embedding layer first.")
            raise ValueError(f"{type(self).__name__} '{self.name}' expects inputs of shape (batch, timesteps, "
                             f"features), got shape {tuple(shape)}.{hint}")
        if self._input_features is not None and shape[-1] is not None and shape[-1] != self._input_features:
            raise ValueError(f"{type(self).__name__} '{self.name}' was built for {self._input_features} features per "
                             f"step, got inputs of shape {tuple(shape)}")

    def build(self, sequences_shape, initial_state_shape=None):
        sequences_shape = tuple(sequences_shape)
        self._check_sequence_shape(sequences_shape)
        step_shape = (sequences_shape[0],) + sequences_shape[2:]
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._maybe_build(step_shape)
        elif not isinstance(self.cell, Layer) and hasattr(self.cell, "build"):
            self.cell.build(step_shape)
        self._input_features = sequences_shape[-1]
        if self.stateful and sequences_shape[0] is not None and self.states is None:
            self.states = [s.data for s in self._zero_states(sequences_shape[0])]
        self.built = True

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        units = self._output_size()
        output = (batch, steps, units) if self.return_sequences else (batch, units)
        if self.return_state:
            return [output] + [(batch, size) for size in self._flat_state_sizes()]
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self._flat_state_sizes())
        return output_mask

    # --- states -------------------------------------------------------------------------------------------
    def get_initial_state(self, batch_size):
        """Zeros (or the cell's own ``get_initial_state``), nested as the cell's ``state_size``."""
        make = getattr(self.cell, "get_initial_state", None)
        if make is None:
            return self._zero_states(batch_size)
        states = make(batch_size=batch_size)
        return list(states) if isinstance(states, (list, tuple)) else [states]

    def _zero_states(self, batch_size):
        return [Tensor(s) for s in rnn_ops.zero_states(batch_size, self._flat_state_sizes(), self.dtype)]

    def reset_state(self):
        """Zero the carried states of a stateful layer."""
        if self.states is not None:
            self.states = [s * 0 for s in self.states]

    reset_states = reset_state

    def _initial_states(self, sequences, initial_state):
        """The flat list of initial states (Tensors), checked against the cell's state sizes and the batch."""
        batch = sequences.shape[0]
        sizes = self._flat_state_sizes()
        if initial_state is None:
            if self.stateful:
                if self.states is None:
                    self.states = [s.data for s in self._zero_states(batch)]
                elif self.states[0].shape[0] != batch:
                    raise ValueError(
                        f"{type(self).__name__} '{self.name}' is stateful and keeps states for batches of "
                        f"{self.states[0].shape[0]} samples, got a batch of {batch}. Feed batches of that size "
                        "(fit(batch_size=...) with a sample count divisible by it, shuffle=False), or create a new "
                        "layer for the new batch size.")
                return [Tensor(s) for s in self.states]
            return [s if isinstance(s, Tensor) else Tensor(s) for s in flatten(self.get_initial_state(batch))]
        given = flatten(list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state])
        if len(given) != len(sizes):
            raise ValueError(f"{type(self).__name__} '{self.name}' expects initial_state to be a list of {len(sizes)} "
                             f"state(s) of shapes {[(batch, s) for s in sizes]}, got {len(given)}")
        states = []
        for index, (state, size) in enumerate(zip(given, sizes)):
            state = state if isinstance(state, Tensor) else ops.convert_to_tensor(state)
            if tuple(state.shape) != (batch, size):
                raise ValueError(f"{type(self).__name__} '{self.name}': initial_state[{index}] must have shape "
                                 f"{(batch, size)} (batch, units), got {tuple(state.shape)}")
            if state.dtype != self.dtype and not state.requires_grad:
                state = ops.convert_to_tensor(state, self.dtype)
            states.append(state)
        return states

    # --- calling -------------------------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=None):
        self._check_sequence_shape(sequences.shape)
        if sequences.shape[1] == 0:
            raise ValueError(f"{type(self).__name__} '{self.name}' needs at least one timestep, got inputs of shape "
                             f"{tuple(sequences.shape)}")
        if sequences.dtype != self.dtype and not sequences.requires_grad:
            sequences = ops.convert_to_tensor(sequences, self.dtype)
        mask = self._check_mask(mask, sequences)
        states = self._initial_states(sequences, initial_state)
        try:
            output, final_states = self._run(sequences, states, mask, bool(training))
        finally:
            _reset_dropout_masks(self.cell)
        if self.stateful:
            self.states = [s.data for s in final_states]
        if self.return_state:
            return [output] + list(final_states)
        return output

    def _check_mask(self, mask, sequences):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is None:
            return None
        mask = mask_array(mask)
        if tuple(mask.shape) != tuple(sequences.shape[:2]):
            raise ValueError(f"{type(self).__name__} '{self.name}': the mask must have shape (batch, timesteps) = "
                             f"{tuple(sequences.shape[:2])}, got {tuple(mask.shape)}")
        return mask.astype(bool, copy=False)

    def _run(self, sequences, states, mask, training):
        """(output, flat final states): one op for built-in cells, else a loop over the steps."""
        cell = self.cell
        if hasattr(cell, "run_sequence") and cell.fusable(training):
            structure = _state_structure(cell.state_size)
            output, finals = cell.run_sequence(
                sequences, pack_like(structure, states), mask, self.go_backwards, self.return_sequences,
                self.zero_output_for_mask, training)
            return output, flatten(finals)
        return self._step_loop(sequences, states, mask, training)

    def _step_loop(self, sequences, states, mask, training):
        """One cell call per step, composed from ops (custom cells, and the cases the fused ops do not cover)."""
        cell = self.cell
        structure = _state_structure(cell.state_size)
        cell_kwargs = {}
        if isinstance(cell, Layer) and _call_accepts(type(cell))[0]:
            cell_kwargs["training"] = training
        call = cell if isinstance(cell, Layer) else cell.call
        steps = sequences.shape[1]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs, previous = [], None
        nested = pack_like(structure, states)  # a one-state cell gets a one-element list, as Keras gives it
        for t in order:
            output, new_states = call(sequences[:, t], nested, **cell_kwargs)
            new_flat = flatten(new_states if isinstance(new_states, (list, tuple)) else [new_states])
            if mask is not None:
                keep = mask[:, t].reshape((-1,) + (1,) * (output.ndim - 1))  # (batch, 1...) for any state rank
                fill = previous if (previous is not None and not self.zero_output_for_mask) else ops.multiply(
                    output, 0.0)
                output = ops.where(keep, output, fill)
                new_flat = [ops.where(keep, new, old) for new, old in zip(new_flat, states)]
            states = new_flat
            nested = pack_like(structure, states)
            previous = output
            if self.return_sequences:
                outputs.append(output)
        result = ops.stack(outputs, axis=1) if self.return_sequences else previous
        return result, states

    # --- configuration ----------------------------------------------------------------------------------------
    def get_config(self):
        from glassnet.saving.serialization_lib import serialize_keras_object

        config = super().get_config()
        config.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_keras_object(self.cell),
        })
        return config

    @classmethod
    def from_config(cls, config):
        from glassnet.saving.serialization_lib import deserialize_keras_object

        config = dict(config)
        cell = config.pop("cell")
        if isinstance(cell, dict):
            cell = deserialize_keras_object(cell)
        elif isinstance(cell, list):
            cell = [deserialize_keras_object(c) if isinstance(c, dict) else c for c in cell]
        return cls(cell, **config)


class BuiltInRNN(RNN):
    """SimpleRNN, LSTM and GRU: their config lists the cell's arguments (Keras' form), not the cell."""

    def get_config(self):
        from glassnet.layers.rnn import cell_arguments

        config = super().get_config()
        del config["cell"]
        return {**config, **cell_arguments.config_entries(self.cell, layer=self)}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _reset_dropout_masks(cell):
    """Forget the dropout masks of this call (Keras draws new ones for every batch)."""
    for inner in getattr(cell, "cells", None) or [cell]:
        if hasattr(inner, "reset_dropout_mask"):
            inner.reset_dropout_mask()
            inner.reset_recurrent_dropout_mask()
