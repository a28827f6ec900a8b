"""What SimpleRNNCell, LSTMCell and GRUCell share: their arguments, weights, config entries and fused-op settings.

Each cell has ``kernel`` (input_dim, G u), ``recurrent_kernel`` (u, G u) and an
optional ``bias``, with G the number of gates (1, 4 or 3), in Keras' order.
"""

from glassnet import activations, constraints, initializers, regularizers
from glassnet.utils.serialization import serialize_object

# Activations the recurrent ops compute themselves (ops/rnn.py), by function.
_FUSED = {activations.tanh: "tanh", activations.sigmoid: "sigmoid", activations.hard_sigmoid: "hard_sigmoid",
          activations.relu: "relu", activations.linear: None}


def check_units(cls, units, kwargs):
    """Units must be a positive integer (checked before Layer.__init__, so no name is used up)."""
    if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
        who = f"{cls.__name__} '{kwargs['name']}'" if kwargs.get("name") else cls.__name__
        raise ValueError(f"{who}: units must be a positive integer, got {units!r}")


def set_cell_arguments(cell, units, activation, use_bias, kernel_initializer, recurrent_initializer,
                       bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                       kernel_constraint, recurrent_constraint, bias_constraint):
    """Store the arguments on ``cell`` as objects ("tanh" -> the function, "zeros" -> an initializer)."""
    cell.units = units
    cell.activation = activations.get(activation)
    cell.use_bias = bool(use_bias)
    cell.kernel_initializer = initializers.get(kernel_initializer)
    cell.recurrent_initializer = initializers.get(recurrent_initializer)
    cell.bias_initializer = initializers.get(bias_initializer)
    cell.kernel_regularizer = regularizers.get(kernel_regularizer)
    cell.recurrent_regularizer = regularizers.get(recurrent_regularizer)
    cell.bias_regularizer = regularizers.get(bias_regularizer)
    cell.kernel_constraint = constraints.get(kernel_constraint)
    cell.recurrent_constraint = constraints.get(recurrent_constraint)
    cell.bias_constraint = constraints.get(bias_constraint)


def add_cell_weights(cell, input_shape, gates, bias_shape, bias_initializer=None):
    """Create ``kernel`` (input_dim, gates u), ``recurrent_kernel`` (u, gates u) and ``bias`` (or None)."""
    input_dim = input_shape[-1]
    if input_dim is None:
        raise ValueError(f"{type(cell).__name__} '{cell.name}' needs a known number of input features, "
                         f"got input shape {tuple(input_shape)}")
    width = gates * cell.units
    cell.kernel = cell.add_weight(shape=(input_dim, width), initializer=cell.kernel_initializer, name="kernel",
                                  regularizer=cell.kernel_regularizer, constraint=cell.kernel_constraint)
    cell.recurrent_kernel = cell.add_weight(
        shape=(cell.units, width), initializer=cell.recurrent_initializer, name="recurrent_kernel",
        regularizer=cell.recurrent_regularizer, constraint=cell.recurrent_constraint)
    cell.bias = None
    if cell.use_bias:
        cell.bias = cell.add_weight(shape=bias_shape, initializer=bias_initializer or cell.bias_initializer,
                                    name="bias", regularizer=cell.bias_regularizer, constraint=cell.bias_constraint)


def config_entries(cell, layer=None, size_entries=None):
    """The cell's arguments as Keras writes them in a config, in Keras' order.

    With ``layer`` (the SimpleRNN/LSTM/GRU holding the cell) the layer's
    ``activity_regularizer`` is included, as in the layers' configs.
    ``size_entries`` replaces the leading ``{"units": ...}`` (ConvLSTM: filters, kernel_size, ...).
    """
    entries = dict(size_entries) if size_entries is not None else {"units": cell.units}
    entries["activation"] = activations.serialize(cell.activation)
    if hasattr(cell, "recurrent_activation"):
        entries["recurrent_activation"] = activations.serialize(cell.recurrent_activation)
    entries["use_bias"] = cell.use_bias
    for name in ("kernel_initializer", "recurrent_initializer", "bias_initializer"):
        entries[name] = serialize_object(getattr(cell, name))
    if hasattr(cell, "unit_forget_bias"):
        entries["unit_forget_bias"] = cell.unit_forget_bias
    for name in ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer"):
        entries[name] = serialize_object(getattr(cell, name))
    if layer is not None:
        entries["activity_regularizer"] = serialize_object(layer.activity_regularizer)
    for name in ("kernel_constraint", "recurrent_constraint", "bias_constraint"):
        entries[name] = serialize_object(getattr(cell, name))
    entries["dropout"] = cell.dropout
    entries["recurrent_dropout"] = cell.recurrent_dropout
    if hasattr(cell, "reset_after"):
        entries["reset_after"] = cell.reset_after
    entries["seed"] = cell.seed
    return entries


def fused_key(activation):
    """(True, the op's name for ``activation``) when ops/rnn.py computes it, else (False, None)."""
    if activation in _FUSED:
        return True, _FUSED[activation]
    return False, None


def fusable(cell, training):
    """Whether the whole sequence can run as one op: known activations, and no recurrent dropout in training."""
    if training and cell.recurrent_dropout > 0:
        return False
    if not fused_key(cell.activation)[0]:
        return False
    recurrent = getattr(cell, "recurrent_activation", None)
    return recurrent is None or fused_key(recurrent)[0]


def fused_arguments(cell):
    """The activation names the op takes for ``cell``."""
    names = {"activation": fused_key(cell.activation)[1]}
    if hasattr(cell, "recurrent_activation"):
        names["recurrent_activation"] = fused_key(cell.recurrent_activation)[1]
    return names


def first_state(states):
    """The single state of SimpleRNN and GRU cells, given as a tensor or a one-element list."""
    return states[0] if isinstance(states, (list, tuple)) else states
