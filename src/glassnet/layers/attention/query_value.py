"""What MultiHeadAttention and GroupedQueryAttention share: the call ``layer(query, value, key=None, ...)``.

glassnet's ``Layer.__call__`` builds a layer from the shape of its first
argument only; these layers need all three shapes, so ``QueryValueLayer``
builds from ``(query, value, key)`` before the ordinary call runs, records
a functional node whose arguments are ``[query, value]`` plus keyword
arguments (what Keras 3 writes in ``inbound_nodes``), and saves its build
shapes as Keras does (``{"shapes_dict": {"query_shape": .., "value_shape": ..}}``).

Also here: the attention mask that the inputs' Keras masks, an explicit
``attention_mask``, ``use_causal_mask`` and a sliding window make together
(True = may attend), and the masked softmax, ``softmax(where(mask, s, -1e9))``
(set to 0 where the mask is False on Keras' explicit path).
"""

import numpy as np

from glassnet import ops
from glassnet.autodiff.tensor import Tensor
from glassnet.layers.keras_tensor import KerasTensor, Node
from glassnet.layers.layer import Layer, mask_array

_ARGUMENT_ORDER = ("query", "value", "key")


def _shape(tensor, name, layer):
    shape = getattr(tensor, "shape", None)
    if shape is None:
        shape = np.shape(tensor)
    shape = tuple(shape)
    if len(shape) < 3:
        raise ValueError(f"{type(layer).__name__} '{layer.name}' expects {name} of shape (batch, ..., features) with "
                         f"at least 3 dimensions, got {name} of shape {shape}")
    return shape


class QueryValueLayer(Layer):
    """A layer called as ``layer(query, value, key=None, **kwargs)`` and built from all three shapes."""

    def __call__(self, *args, **kwargs):
        args = list(args)
        for name in _ARGUMENT_ORDER:  # keyword query/value/key become positional, as Keras binds them
            if name in kwargs and len(args) == _ARGUMENT_ORDER.index(name):
                args.append(kwargs.pop(name))
        if len(args) < 2:
            raise ValueError(f"{type(self).__name__} '{self.name}' must be called with a query and a value: "
                             f"layer(query, value) or layer(query, value, key); got {len(args)} tensor argument(s)")
        if not self.built:
            shapes = [_shape(t, n, self) for t, n in zip(args[:3], _ARGUMENT_ORDER)]
            self.build(*shapes)
            self._build_shapes = {f"{n}_shape": s for n, s in zip(_ARGUMENT_ORDER, shapes)}
            self.built = True
        return super().__call__(*args, **kwargs)

    def _symbolic_call(self, inputs, args, kwargs):
        """Record a node with every argument; the outputs come from ``compute_output_spec``."""
        key = args[1] if len(args) > 1 else kwargs.get("key")
        output_shapes = self.output_shapes(inputs.shape, args[0].shape, None if key is None else key.shape,
                                           kwargs.get("return_attention_scores", False))
        if isinstance(output_shapes, tuple) and isinstance(output_shapes[0], tuple):
            outputs = tuple(KerasTensor(s, dtype=self.dtype) for s in output_shapes)
        else:
            outputs = KerasTensor(output_shapes, dtype=self.dtype)
        Node(self, inputs, outputs, args, kwargs)
        return outputs

    def compute_mask(self, inputs, mask=None):
        """None: ``call`` itself gives the attention output the query's mask (the scores get none)."""
        return

    def get_build_config(self):
        if not isinstance(self._build_shapes, dict):
            return None
        return {"shapes_dict": {k: list(v) for k, v in self._build_shapes.items() if v is not None}}

    def build_from_config(self, config):
        shapes = (config or {}).get("shapes_dict")
        if shapes and not self.built:
            found = [shapes.get(f"{n}_shape") for n in _ARGUMENT_ORDER]
            found = [None if s is None else tuple(s) for s in found]
            self.build(*found)
            self._build_shapes = {f"{n}_shape": s for n, s in zip(_ARGUMENT_ORDER, found)}
            self.built = True


