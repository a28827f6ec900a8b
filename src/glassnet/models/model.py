"""Model: a Layer that can be trained (``compile``/``fit``...), summarised and saved.

``keras.Model(inputs, outputs)`` builds a functional model; subclass
``Model`` and write ``call`` for a custom one; ``Sequential`` is a stack.
"""

from glassnet.layers.layer import Layer
from glassnet.trainers.trainer import Trainer


def _functional_arguments(args, kwargs):
    """Whether ``Model(...)`` or a subclass's ``super().__init__(...)`` was given inputs and outputs (by count, as
    Keras decides it there; ``Functional`` then says what is wrong with them)."""
    return len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs


def _symbolic_arguments(args, kwargs):
    """Whether a subclass is constructed as ``MyModel(inputs, outputs)``: both are KerasTensors.

    A subclass whose own constructor takes other objects first
    (``VAE(encoder, decoder)``) stays a subclassed model, whatever the count.
    """
    from glassnet.layers.keras_tensor import is_symbolic

    inputs = kwargs["inputs"] if "inputs" in kwargs else (args[0] if args else None)
    outputs = kwargs["outputs"] if "outputs" in kwargs else (args[1] if len(args) > 1 else None)
    return is_symbolic(inputs) and is_symbolic(outputs)


_functional_subclasses = {}


def functional_subclass(cls):
    """``cls`` with Functional mixed in: what a Model subclass becomes when given inputs and outputs.

    Keras lets ``class MyModel(keras.Model)`` (overriding ``train_step``,
    say) be built as ``MyModel(inputs, outputs)``; the instance gets a class
    named like ``cls`` that runs the graph as a Functional model does.
    """
    from glassnet.models.functional import Functional

    if issubclass(cls, Functional):
        return cls
    if cls not in _functional_subclasses:
        made = type(cls.__name__, (cls, Functional), {"__module__": cls.__module__, "__qualname__": cls.__qualname__,
                                                      "_functional_original": cls})
        _functional_subclasses[cls] = made
    return _functional_subclasses[cls]


