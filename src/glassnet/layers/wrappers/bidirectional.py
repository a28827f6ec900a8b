"""Bidirectional: a recurrent layer run forwards and a copy of it run backwards, outputs merged."""

from glassnet import ops
from glassnet.layers.layer import Layer

MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _copy_layer(layer, name, **changes):
    """A new layer of the same class and config (no weights shared), renamed and changed as asked."""
    config = layer.get_config()
    config.update(changes, name=name)
    return type(layer).from_config(config)


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """``Bidirectional(LSTM(64))``: y = merge(forward(x), reversed_in_time(backward(x))).

    The backward layer is a copy of ``layer`` with ``go_backwards`` flipped
    (or ``backward_layer``, if given). With ``return_sequences`` both give one
    output per step, and the backward one is flipped back in time before
    merging; otherwise each gives its last output (the backward one has read
    the sequence from its end to its start). ``merge_mode``: "concat"
    (default), "sum", "mul", "ave", or None (a list of both outputs). With
    ``return_state`` the result is ``[output, *forward_states,
    *backward_states]``, and an ``initial_state`` list is split in two halves
    the same way. A mask reaches both layers; with ``return_sequences`` masked
    steps give zeros (Keras' ``zero_output_for_mask``).
    """

    recurrent = True  # the loop's thread choice gives BLAS two threads (trainers/threads.py)

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Bidirectional expects a keras.layers.Layer instance (a recurrent layer), got {layer!r}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"Bidirectional: backward_layer must be a keras.layers.Layer instance, "
                             f"got {backward_layer!r}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {MERGE_MODES}, got {merge_mode!r}")
        super().__init__(**kwargs)
        self.forward_layer = _copy_layer(layer, f"forward_{_strip(layer.name, 'forward_')}")
        if backward_layer is None:
            backward_layer = _copy_layer(layer, f"backward_{_strip(layer.name, 'backward_')}",
                                         go_backwards=not layer.go_backwards)
        self.backward_layer = backward_layer
        self._check_pair()
        for one in (self.forward_layer, self.backward_layer):
            if hasattr(one, "zero_output_for_mask"):
                one.zero_output_for_mask = one.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self._initial_weights = weights

    def _check_pair(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(f"Bidirectional '{self.name}': the forward and backward layers must differ in go_backwards, "
                             f"both have go_backwards={forward.go_backwards}")
        for name in ("stateful", "return_sequences", "return_state"):
            if getattr(forward, name) != getattr(backward, name):
                raise ValueError(f"Bidirectional '{self.name}': the forward and backward layers must agree on {name}, "
                                 f"got {getattr(forward, name)} and {getattr(backward, name)}")

    def build(self, input_shape, initial_state_shape=None):
        for one in (self.forward_layer, self.backward_layer):
            if not one.built:
                one._maybe_build(input_shape)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            initial_state = list(initial_state)
            if len(initial_state) % 2:
                raise ValueError(f"Bidirectional '{self.name}' expects an even number of initial states (the forward "
                                 f"layer's, then the backward layer's), got {len(initial_state)}")
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        kwargs = {"mask": mask, "training": training}
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.get_item(y_rev, (slice(None), slice(None, None, -1)))
        output = self._merge(y, y_rev)
        if self.return_state:
            return list(output) + list(states) if self.merge_mode is None else [output, *states]
        return output

    def _merge(self, y, y_rev):
        if self.merge_mode == "concat":
            return ops.concatenate([y, y_rev], axis=-1)
        if self.merge_mode == "sum":
            return ops.add(y, y_rev)
        if self.merge_mode == "ave":
            return ops.multiply(ops.add(y, y_rev), 0.5)
        if self.merge_mode == "mul":
            return ops.multiply(y, y_rev)
        return [y, y_rev]

    def compute_output_shape(self, input_shape, initial_state_shape=None):
        shape = self.forward_layer.compute_output_shape(input_shape)
        state_shapes = []
        if self.return_state:
            shape, state_shapes = shape[0], list(shape[1:])
        shape = tuple(shape)
        if self.merge_mode == "concat":
            shape = shape[:-1] + (None if shape[-1] is None else 2 * shape[-1],)
        outputs = [shape, shape] if self.merge_mode is None else [shape]
        if self.return_state:
            return outputs + state_shapes + state_shapes
        return outputs if self.merge_mode is None else shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            return masks + [None] * (len(self.forward_layer.states or ()) * 2 or 2)
        return masks if self.merge_mode is None else output_mask

    def reset_states(self):
        self.reset_state()

    def reset_state(self):
        if not self.stateful:
            raise AttributeError(f"Bidirectional '{self.name}' is not stateful: it has no states to reset")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    @property
    def states(self):
        forward, backward = self.forward_layer.states, self.backward_layer.states
        return tuple(forward) + tuple(backward) if forward and backward else None

    def get_config(self):
        from glassnet.saving.serialization_lib import serialize_keras_object

        config = super().get_config()
        config.update({"merge_mode": self.merge_mode, "layer": serialize_keras_object(self.forward_layer),
                       "backward_layer": serialize_keras_object(self.backward_layer)})
        return config

    @classmethod
    def from_config(cls, config):
        from glassnet.saving.serialization_lib import deserialize_keras_object

        config = dict(config)
        for key in ("layer", "backward_layer"):
            if isinstance(config.get(key), dict):
                config[key] = deserialize_keras_object(config[key])
        return cls(**config)
