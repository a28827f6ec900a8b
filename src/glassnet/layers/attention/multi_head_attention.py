"""MultiHeadAttention: scaled dot-product attention in several heads, as in "Attention Is All You Need".

For query X_q (B, T, d_q) and value X_v (B, S, d_v) (key X_k = X_v unless given):

    Q = X_q W_q + b_q   (B, T, N, key_dim)      W_q: (d_q, N, key_dim)
    K = X_k W_k + b_k   (B, S, N, key_dim)      W_k: (d_k, N, key_dim)
    V = X_v W_v + b_v   (B, S, N, value_dim)    W_v: (d_v, N, value_dim)
    A = softmax(Q K^T / sqrt(key_dim), over S, masked)       (B, N, T, S)
    O = (A V) W_o + b_o  (B, T, d_q or output_shape)         W_o: (N, value_dim, d_out)

The four projections are EinsumDense sub-layers named query, key, value and
attention_output with Keras 3's kernel layouts, so weights and ``.keras``
files are interchangeable with Keras. ``attention_axes`` chooses the axes
attention runs over for inputs of rank > 3 (default: all but batch and
features). Masks: the query's and value's Keras masks (from
``Embedding(mask_zero=True)``), ``attention_mask`` (B, T, S), and
``use_causal_mask`` (position t sees s <= t) are combined with AND.
"""

import math
import string

import numpy as np

from glassnet import constraints, initializers, ops, regularizers
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


