"""Model: a Layer that can be trained (``compile``/``fit``...), summarised and saved.

``keras.Model(inputs, outputs)`` builds a functional model; subclass
``Model`` and write ``call`` for a custom one; ``Sequential`` is a stack.
"""

from glassnet.layers.layer import Layer, _pending_losses
from glassnet.trainers.trainer import Trainer


class Model(Trainer, Layer):
    """A trainable graph of layers (``keras.Model``)."""

    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs):
            from glassnet.models.functional import Functional

            return Functional(*args, **kwargs)
        return super().__new__(cls)

    def __init__(self, *args, trainable=True, name=None, **kwargs):
        Trainer.__init__(self)
        Layer.__init__(self, trainable=trainable, name=name, **kwargs)

    # --- calling ---------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if _pending_losses[0]:
            self._clear_losses()
            _pending_losses[0] = 0
        return Layer.__call__(self, *args, **kwargs)

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
                      show_trainable=show_trainable)

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
        """Load weights from a ``.weights.h5`` file written by glassnet or Keras 3."""
        from glassnet.saving.weights_h5 import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}
