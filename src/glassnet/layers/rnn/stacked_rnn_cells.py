"""StackedRNNCells: several cells as one, each step feeding one cell's output to the next."""

from glassnet.layers.layer import Layer, _call_accepts


def _output_size(cell):
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    return cell.state_size[0] if isinstance(cell.state_size, (list, tuple)) else cell.state_size


class StackedRNNCells(Layer):
    """``StackedRNNCells([cell_1, cell_2, ...])``: per step, ``out_k = cell_k(out_{k-1}, states_k)``.

    ``state_size`` lists the cells' state sizes; the output is the last
    cell's. Inside ``RNN``, stacked built-in cells run as one op per cell over
    the whole sequence, which gives the same result as stepping them together.
    """

    def __init__(self, cells, **kwargs):
        cells = list(cells)
        for cell in cells:
            if not callable(getattr(cell, "call", None)) or getattr(cell, "state_size", None) is None:
                raise ValueError(f"StackedRNNCells expects cells with a `call` method and a `state_size`, got {cell!r}")
        super().__init__(**kwargs)
        self.cells = cells

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        from glassnet.autodiff.tensor import Tensor
        from glassnet.ops.rnn import zero_states

        states = []
        for cell in self.cells:
            make = getattr(cell, "get_initial_state", None)
            if make is not None:
                states.append(make(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                states.append(Tensor(zero_states(batch_size, [cell.state_size], self.dtype)[0]))
            else:
                states.append([Tensor(s) for s in zero_states(batch_size, cell.state_size, self.dtype)])
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._maybe_build(tuple(input_shape))
            input_shape = (input_shape[0], _output_size(cell))
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = isinstance(cell_states, (list, tuple))
            cell_states = list(cell_states) if was_list else [cell_states]
            kwargs = {"training": training} if isinstance(cell, Layer) and _call_accepts(type(cell))[0] else {}
            inputs, cell_states = (cell if isinstance(cell, Layer) else cell.call)(inputs, cell_states, **kwargs)
            if not isinstance(cell_states, (list, tuple)):
                cell_states = [cell_states]
            new_states.append(cell_states[0] if len(cell_states) == 1 and not was_list else list(cell_states))
        return inputs, new_states

    def fusable(self, training):
        """Whether every cell can run the whole sequence as one op."""
        return all(hasattr(cell, "run_sequence") and cell.fusable(training) for cell in self.cells)

    def run_sequence(self, sequences, states, mask, go_backwards, return_sequences, zero_output_for_mask, training):
        """Each cell over the whole sequence in turn: (last cell's output, [each cell's final states])."""
        finals, last = [], len(self.cells) - 1
        # The cells above the first see its outputs, already in processing (reversed) order.
        upper_mask = mask[:, ::-1] if go_backwards and mask is not None else mask
        for k, (cell, cell_states) in enumerate(zip(self.cells, states)):
            was_list = isinstance(cell_states, (list, tuple))
            cell_states = list(cell_states) if was_list else [cell_states]
            sequences, cell_finals = cell.run_sequence(
                sequences, cell_states, mask if k == 0 else upper_mask, go_backwards and k == 0,
                return_sequences or k < last, zero_output_for_mask, training)
            finals.append(cell_finals if was_list else cell_finals[0])
        return sequences, finals

    def get_config(self):
        from glassnet.saving.serialization_lib import serialize_keras_object

        return {**super().get_config(), "cells": [serialize_keras_object(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config):
        from glassnet.saving.serialization_lib import deserialize_keras_object

        config = dict(config)
        cells = [deserialize_keras_object(c) if isinstance(c, dict) else c for c in config.pop("cells")]
        return cls(cells, **config)