class Model(Trainer, Layer):
    """A trainable graph of layers (``keras.Model``).

    ``Model(inputs, outputs)`` makes a functional model. Subclass it, create
    layers in ``__init__`` and write ``call(inputs, training=None)`` for a
    custom one, trained with ``fit`` like any other. A subclass given inputs
    and outputs (``MyModel(inputs, outputs)``, e.g. to override
    ``train_step``) is a functional model of that subclass.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and _functional_arguments(args, kwargs):
            from glassnet.models.functional import Functional

            return Functional.__new__(Functional, *args, **kwargs)  # Python then runs Functional.__init__
        if cls is not Model and _symbolic_arguments(args, kwargs):
            return super().__new__(functional_subclass(cls), *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, trainable=True, name=None, **kwargs):
        if _functional_arguments(args, kwargs):  # super().__init__(inputs, outputs) from a subclass's __init__
            from glassnet.models.functional import Functional

            self.__class__ = functional_subclass(type(self))
            Functional.__init__(self, *args, trainable=trainable, name=name, **kwargs)
            return
        if args:
            raise TypeError("Model.__init__ takes keras.Input tensors and outputs (Model(inputs, outputs)) or keyword "
                            f"arguments only (trainable, name), got {args!r}")
        Trainer.__init__(self)
        Layer.__init__(self, trainable=trainable, name=name, **kwargs)

    def build(self, input_shape):
        """Create the weights by running ``call`` once on zeros of ``input_shape``."""
        if self.built:
            return
        import numpy as np

        from glassnet.autodiff.grad_mode import no_grad

        def zeros(shape):
            if isinstance(shape, list):
                return [zeros(s) for s in shape]
            return np.zeros([1 if d is None else d for d in shape], dtype=self.dtype)

        self.built = True
        with no_grad():
            self.call(zeros(input_shape), **self._default_call_kwargs(False))

    # --- structure -------------------------------------------------------------------
    @property
    def layers(self):
        """The model's layers, in order."""
        return list(self._layers)

    def get_layer(self, name=None, index=None):
        """A layer by ``name`` or by ``index`` into ``layers``."""
        if index is not None and name is not None:
            raise ValueError("Provide either a layer name or a layer index, not both")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"get_layer: index {index} is out of range for a model with {len(layers)} layers")
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No layer named {name!r}. Layers: {[layer.name for layer in layers]}")
        raise ValueError("Provide either a layer name or a layer index")

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False,
                layer_range=None):
        """Print the layer table with output shapes and parameter counts, as Keras does."""
        from glassnet.utils.summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable, layer_range=layer_range)

    def multiply_adds_per_sample(self):
        """Roughly how many multiply-adds one sample costs (for the thread choice)."""
        total = 0
        for layer in self._flatten_layers():
            estimate = getattr(layer, "multiply_adds", None)
            total += estimate() if callable(estimate) else sum(int(w.size) for w in layer._trainable_variables)
        return total

    def _flatten_layers(self):
        """Every layer below this model, depth first."""
        found = []
        for layer in self._layers:
            if isinstance(layer, Model):
                found.extend(layer._flatten_layers())
            else:
                found.append(layer)
        return found

    # --- weights on disk -------------------------------------------------------------
    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Save the weights (and optimizer state) to a Keras 3 ``.weights.h5`` file."""
        from glassnet.saving.weights_h5 import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Load weights from a ``.weights.h5`` or ``.keras`` file, or a legacy ``.h5`` one (``by_name=True`` there)."""
        from glassnet.saving.weights_h5 import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    # --- saving ------------------------------------------------------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Save the architecture, weights and optimizer state to a Keras 3 ``.keras`` file.

        A name ending in ``.h5``/``.hdf5`` writes Keras' legacy HDF5 model
        file instead (with Keras' warning that the format is legacy).
        The file is written under a temporary name and renamed, so a failed
        save leaves any earlier file intact. Keras 3 loads it too.
        """
        from glassnet.saving.keras_file import save_model

        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def export(self, filepath, format="onnx", verbose=None, input_signature=None, **kwargs):
        """Write the model for inference elsewhere: an ONNX file (opset 17, dynamic batch axis) computing ``predict``.

        Keras 3's method and arguments; glassnet writes ``format="onnx"`` only (``pip install glassnet[onnx]``).
        """
        from glassnet.export.api import export_model

        export_model(self, filepath, format=format, verbose=verbose, input_signature=input_signature, **kwargs)

    def to_json(self, **kwargs):
        """The model's architecture as Keras 3's JSON (no weights); ``models.model_from_json`` reads it."""
        from glassnet.saving.serialization_lib import to_json_text

        return to_json_text(self, **kwargs)

    def get_config(self):
        """A subclassed model's config: name, trainable, dtype, and the arguments its constructor got.

        Write your own ``get_config`` when the constructor takes arguments
        that are not numbers, strings, lists, dicts or serializable objects.
        """
        return Layer.get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A subclassed model from its config; a functional config (``layers``, ``input_layers``...) rebuilds the graph."""
        if isinstance(config, dict) and {"layers", "input_layers", "output_layers"} <= set(config):
            from glassnet.models.functional_config import functional_from_config

            return functional_from_config(cls, config, custom_objects)
        return super().from_config(config)

    def get_compile_config(self):
        """What ``compile`` was given (optimizer, loss, metrics...), for the saved file; {} before compile."""
        if not self.compiled or getattr(self, "_compile_config", None) is None:
            return {}
        return dict(self._compile_config)

    def compile_from_config(self, config):
        """Compile from ``get_compile_config()``'s (serialized) output, and build the optimizer's slots."""
        from glassnet.saving.serialization_lib import deserialize_keras_object

        if type(self).compile is not Model.compile:
            import warnings

            warnings.warn(f"{type(self).__name__} overrides compile(), so loading did not compile it: call compile() "
                          "yourself, or write get_compile_config()/compile_from_config()", stacklevel=2)
            return
        config = deserialize_keras_object(config)
        known = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
                 "steps_per_execution", "jit_compile", "auto_scale_loss")
        self.compile(**{key: value for key, value in config.items() if key in known})
        if self.built and self.trainable_weights:
            self.optimizer.build(self.trainable_weights)
