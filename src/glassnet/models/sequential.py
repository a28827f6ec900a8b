"""Sequential: a plain stack of layers, each feeding the next."""

from glassnet.layers.core.input_layer import InputLayer
from glassnet.layers.keras_tensor import KerasTensor
from glassnet.layers.layer import Layer
from glassnet.models.model import Model


class Sequential(Model):
    """``Sequential([layers...])`` or ``Sequential()`` then ``.add(layer)``.

    When the first layer is ``keras.Input(...)`` or declares ``input_shape``
    / ``input_dim``, the model is built at once (so ``summary()`` works);
    otherwise it is built from the first data it sees.
    """

    _reads_raw_config = True  # from_config deserializes its layers itself

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._input_layer = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build_from_input()

    def add(self, layer, rebuild=True):
        """Append a layer (or ``keras.Input(...)``) to the stack."""
        if isinstance(layer, KerasTensor):
            history = layer._keras_history
            if history is None or not isinstance(history[0], InputLayer):
                raise ValueError("Sequential.add accepts layers or keras.Input(...) tensors")
            layer = history[0]
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a Layer, got {type(layer).__name__}: {layer!r}")
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._layers:
                raise ValueError("keras.Input(...) can only be the first entry of a Sequential model")
            self._input_layer = layer
            return
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(f"Sequential: all layers need unique names; '{layer.name}' is already in the model")
        if not self._layers and self._input_layer is None and layer._batch_input_shape is not None:
            self._input_layer = InputLayer(batch_shape=layer._batch_input_shape)
        self._layers.append(layer)
        self.built = False
        if rebuild:
            self._maybe_build_from_input()

    def pop(self, rebuild=True):
        """Remove and return the last layer."""
        if not self._layers:
            raise TypeError("There are no layers in the model to pop")
        layer = self._layers.pop()
        self.built = False
        if rebuild:
            self._maybe_build_from_input()
        return layer

    def _maybe_build_from_input(self):
        if self._input_layer is not None and self._layers:
            self.build(self._input_layer.batch_shape)

    def build(self, input_shape=None):
        """Build every layer in turn, passing the output shape of one to the next."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("Sequential.build needs an input shape, e.g. build((None, 784))")
            input_shape = self._input_layer.batch_shape
        input_layer = self._input_layer or InputLayer(batch_shape=input_shape)
        start = input_layer.output_tensor  # layer outputs then lead back to a keras.Input, as in Keras
        if tuple(start.shape) != tuple(input_shape):
            start = KerasTensor(tuple(input_shape), dtype=input_layer.dtype)
        tensor = start
        shapes = []
        for layer in self._layers:
            tensor = layer(tensor)
            shapes.append(tensor.shape if isinstance(tensor, KerasTensor) else [t.shape for t in tensor])
        self._input_layer = input_layer  # only once every layer accepted the shape
        self._symbolic_ends = (start, tensor)
        self._output_shapes = shapes
        self._build_shapes = tuple(input_shape)
        self.built = True

    def _maybe_build(self, input_shape):
        if not self.built:
            self.build((None,) + tuple(input_shape[1:]))

    def call(self, inputs, training=None):
        if isinstance(inputs, dict):
            raise ValueError(f"Sequential '{self.name}' takes one input array, got a dict keyed {sorted(inputs)}. Pass "
                             "the array itself; inputs by name need a functional model with named keras.Input layers")
        x = self._adjust_input_rank(inputs) if self._input_layer is not None else inputs
        for layer in self._layers:
            x = layer(x, training=training)
        return x

    def _adjust_input_rank(self, x):
        """Keras' rule for inputs whose rank differs from the declared input's.

        One axis too many of size 1 is squeezed, one too few is added when the
        declared last axis is 1; any other rank difference raises, naming the
        model, the shape it was built for and the shape it got. (Sizes are
        checked by the layers themselves.)
        """
        expected = self._input_layer.batch_shape
        shape = getattr(x, "shape", None)
        if shape is None or len(shape) == len(expected):
            return x
        from glassnet import ops

        if len(shape) == len(expected) + 1 and shape[-1] == 1:
            return ops.squeeze(x, axis=-1)
        if len(shape) == len(expected) - 1 and expected[-1] == 1:
            return ops.expand_dims(x, axis=-1)
        import math

        sample, got = tuple(expected[1:]), tuple(shape)
        hint = ""
        if None not in sample and math.prod(got[1:]) == math.prod(sample):
            hint = f" Reshape the samples first, e.g. x.reshape(-1, {', '.join(str(d) for d in sample)})."
        elif len(got) == len(expected) - 1 and all(a is None or a == b for a, b in zip(sample[1:], got[1:])):
            hint = " Did you pass a single sample? Add the batch axis, e.g. x[None] or x.reshape(1, ...)."

        def dims(n):
            return f"{n} dimension{'s' if n != 1 else ''}"

        raise ValueError(
            f"Sequential '{self.name}' expects inputs of shape {expected} ({dims(len(expected))}, batch axis "
            f"first), got inputs of shape {got} ({dims(len(got))}).{hint}"
        )

    def compute_output_shape(self, input_shape):
        if not self.built:
            self.build(input_shape)
        return self._output_shapes[-1] if self._output_shapes else tuple(input_shape)

    @property
    def input_shape(self):
        if self._input_layer is None:
            raise AttributeError("The model has no input shape yet: it has not been built")
        return self._input_layer.batch_shape

    @property
    def output_shape(self):
        if not self.built:
            raise AttributeError("The model has no output shape yet: it has not been built")
        return self._output_shapes[-1]

    @property
    def inputs(self):
        """``[the symbolic input]`` of the built stack, as Keras' ``Sequential.inputs`` (for a functional model
        made from its layers, e.g. a feature extractor: ``keras.Model(model.inputs, model.layers[1].output)``)."""
        return [self._symbolic_end(0, "inputs")]

    @property
    def outputs(self):
        """``[the symbolic output]`` of the built stack, as Keras' ``Sequential.outputs``."""
        ends = self._symbolic_end(1, "outputs")
        return list(ends) if isinstance(ends, (list, tuple)) else [ends]

    @property
    def input(self):
        return super().input if self._inbound_nodes else self.inputs[0]

    @property
    def output(self):
        return super().output if self._inbound_nodes else self._symbolic_end(1, "output")

    def _symbolic_end(self, index, what):
        ends = self.__dict__.get("_symbolic_ends")
        if not self.built or ends is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {what} yet: give it a "
                                 "keras.Input(...) first layer, or build it (build(input_shape) or one call on data)")
        return ends[index]

    @property
    def input_spec(self):
        return None

    @input_spec.setter
    def input_spec(self, value):
        pass

    def layer_output_shapes(self):
        """The output shape of each layer (for ``summary``)."""
        return list(self._output_shapes) if self.built else [None] * len(self._layers)

    def get_config(self):
        """Keras 3's Sequential config: the layers in order (the InputLayer first) and the built input shape."""
        from glassnet.layers.layer import dtype_policy_config
        from glassnet.models.functional_config import serialize_layer

        layers = []
        if self._input_layer is not None:
            layers.append(serialize_layer(self._input_layer))
        layers.extend(serialize_layer(layer) for layer in self._layers)
        config = {"name": self.name, "trainable": self.trainable, "dtype": dtype_policy_config(self.dtype),
                  "layers": layers}
        if self.built and self._build_shapes is not None:
            config["build_input_shape"] = list(self._build_shapes)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the stack from ``get_config()``'s output (glassnet's or Keras 3's)."""
        from glassnet.saving.serialization_lib import deserialize_keras_object, loading_scope

        entries = config.get("layers")
        if not isinstance(entries, list):
            raise ValueError(f"A Sequential config needs a 'layers' list, got keys {sorted(config)}")
        with loading_scope(custom_objects, None):
            layers = [deserialize_keras_object(entry) for entry in entries]
        for layer in layers:
            if not isinstance(layer, Layer):
                raise ValueError(f"A Sequential config entry is a {type(layer).__name__}, not a layer")
        model = cls(layers=layers, name=config.get("name"), trainable=config.get("trainable", True))
        shape = config.get("build_input_shape")
        if not model.built and shape and model._layers:
            model.build(tuple(shape))
        return model
