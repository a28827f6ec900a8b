"""ReversibleEmbedding: an Embedding that can also project vectors back to vocabulary logits."""

from glassnet import ops
from glassnet.layers.core.embedding import Embedding
from glassnet.layers.layer import dtype_name


class ReversibleEmbedding(Embedding):
    """``embedding(ids)`` looks vectors up; ``embedding(hidden, reverse=True)`` gives logits over the vocabulary:

        logits = hidden @ embeddings^T                       (tie_weights=True, the default)
        logits = hidden @ reverse_embeddings                 (tie_weights=False: a separate
                                                               (output_dim, input_dim) weight)
        logits = tanh(logits / logit_soft_cap) * logit_soft_cap   (when logit_soft_cap is set)

    ``reverse_dtype`` casts both operands before the product (default: the
    layer's dtype). With ``mask_zero`` the forward outputs carry the mask
    ``ids != 0``; the logits carry none. As Keras 3's ``layers.ReversibleEmbedding``.
    """

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer, embeddings_constraint=embeddings_constraint,
                         mask_zero=mask_zero, **kwargs)
        if logit_soft_cap is not None and (isinstance(logit_soft_cap, bool) or not isinstance(logit_soft_cap, (int, float))
                                           or not logit_soft_cap > 0):
            raise ValueError(f"ReversibleEmbedding: logit_soft_cap must be a positive number or None, "
                             f"got {logit_soft_cap!r}")
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = None if reverse_dtype is None else dtype_name(reverse_dtype)
        self.logit_soft_cap = logit_soft_cap
        self.supports_masking = True  # the forward call sets its own mask (below); the logits have none

    def build(self, input_shape=None):
        initial, self._initial_weights = self._initial_weights, None
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(shape=(self.output_dim, self.input_dim), name="reverse_embeddings",
                                                      initializer=self.embeddings_initializer, trainable=True)
        if initial is not None:
            self.set_weights(initial)

    def call(self, inputs, reverse=False):
        if not reverse:
            outputs = super().call(inputs)
            if self.mask_zero:
                outputs._keras_mask = super().compute_mask(inputs)
            return outputs
        if inputs.shape[-1] != self.output_dim:
            raise ValueError(f"ReversibleEmbedding '{self.name}' with reverse=True expects vectors with last dimension "
                             f"output_dim={self.output_dim}, got inputs of shape {tuple(inputs.shape)}")
        kernel = ops.transpose(self.embeddings) if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            inputs, kernel = ops.cast(inputs, self.reverse_dtype), ops.cast(kernel, self.reverse_dtype)
        logits = ops.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = ops.multiply(ops.tanh(ops.divide(logits, cap)), cap)
        return logits

    def _symbolic_call(self, inputs, args, kwargs):
        self._symbolic_reverse = bool(kwargs.get("reverse", args[0] if args else False))
        try:
            return super()._symbolic_call(inputs, args, kwargs)
        finally:
            self._symbolic_reverse = False

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape, reverse=None):
        if reverse is None:
            reverse = getattr(self, "_symbolic_reverse", False)
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return tuple(input_shape) + (self.output_dim,)

    def _output_dtype(self, inputs):
        if getattr(self, "_symbolic_reverse", False) and self.reverse_dtype is not None:
            return self.reverse_dtype
        return self.dtype

    def get_config(self):
        return {**super().get_config(), "tie_weights": self.tie_weights, "reverse_dtype": self.reverse_dtype,
                "logit_soft_cap": self.logit_soft_cap}
