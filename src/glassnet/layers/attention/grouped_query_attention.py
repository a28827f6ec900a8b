"""GroupedQueryAttention (GroupQueryAttention in Keras' files): multi-head attention whose key/value heads are shared by groups of query heads.

With N_q query heads and N_kv key/value heads (N_q divisible by N_kv), each
key/value head serves N_q / N_kv query heads (Ainslie et al., 2023):

    Q = X_q W_q + b_q  (B, T, N_q, h)     K = X_k W_k + b_k,  V = X_v W_v + b_v  (B, S, N_kv, h)
    K, V repeated N_q / N_kv times along the head axis
    A = softmax(Q K^T / sqrt(h), over S, masked)      (B, N_q, T, S)
    O = (A V) W_o + b_o                                (B, T, d_model)

Sub-layers query, key, value, attention_output are EinsumDense with Keras 3's
equations ("bqm,muh->bquh", "bkm,mvh->bkvh", "bquh,uhm->bqm").
"""

import math

from glassnet import constraints, initializers, ops, regularizers
from glassnet.layers.attention.multi_head_attention import (
    _keras_mask,
    clone_initializer,
)
from glassnet.layers.attention.query_value import (
    QueryValueLayer,
    attention_mask,
    check_key_value,
    masked_softmax,
    with_mask,
)
from glassnet.layers.core.einsum_dense import EinsumDense
from glassnet.layers.regularization.dropout import Dropout
from glassnet.utils.serialization import serialize_object


