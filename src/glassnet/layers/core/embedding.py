"""Embedding: integer ids (words, characters, items) to dense vectors, ``y = embeddings[ids]``."""

import numpy as np

from glassnet import constraints, initializers, regularizers
from glassnet.layers.layer import Layer
from glassnet.ops.embedding import embedding_lookup
from glassnet.state import current
from glassnet.utils.serialization import serialize_object


class Embedding(Layer):
    """Turns ids in ``[0, input_dim)`` into vectors of size ``output_dim`` (Keras 3's ``layers.Embedding``).

    Args:
        input_dim: the vocabulary size (largest id + 1).
        output_dim: the size of each vector.
        embeddings_initializer: ``"uniform"`` (RandomUniform(-0.05, 0.05)), as in Keras.
        embeddings_regularizer, embeddings_constraint: as for Dense's kernel.
        mask_zero: id 0 is padding: the outputs carry the mask ``ids != 0`` for the layers after it
            (recurrent layers skip those steps, losses and metrics ignore them). ``input_dim`` then
            still counts id 0.
        weights: initial values, a list with one (input_dim, output_dim) array.

    Inputs of shape (batch, ...) hold integer ids (float arrays of whole numbers
    are accepted, as Keras casts them); the output has shape (batch, ..., output_dim).
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, lora_rank=None, lora_alpha=None,
                 activity_regularizer=None, quantization_config=None, **kwargs):
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(f"Embedding: {name} must be a positive integer, got {value!r}")
        if lora_rank is not None:
            raise ValueError("Embedding: lora_rank (LoRA fine-tuning) is not supported by glassnet")
        kwargs.pop("input_length", None)  # Keras 2's argument, ignored by Keras 3 too
        if quantization_config is not None:
            raise ValueError("Embedding: quantization_config is not supported by glassnet")
        super().__init__(**kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self._initial_weights = weights

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer, name="embeddings",
            regularizer=self.embeddings_regularizer, constraint=self.embeddings_constraint,
        )
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs):
        if current.plan_trace is not None:  # a compiled training step checks every batch's ids too
            current.plan_trace.effect(self, "_ids", (inputs,))
        return embedding_lookup(self.embeddings, self._ids(inputs))

    def _ids(self, inputs):
        """The ids as an integer array, checked: whole numbers in [0, input_dim)."""
        ids = inputs.data if hasattr(inputs, "data") else np.asarray(inputs)
        if ids.dtype.kind not in "iub":
            if ids.dtype.kind != "f" or (ids.size and not (ids == np.floor(ids)).all()):
                raise ValueError(
                    f"Embedding '{self.name}' expects integer ids (e.g. from pad_sequences or TextVectorization), "
                    f"got values of dtype {ids.dtype} with shape {ids.shape}"
                    + (" that are not whole numbers: are these already vectors? Embedding takes the ids."
                       if ids.dtype.kind == "f" else "")
                )
            ids = ids.astype(np.int64)
        if ids.size:
            low, high = int(ids.min()), int(ids.max())
            if low < 0 or high >= self.input_dim:
                raise ValueError(
                    f"Embedding '{self.name}' has input_dim={self.input_dim}, so ids must lie in [0, {self.input_dim}), "
                    f"got ids from {low} to {high}. Raise input_dim to the vocabulary size (largest id + 1)"
                )
        return ids

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        ids = inputs.data if hasattr(inputs, "data") else np.asarray(inputs)
        return ids != 0

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def _output_dtype(self, inputs):
        return self.dtype

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim, "output_dim": self.output_dim,
            "embeddings_initializer": serialize_object(self.embeddings_initializer),
            "embeddings_regularizer": serialize_object(self.embeddings_regularizer),
            "activity_regularizer": serialize_object(self.activity_regularizer),
            "embeddings_constraint": serialize_object(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        })
        return config
