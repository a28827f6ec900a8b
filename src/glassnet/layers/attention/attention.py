"""Attention: Luong-style dot-product attention over ``[query, value]`` or ``[query, value, key]``.

For query Q (B, T, d), value V (B, S, d_v) and key K (B, S, d) (K = V by default):

    scores = Q K^T              ("dot", times a learned scalar when use_scale)
    scores = c * sum(tanh(s * (Q_t + K_s)))   ("concat": c and s learned scalars, s only with use_scale)
    A = softmax(scores over S), value-masked and causal-masked positions excluded
    output = A V, zeroed at masked query positions

``mask=[query_mask, value_mask]`` defaults to the inputs' Keras masks.
"""

import numpy as np

from glassnet import ops
from glassnet.layers.keras_tensor import KerasTensor, Node
from glassnet.layers.layer import Layer, mask_array
from glassnet.random import SeedGenerator


class Attention(Layer):
    """Dot-product attention layer: ``Attention()([query, value])`` or ``([query, value, key])``.

    Args:
        use_scale: learn a scalar that multiplies the scores.
        score_mode: "dot" (Q K^T) or "concat" (sum of tanh(Q + K)).
        dropout: dropout rate on the attention weights (training only).
        seed: the dropout seed.
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Attention: invalid score_mode {score_mode!r}; expected one of 'dot', 'concat'")
        super().__init__(**kwargs)
        self.use_scale, self.score_mode, self.dropout, self.seed = use_scale, score_mode, float(dropout), seed
        self._seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    # --- inputs -----------------------------------------------------------------------------------------------
    def _validate(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or not inputs or isinstance(inputs[0], (int, type(None))):
            raise ValueError(f"{name} '{self.name}' must be called on a list of inputs, namely [query, value] or "
                             f"[query, value, key]; got a single input ({_describe(inputs)})")
        if not 2 <= len(inputs) <= 3:
            raise ValueError(f"{name} '{self.name}' accepts a list of 2 or 3 inputs, [query, value] or "
                             f"[query, value, key]; got {len(inputs)}")
        shapes = [tuple(getattr(t, "shape", t)) for t in inputs]
        query, value = shapes[0], shapes[1]
        key = shapes[2] if len(shapes) > 2 else value
        if query[-1] != key[-1]:
            raise ValueError(f"{name} '{self.name}': query and key must have the same last dimension, got "
                             f"query {query} and key {key}")
        if value[-2] != key[-2]:
            raise ValueError(f"{name} '{self.name}': value and key must have the same length (axis -2), got "
                             f"value {value} and key {key}")
        if mask is not None and (not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3):
            raise ValueError(f"{name} '{self.name}': mask must be a list [query_mask, value_mask], got {mask!r}")

    def build(self, input_shape):
        self._validate(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones")
        self.built = True

    # --- computing ------------------------------------------------------------------------------------------------
    def _calculate_scores(self, query, key):
        """(B, T, S) scores of every query position against every key position."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.transpose(key, _swap_last(key.ndim)))
            return ops.multiply(scores, self.scale) if self.scale is not None else scores
        total = ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3))
        if self.scale is not None:
            total = ops.multiply(self.scale, total)
        return ops.multiply(self.concat_score_weight, ops.sum(ops.tanh(total), axis=-1))

    def call(self, inputs, mask=None, training=None, return_attention_scores=False, use_causal_mask=False):
        self._validate(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = _bool(mask[0]) if mask else None
        value_mask = _bool(mask[1]) if mask else None
        scores = self._calculate_scores(query, key)
        excluded = _excluded(scores.shape, value_mask, use_causal_mask)
        if excluded is not None:
            scores = ops.where(excluded, ops.subtract(scores, 1.0e9), scores)
        weights = ops.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = ops.dropout(weights, self.dropout, self._seed_generator.generator)
        output = ops.matmul(weights, value)
        if query_mask is not None:
            output = ops.where(query_mask[..., None], output, 0.0)
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def _symbolic_call(self, inputs, args, kwargs):
        """Outputs of the right shapes (and the scores too with ``return_attention_scores=True``), and a node."""
        self._validate(inputs)
        if not self.built:
            self._maybe_build([tuple(t.shape) for t in inputs])
        shapes = [tuple(t.shape) for t in inputs]
        output = KerasTensor(self.compute_output_shape(shapes), dtype=self.dtype)
        if kwargs.get("return_attention_scores"):
            key = shapes[2] if len(shapes) > 2 else shapes[1]
            output = (output, KerasTensor(shapes[0][:-1] + (key[-2],), dtype=self.dtype))
        Node(self, inputs, output, args, kwargs)
        return output

    def get_config(self):
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "score_mode": self.score_mode, "dropout": self.dropout,
                       "seed": self.seed})
        return config


def _describe(inputs):
    return f"shape {tuple(inputs)}" if isinstance(inputs, tuple) else f"of type {type(inputs).__name__}"


def _swap_last(ndim):
    return tuple(range(ndim - 2)) + (ndim - 1, ndim - 2)


def _bool(mask):
    if mask is None:
        return None
    array = np.asarray(mask_array(mask))
    return array if array.dtype == bool else array != 0


def _excluded(scores_shape, value_mask, use_causal_mask):
    """Where scores are excluded: value positions masked out, and with a causal mask every s > t."""
    allowed = None if value_mask is None else value_mask[..., None, :]
    if use_causal_mask:
        causal = np.tril(np.ones(scores_shape[-2:], dtype=bool))[None]
        allowed = causal if allowed is None else allowed & causal
    return None if allowed is None else ~allowed