def projection_equation(free_dims, bound_dims, output_dims):
    """``(equation, bias letters, output rank)`` of a projection: free axes kept, bound ones contracted."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims:free_dims + bound_dims]
    out = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out, free_dims + output_dims


def attention_equations(rank, attention_axes):
    """``(scores equation, combine equation, scores rank)`` for projected tensors of ``rank``.

    Projected tensors are (batch, <other axes>, <attention axes>, heads, channels);
    the scores are (batch, <other axes>, heads, <query attention axes>, <key attention axes>).
    """
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch_axes = [i for i in range(rank - 1) if i not in attention_axes]
    source, extra = "", rank
    for i in range(rank):
        if i in batch_axes or i == rank - 1:
            source += target[i]
        else:
            source += letters[extra]
            extra += 1
    product = ("".join(target[i] for i in batch_axes) + "".join(target[i] for i in attention_axes)
               + "".join(source[i] for i in attention_axes))
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def _positive_int(value, name, optional=False):
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"MultiHeadAttention: {name} must be a positive integer{' or None' if optional else ''}, "
                         f"got {name}={value!r}")


def clone_initializer(initializer):
    """A fresh copy, so the four projections do not draw identical seeded weights."""
    if hasattr(initializer, "get_config") and hasattr(type(initializer), "from_config"):
        return type(initializer).from_config(initializer.get_config())
    return initializer


class MultiHeadAttention(QueryValueLayer):
    """Multi-head attention: ``layer(query, value, key=None, attention_mask=None, ...)``.

    Args:
        num_heads: the number of heads N.
        key_dim: the size of each query and key head.
        value_dim: the size of each value head (default key_dim).
        dropout: dropout rate on the attention probabilities (training only).
        use_bias: whether the projections have biases.
        output_shape: the output's last axes (default: the query's last axis).
        attention_axes: the axes attention runs over (default: all but batch, features).
        use_gate: multiply the attention output by sigmoid(X_q W_g + b_g) before the output projection.
        sliding_window: each query position sees keys less than this far away.
        kernel_*, bias_*: initializers, regularizers and constraints of the projections.
        seed: the dropout seed.

    Call: ``query_mask``/``value_mask``/``key_mask`` default to the inputs' Keras
    masks; ``return_attention_scores=True`` also returns A (B, N, T, S).
    """

    def __init__(self, num_heads, key_dim=None, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, use_gate=False, sliding_window=None, flash_attention=None, seed=None, **kwargs):
        _positive_int(num_heads, "num_heads")
        if key_dim is None:
            raise ValueError("MultiHeadAttention needs key_dim, the size of each attention head (e.g. "
                             "MultiHeadAttention(num_heads=2, key_dim=64)); got key_dim=None")
        _positive_int(key_dim, "key_dim")
        _positive_int(value_dim, "value_dim", optional=True)
        _positive_int(sliding_window, "sliding_window", optional=True)
        if not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f"MultiHeadAttention: dropout must be in [0, 1), got {dropout!r}")
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"MultiHeadAttention: attention_axes must be an int, list or tuple, "
                             f"got {attention_axes!r}")
        if isinstance(output_shape, int):
            output_shape = (output_shape,)
        super().__init__(**kwargs)
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = value_dim or key_dim
        self.dropout, self.use_bias, self.use_gate = float(dropout), use_bias, use_gate
        self._output_shape = tuple(output_shape) if output_shape else None
        self.attention_axes = tuple(attention_axes) if attention_axes is not None else None
        self.sliding_window, self.seed = sliding_window, seed
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)  # on each projection, as Keras
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._dropout_layer = Dropout(self.dropout, seed=seed, name="dropout")

    # --- building -------------------------------------------------------------------------------------------------
    def _projection(self, name, equation, bias_axes, output_shape, activation=None):
        return EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes if self.use_bias else None,
                           activation=activation, name=name, kernel_initializer=clone_initializer(self.kernel_initializer),
                           bias_initializer=clone_initializer(self.bias_initializer),
                           kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
                           activity_regularizer=self._activity_regularizer,
                           kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint,
                           dtype=self.dtype)

    def _heads_projection(self, name, input_shape, size, activation=None):
        equation, bias_axes, rank = projection_equation(len(input_shape) - 1, 1, 2)
        layer = self._projection(name, equation, bias_axes, [None] * (rank - 3) + [self.num_heads, size], activation)
        layer.build(tuple(input_shape))
        return layer

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        check_key_value(self, value_shape, key_shape)
        if len(query_shape) != len(value_shape):
            raise ValueError(f"MultiHeadAttention '{self.name}': query and value must have the same rank, got "
                             f"query_shape={tuple(query_shape)} and value_shape={tuple(value_shape)}")
        self.query_dense = self._heads_projection("query", query_shape, self.key_dim)
        self.key_dense = self._heads_projection("key", key_shape, self.key_dim)
        if self.use_gate:
            self._gate_dense = self._heads_projection("gate", query_shape, self.value_dim, activation="sigmoid")
            self._track(self._gate_dense)
        self.value_dense = self._heads_projection("value", value_shape, self.value_dim)
        rank = len(query_shape) + 1
        self._build_attention(rank)
        out_shape = self._output_shape or (query_shape[-1],)
        equation, bias_axes, out_rank = projection_equation(len(query_shape) - 1, 2, len(out_shape))
        self.output_dense = self._projection("attention_output", equation, bias_axes,
                                             [None] * (out_rank - 1 - len(out_shape)) + list(out_shape))
        self.output_dense.build(tuple(query_shape[:-1]) + (self.num_heads, self.value_dim))
        self.built = True

    def _build_attention(self, rank):
        axes = self.attention_axes if self.attention_axes is not None else tuple(range(1, rank - 2))
        axes = tuple(a if a >= 0 else (rank - 1) + a for a in axes)
        bad = [a for a in axes if not 0 < a < rank - 2]
        if bad:
            raise ValueError(f"MultiHeadAttention '{self.name}': attention_axes {self.attention_axes} must name axes "
                             f"of the query between the batch and the feature axis (1..{rank - 3}); got {bad}")
        self.attention_axes = axes
        self._dot_product_equation, self._combine_equation, scores_rank = attention_equations(rank, axes)
        self._softmax_axes = tuple(range(scores_rank - len(axes), scores_rank))

    # --- calling --------------------------------------------------------------------------------------------------
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        query_mask = _keras_mask(query, query_mask)
        value_mask = _keras_mask(value, value_mask)
        if key is not None and key is not value:
            key_mask = _keras_mask(key, key_mask)
        key = value if key is None else key
        self._check_features(query, value, key)
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        q, k, v = self.query_dense(query), self.key_dense(key), self.value_dense(value)
        # Keras' fused path (no dropout, no scores returned, rank-3 inputs) leaves fully masked rows uniform
        fused = not (self.dropout > 0 or return_attention_scores or query.ndim != 3)
        output, scores = self._compute_attention(q, k, v, mask, training, zero_masked=not fused)
        if gate is not None:
            output = ops.multiply(output, gate)
        output = with_mask(self.output_dense(output), query_mask)
        return (output, scores) if return_attention_scores else output

    def _check_features(self, query, value, key):
        for name, tensor, dense in (("query", query, self.query_dense), ("value", value, self.value_dense),
                                    ("key", key, self.key_dense)):
            expected = dense.kernel.shape[0]
            if tensor.shape[-1] != expected or tensor.ndim != dense.input_spec.ndim:
                raise ValueError(f"MultiHeadAttention '{self.name}' was built for {name} of rank "
                                 f"{dense.input_spec.ndim} with last dimension {expected}; got {name} of shape "
                                 f"{tuple(tensor.shape)}")

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, explicit, use_causal_mask):
        mask = attention_mask(self, query, value, query_mask, value_mask, key_mask, explicit, use_causal_mask,
                              self.sliding_window)
        if mask is None:
            return None
        scores_rank = len(self._dot_product_equation.split("->")[1])
        axis = -len(self.attention_axes) * 2 - 1
        while mask.ndim < scores_rank:
            mask = np.expand_dims(mask, axis)
        return mask

    def _compute_attention(self, query, key, value, mask=None, training=None, zero_masked=True):
        """``(output, probabilities)``: softmax(Q K^T / sqrt(key_dim)) V, dropout on the probabilities."""
        query = ops.multiply(query, 1.0 / math.sqrt(float(self.key_dim)))
        scores = ops.einsum(self._dot_product_equation, key, query)
        probabilities = masked_softmax(scores, mask, self._softmax_axes, zero_masked)
        dropped = self._dropout_layer(probabilities, training=training) if self.dropout > 0 else probabilities
        return ops.einsum(self._combine_equation, dropped, value), probabilities

    # --- shapes and config ----------------------------------------------------------------------------------------
    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None and key_shape is not None:
            check_key_value(self, value_shape, key_shape)
        return query_shape[:-1] + (self._output_shape or (query_shape[-1],))

    def output_shapes(self, query_shape, value_shape, key_shape, return_attention_scores):
        output = self.compute_output_shape(query_shape, value_shape, key_shape)
        if not return_attention_scores:
            return output
        axes = self.attention_axes
        others = [query_shape[i] for i in range(1, len(query_shape) - 1) if i not in axes]
        scores = ((query_shape[0],) + tuple(others) + (self.num_heads,) + tuple(query_shape[a] for a in axes)
                  + tuple(value_shape[a] for a in axes))
        return output, scores

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self.num_heads, "key_dim": self.key_dim, "value_dim": self.value_dim,
            "dropout": self.dropout, "use_bias": self.use_bias, "use_gate": self.use_gate,
            "output_shape": list(self._output_shape) if self._output_shape else None,
            "attention_axes": list(self.attention_axes) if self.attention_axes is not None else None,
            "sliding_window": self.sliding_window,
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


def _keras_mask(tensor, given):
    """The Keras mask a tensor carries, else the mask given explicitly."""
    carried = getattr(tensor, "_keras_mask", None)
    return carried if carried is not None else given
