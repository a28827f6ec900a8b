"""SimpleRNN, LSTM, GRU and Bidirectional.

ONNX Runtime refuses ``layout=1`` (batch-major) for its recurrent ops, so a
layer becomes

    Transpose(1, 0, 2) -> [reverse the time axis: go_backwards] -> RNN/LSTM/GRU (forward) ->
    return_sequences: Squeeze(Y, 1), Transpose(1, 0, 2)   else: Squeeze(Y_h, 0)

Weights (one direction, gates stacked along the rows):

    SimpleRNN: W = kernel.T, R = recurrent_kernel.T, B = [bias, 0]
    LSTM:      Keras' gate blocks i, f, c, o -> ONNX's i, o, f, c (blocks (0, 3, 1, 2)) in W, R and B = [bias, 0]
    GRU:       same order z, r, h; reset_after=True -> linear_before_reset=1, B = [input bias, recurrent bias];
               reset_after=False -> linear_before_reset=0, B = [bias, 0]

Activations map by name (tanh -> Tanh, sigmoid -> Sigmoid, relu -> Relu).
go_backwards runs the reversed sequence and returns its outputs in that
order, as Keras does. Bidirectional is its two layers (the backward one goes
backwards), the backward sequence flipped back, then merged: concat -> Concat,
sum -> Add, ave -> Add * 0.5, mul -> Mul, None -> two outputs.
"""

import numpy as np

from glassnet.export.activations import activation_name
from glassnet.export.registry import converts, unsupported
from glassnet.layers.rnn.gru import GRU
from glassnet.layers.rnn.lstm import LSTM
from glassnet.layers.rnn.simple_rnn import SimpleRNN
from glassnet.layers.wrappers.bidirectional import Bidirectional

ONNX_ACTIVATIONS = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu"}
INT64_MIN = np.iinfo(np.int64).min


def _onnx_activation(layer, function):
    name, keywords = activation_name(function)
    if name not in ONNX_ACTIVATIONS or keywords:
        raise unsupported(layer, f"the recurrent activation {name or function!r} has no ONNX recurrent mapping "
                          f"(supported: {', '.join(ONNX_ACTIVATIONS)})")
    return ONNX_ACTIVATIONS[name]


def _gates(array, order, units):
    """The gate blocks of the last axis of ``array`` put in ``order``."""
    return np.concatenate([array[..., k * units:(k + 1) * units] for k in order], axis=-1)


def _weights(cell, order, gates):
    """(W, R, B) of one direction, as ONNX shapes them: (1, G*H, F), (1, G*H, H), (1, 2*G*H)."""
    units = cell.units
    kernel = _gates(np.asarray(cell.kernel.data), order, units)
    recurrent = _gates(np.asarray(cell.recurrent_kernel.data), order, units)
    bias = None if cell.bias is None else np.asarray(cell.bias.data)
    if bias is None:
        bias = np.zeros(2 * gates * units, "float32")
    elif bias.ndim == 2:  # GRU reset_after: input and recurrent biases
        bias = np.concatenate([_gates(bias[0], order, units), _gates(bias[1], order, units)])
    else:
        bias = np.concatenate([_gates(bias, order, units), np.zeros(gates * units, "float32")])
    return kernel.T[None], recurrent.T[None], bias[None]


def _spec(layer):
    """(op type, gate order, gate count, attributes) of a SimpleRNN/LSTM/GRU."""
    cell = layer.cell
    if isinstance(layer, LSTM):
        acts = [_onnx_activation(layer, cell.recurrent_activation), _onnx_activation(layer, cell.activation),
                _onnx_activation(layer, cell.activation)]
        return "LSTM", (0, 3, 1, 2), 4, {"activations": acts}
    if isinstance(layer, GRU):
        acts = [_onnx_activation(layer, cell.recurrent_activation), _onnx_activation(layer, cell.activation)]
        return "GRU", (0, 1, 2), 3, {"activations": acts, "linear_before_reset": int(cell.reset_after)}
    return "RNN", (0,), 1, {"activations": [_onnx_activation(layer, cell.activation)]}


def _reverse_time(g, name, hint):
    """Flip axis 0 (time, in time-major data)."""
    return g.op("Slice", [name, g.ints([-1], "minus_one"), g.ints([INT64_MIN], "int64_min"), g.ints([0], "axis_0"),
                          g.ints([-1], "minus_one")], hint)


def recurrent_outputs(g, layer, value, hint):
    """The layer run on ``value`` (batch-major); returns [output, *final states] names."""
    if layer.stateful:
        raise unsupported(layer, "stateful=True carries state between calls; export a stateless copy")
    op_type, order, gates, attributes = _spec(layer)
    w, r, b = _weights(layer.cell, order, gates)
    x = g.op("Transpose", [value.name], f"{hint}/time_major", perm=[1, 0, 2])
    if layer.go_backwards:
        x = _reverse_time(g, x, f"{hint}/reversed")
    count = 3 if op_type == "LSTM" else 2
    outputs = g.op(op_type, [x, g.const(w, f"{hint}/W"), g.const(r, f"{hint}/R"), g.const(b, f"{hint}/B")],
                   f"{hint}/{op_type.lower()}", outputs=count, hidden_size=layer.cell.units, **attributes)
    states = [g.op("Squeeze", [state, g.ints([0], "axis_0")], f"{hint}/state") for state in outputs[1:]]
    if layer.return_sequences:
        sequence = g.op("Squeeze", [outputs[0], g.ints([1], "axis_1")], f"{hint}/sequence_time_major")
        output = g.op("Transpose", [sequence], hint, perm=[1, 0, 2])
    else:
        output = g.op("Identity", [states[0]], hint)
    return [output, *states]


def _check_call(layer, kwargs):
    for name in ("initial_state", "mask"):
        if kwargs.get(name) is not None:
            raise unsupported(layer, f"calls with {name}= are not exported")


@converts(SimpleRNN, LSTM, GRU)
def recurrent(g, layer, inputs, kwargs):
    """SimpleRNN / LSTM / GRU -> RNN / LSTM / GRU, time-major."""
    _check_call(layer, kwargs)
    outputs = recurrent_outputs(g, layer, inputs[0], layer.name)
    return outputs if layer.return_state else outputs[0]


MERGES = {"sum": "Add", "mul": "Mul"}


@converts(Bidirectional)
def bidirectional(g, layer, inputs, kwargs):
    """The forward and backward layers, the backward sequence flipped back, then merged."""
    _check_call(layer, kwargs)
    if layer.return_state:
        raise unsupported(layer, "return_state=True is not exported for Bidirectional")
    forward = recurrent_outputs(g, layer.forward_layer, inputs[0], f"{layer.name}/forward")[0]
    backward = recurrent_outputs(g, layer.backward_layer, inputs[0], f"{layer.name}/backward")[0]
    if layer.return_sequences:
        backward = g.op("Slice", [backward, g.ints([-1], "minus_one"), g.ints([INT64_MIN], "int64_min"),
                                  g.ints([1], "axis_1"), g.ints([-1], "minus_one")], f"{layer.name}/backward_flipped")
    mode = layer.merge_mode
    if mode is None:
        return [g.op("Identity", [forward], f"{layer.name}/forward_out"),
                g.op("Identity", [backward], f"{layer.name}/backward_out")]
    if mode == "concat":
        return g.op("Concat", [forward, backward], layer.name, axis=-1)
    if mode == "ave":
        total = g.op("Add", [forward, backward], f"{layer.name}/sum")
        return g.op("Mul", [total, g.scalar(0.5, "half")], layer.name)
    return g.op(MERGES[mode], [forward, backward], layer.name)