class GroupedQueryAttention(QueryValueLayer):
    """Grouped-query attention: ``layer(query, value, key=None, attention_mask=None, ...)`` on (B, T, dim) inputs.

    Args:
        head_dim: the size of each head.
        num_query_heads: the number of query heads.
        num_key_value_heads: the number of key and value heads (divides num_query_heads).
        dropout, use_bias, use_gate, sliding_window, kernel_*, bias_*, seed: as in MultiHeadAttention.
    """

    keras_class_name = "GroupQueryAttention"  # Keras 3 writes this name in files (its weights key stays grouped_...)

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, sliding_window=None, flash_attention=None, seed=None, **kwargs):
        for name, value in (("head_dim", head_dim), ("num_query_heads", num_query_heads),
                            ("num_key_value_heads", num_key_value_heads)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"GroupedQueryAttention: {name} must be a positive integer, got {name}={value!r}")
        if num_query_heads % num_key_value_heads:
            raise ValueError(f"GroupedQueryAttention: num_query_heads ({num_query_heads}) must be divisible by "
                             f"num_key_value_heads ({num_key_value_heads})")
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError(f"GroupedQueryAttention: sliding_window must be None or a positive integer, "
                             f"got {sliding_window!r}")
        super().__init__(**kwargs)
        self.head_dim, self.num_query_heads, self.num_key_value_heads = head_dim, num_query_heads, num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout, self.use_bias, self.use_gate = float(dropout), use_bias, use_gate
        self.sliding_window, self.seed = sliding_window, seed
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)  # on each projection, as Keras
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._dropout_layer = Dropout(self.dropout, seed=seed, name="dropout")

    def _projection(self, name, equation, output_shape, bias_axes, input_shape, activation=None):
        layer = EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes if self.use_bias else None,
                            activation=activation, name=name,
                            kernel_initializer=clone_initializer(self.kernel_initializer),
                            bias_initializer=clone_initializer(self.bias_initializer),
                            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
                            activity_regularizer=self._activity_regularizer,
                            kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint,
                            dtype=self.dtype)
        layer.build(tuple(input_shape))
        return layer

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        self._check_shapes(query_shape, value_shape, key_shape)
        heads_q, heads_kv, h = self.num_query_heads, self.num_key_value_heads, self.head_dim
        self.feature_dim = query_shape[-1]
        self._query_dense = self._projection("query", "bqm,muh->bquh", (None, heads_q, h), "uh", query_shape)
        self._key_dense = self._projection("key", "bkm,mvh->bkvh", (None, heads_kv, h), "vh", key_shape)
        if self.use_gate:
            self._gate_dense = self._projection("gate", "bqm,muh->bquh", (None, heads_q, h), "uh", query_shape,
                                                activation="sigmoid")
        self._value_dense = self._projection("value", "bkm,mvh->bkvh", (None, heads_kv, h), "vh", value_shape)
        self._output_dense = self._projection("attention_output", "bquh,uhm->bqm", (None, self.feature_dim), "m",
                                              (None, None, heads_q, h))
        gate = [self._gate_dense] if self.use_gate else []
        for layer in [self._query_dense, self._key_dense] + gate + [self._value_dense, self._output_dense]:
            self._track(layer)  # kept under Keras' attribute names (_query_dense, ...), where its files store them
        self.built = True

    def _check_shapes(self, query_shape, value_shape, key_shape):
        for name, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3:
                raise ValueError(f"GroupedQueryAttention '{self.name}' expects {name} of shape (batch, length, "
                                 f"features), got {tuple(shape)}")
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(f"GroupedQueryAttention '{self.name}': the last dimension of query and value must be "
                             f"equal, got query_shape={tuple(query_shape)} and value_shape={tuple(value_shape)}")
        check_key_value(self, value_shape, key_shape)

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        query_mask = _keras_mask(query, query_mask)
        value_mask = _keras_mask(value, value_mask)
        if key is not None and key is not value:
            key_mask = _keras_mask(key, key_mask)
        key = value if key is None else key
        self._check_shapes(query.shape, value.shape, key.shape)
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        q, k, v = self._query_dense(query), self._key_dense(key), self._value_dense(value)
        k = ops.repeat(k, self.num_repeats, axis=2)
        v = ops.repeat(v, self.num_repeats, axis=2)
        q = ops.multiply(q, 1.0 / math.sqrt(float(self.head_dim)))
        zero_masked = self.dropout > 0 or return_attention_scores  # else Keras' fused path: masked rows uniform
        scores = masked_softmax(ops.einsum("bquh,bkuh->buqk", q, k), mask, (-1,), zero_masked)
        dropped = self._dropout_layer(scores, training=training) if self.dropout > 0 else scores
        output = ops.einsum("buqk,bkuh->bquh", dropped, v)
        if gate is not None:
            output = ops.multiply(output, gate)
        output = with_mask(self._output_dense(output), query_mask)
        return (output, scores) if return_attention_scores else output

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, explicit, use_causal_mask):
        mask = attention_mask(self, query, value, query_mask, value_mask, key_mask, explicit, use_causal_mask,
                              self.sliding_window)
        while mask is not None and mask.ndim < 4:
            mask = mask[..., None, :, :]
        return mask

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        return tuple(query_shape)

    def output_shapes(self, query_shape, value_shape, key_shape, return_attention_scores):
        if key_shape is not None:
            check_key_value(self, value_shape, key_shape)
        output = tuple(query_shape)
        if not return_attention_scores:
            return output
        length = value_shape[1] if key_shape is None else key_shape[1]
        return output, (query_shape[0], self.num_query_heads, query_shape[1], length)

    def get_config(self):
        config = super().get_config()
        config.update({
            "head_dim": self.head_dim, "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias, "use_gate": self.use_gate,
            "sliding_window": self.sliding_window, "dropout": self.dropout,
            "kernel_initializer": serialize_object(self.kernel_initializer),
            "bias_initializer": serialize_object(self.bias_initializer),
            "kernel_regularizer": serialize_object(self.kernel_regularizer),
            "bias_regularizer": serialize_object(self.bias_regularizer),
            "activity_regularizer": serialize_object(self._activity_regularizer),
            "kernel_constraint": serialize_object(self.kernel_constraint),
            "bias_constraint": serialize_object(self.bias_constraint),
            "seed": self.seed,
        })
        return config


GroupQueryAttention = GroupedQueryAttention