def check_key_value(layer, value_shape, key_shape):
    """Value and key must agree on every axis but the last."""
    if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
        raise ValueError(f"{type(layer).__name__} '{layer.name}': all dimensions of `value` and `key`, except the "
                         f"last one, must be equal. Received: value_shape={tuple(value_shape)} and "
                         f"key_shape={tuple(key_shape)}")


def _as_bool(mask, what, layer):
    if mask is None:
        return None
    array = mask_array(mask)
    array = np.asarray(array.get() if hasattr(array, "get") and not isinstance(array, np.ndarray) else array)
    if array.dtype != bool:
        array = array > 0.5 if array.dtype.kind == "f" else array != 0
    return array


def _check_sequence_mask(mask, tensor, what, layer):
    expected = tuple(tensor.shape[:-1])
    if mask is not None and tuple(mask.shape) != expected:
        raise ValueError(f"{type(layer).__name__} '{layer.name}': {what} must have the shape of the {what[:-5]} "
                         f"without its last axis, {expected}; got {tuple(mask.shape)}")


def attention_mask(layer, query, value, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
                   use_causal_mask=False, sliding_window=None):
    """The boolean (B, T, S) (or broadcastable) mask of allowed query-key pairs, or None when all are allowed.

    query_mask (B, T) -> (B, T, 1); value_mask and key_mask (B, S) -> (B, 1, S);
    the causal mask is the lower triangle ``t >= s`` of (1, T, S); the sliding
    window keeps ``|t - s| < window``; all are combined with AND.
    """
    masks = {"query_mask": _as_bool(query_mask, "query_mask", layer),
             "value_mask": _as_bool(value_mask, "value_mask", layer),
             "key_mask": _as_bool(key_mask, "key_mask", layer)}
    _check_sequence_mask(masks["query_mask"], query, "query_mask", layer)
    _check_sequence_mask(masks["value_mask"], value, "value_mask", layer)
    _check_sequence_mask(masks["key_mask"], value, "key_mask", layer)
    combined = None

    def both(a, b):
        return b if a is None else a & b

    if masks["query_mask"] is not None:
        combined = masks["query_mask"][..., :, None]
    for name in ("value_mask", "key_mask"):
        if masks[name] is not None:
            combined = both(combined, masks[name][..., None, :])
    t, s = query.shape[1], value.shape[1]
    if use_causal_mask:
        combined = both(combined, np.tril(np.ones((t, s), dtype=bool))[None])
    if sliding_window is not None:
        rows, cols = np.arange(t)[:, None], np.arange(s)[None, :]
        combined = both(combined, (np.abs(rows - cols) < sliding_window)[None])
    if attention_mask is not None:
        explicit = _as_bool(attention_mask, "attention_mask", layer)
        if explicit.ndim < 2 or explicit.shape[-2] not in (t, 1) or explicit.shape[-1] not in (s, 1):
            raise ValueError(f"{type(layer).__name__} '{layer.name}': attention_mask must have shape (batch, {t}, {s})"
                             f" (query length, value length), got {tuple(explicit.shape)}")
        combined = both(combined, explicit)
    return combined


def masked_softmax(scores, mask, axes, zero_masked=True):
    """``softmax`` of ``scores`` over ``axes``, masked positions (mask False) set to -1e9 before (and 0 after).

    ``zero_masked=False`` leaves out the zeroing after, so a fully masked row
    comes out uniform: Keras 3 gives that on its fused path (no dropout, no
    returned scores, rank-3 inputs), and zeros on the other.
    """
    axes = tuple(axes)
    if mask is not None:
        scores = ops.where(mask, scores, -1e9)
    if len(axes) == 1:
        probabilities = ops.softmax(scores, axis=axes[0])
    else:
        probabilities = ops.exp(ops.subtract(scores, ops.logsumexp(scores, axis=axes, keepdims=True)))
    if mask is not None and zero_masked:
        probabilities = ops.where(mask, probabilities, 0.0)
    return probabilities


def with_mask(tensor, mask):
    """``tensor`` carrying ``mask`` as its Keras mask (when there is one)."""
    if mask is not None and isinstance(tensor, Tensor):
        tensor._keras_mask = mask
    return tensor
