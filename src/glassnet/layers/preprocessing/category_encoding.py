"""CategoryEncoding: integer category ids to one-hot, multi-hot or count vectors."""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.layers.layer import Layer

OUTPUT_MODES = ("one_hot", "multi_hot", "count")


def one_hot(indices, depth, dtype):
    """out[..., k] = 1 where indices == k; ids outside [0, depth) give a row of zeros."""
    indices = np.asarray(indices)
    return (indices[..., None] == np.arange(depth)).astype(dtype)


def encode_categorical(indices, output_mode, depth, dtype, count_weights=None):
    """Keras' ``encode_categorical_inputs`` on arrays.

    "int" returns the ids; "one_hot" encodes each id (a last axis of 1 is replaced by the encoding);
    "multi_hot" and "count" encode each sample (axis 1 of a batch, or the whole of a 1-D input) as 1
    for every id present, or the number of times (weighted by ``count_weights``) it occurs.
    """
    indices = np.asarray(indices)
    if output_mode == "int":
        return indices.astype(dtype)
    if indices.ndim == 0:
        indices = indices[None]
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices = indices[..., 0]
        return one_hot(indices, depth, dtype)
    axis = 1 if indices.ndim > 1 else 0
    if output_mode == "multi_hot":
        return one_hot(indices, depth, dtype).max(axis=axis)
    if count_weights is None:
        return one_hot(indices, depth, dtype).sum(axis=axis)
    weights = np.asarray(count_weights)
    return (one_hot(indices, depth, weights.dtype) * weights[..., None]).sum(axis=axis)


class CategoryEncoding(Layer):
    """Encode integer ids in [0, num_tokens) as vectors of length ``num_tokens``.

    ``output_mode``: "multi_hot" (default; "binary" is its old name) puts a 1 at every id of a
    sample, "count" the number of times each id occurs (weighted by ``count_weights`` when given),
    "one_hot" encodes each id on a new last axis (replacing a last axis of size 1). A batch's samples
    are its rows (axis 1); a 1-D input is one sample. Not differentiable (ids are data).
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        output_mode = "multi_hot" if output_mode == "binary" else output_mode
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"CategoryEncoding '{self.name}': `output_mode` must be one of {OUTPUT_MODES}, "
                             f"got output_mode={output_mode!r}")
        if num_tokens is None:
            raise ValueError(f"CategoryEncoding '{self.name}': `num_tokens` must be set (use IntegerLookup when "
                             "the number of tokens is not known beforehand)")
        if isinstance(num_tokens, bool) or not isinstance(num_tokens, (int, np.integer)) or num_tokens < 1:
            raise ValueError(f"CategoryEncoding '{self.name}': `num_tokens` must be an integer >= 1, "
                             f"got num_tokens={num_tokens!r}")
        if sparse:
            raise ValueError(f"CategoryEncoding '{self.name}': sparse=True is not supported (glassnet has no "
                             "sparse tensors); pass sparse=False")
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(f"CategoryEncoding '{self.name}': `count_weights` is only used with "
                             f"output_mode='count', got output_mode={self.output_mode!r}")
        ids = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        if ids.dtype.kind not in "iuf":
            raise ValueError(f"CategoryEncoding '{self.name}' expects integer ids, got dtype {ids.dtype}")
        if count_weights is not None:
            count_weights = np.asarray(count_weights.data if isinstance(count_weights, Tensor) else count_weights,
                                       dtype=self.dtype)
        return Tensor(encode_categorical(ids.astype(np.int64), self.output_mode, self.num_tokens, self.dtype,
                                         count_weights))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if not input_shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
            return input_shape + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def get_config(self):
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode})
        return config
