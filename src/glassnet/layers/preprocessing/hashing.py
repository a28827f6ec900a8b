"""Hashing: strings or integers to one of ``num_bins`` bins, by a fixed hash (the "hashing trick")."""

import numbers

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.layers.keras_tensor import is_symbolic
from glassnet.layers.layer import Layer
from glassnet.layers.preprocessing.category_encoding import encode_categorical
from glassnet.layers.preprocessing.hash_functions import as_hash_strings, fingerprint64, siphash

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


class Hashing(Layer):
    """bin = hash(str(x)) mod num_bins, with Keras' (TensorFlow's) hash functions, so the bins are Keras'.

    Without ``salt`` the hash is FarmHash's Fingerprint64; with ``salt`` (an integer s, read as (s, s),
    or a pair) it is SipHash-2-4 keyed by the salt. Integers are hashed as their decimal strings and floats
    are truncated to integers first, as TensorFlow does. With a ``mask_value``, values equal to it go to
    bin 0 and the others to 1 + hash mod (num_bins - 1). ``output_mode`` "one_hot", "multi_hot" or "count"
    encodes the bins as CategoryEncoding does.
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else None
        super().__init__(**kwargs)
        who = f"Hashing '{self.name}'"
        check_hash_layer_arguments(who, num_bins, output_mode, OUTPUT_MODES, self.dtype, sparse)
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2 and all(isinstance(s, numbers.Integral)
                                                                          for s in salt):
                salt = [int(s) for s in salt]
            elif isinstance(salt, numbers.Integral) and not isinstance(salt, bool):
                salt = [int(salt), int(salt)]
            else:
                raise ValueError(f"{who}: `salt` must be an integer or a pair of integers, got salt={salt!r}")
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.salt = salt
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = False

    def __call__(self, inputs, *args, **kwargs):
        if not is_symbolic(inputs) and not isinstance(inputs, Tensor):
            inputs = Tensor(np.asarray(inputs))  # strings stay strings
        return super().__call__(inputs, *args, **kwargs)

    def hash_values(self, values):
        """The bin of every value of an array (int64, same shape)."""
        values = np.asarray(values)
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = np.asarray([v == self.mask_value for v in values.reshape(-1).tolist()],
                              dtype=bool).reshape(values.shape)
        if self.strong_hash:
            key = tuple(self.salt)
            hashed = [siphash(key, s) % bins for s in as_hash_strings(values)]
        else:
            hashed = [fingerprint64(s) % bins for s in as_hash_strings(values)]
        indices = np.asarray(hashed, dtype=np.int64).reshape(values.shape)
        return np.where(mask, 0, indices + 1) if mask is not None else indices

    def call(self, inputs):
        values = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        if self.output_mode == "one_hot" and values.ndim and values.shape[-1] == 1:
            values = values[..., 0]
        return Tensor(encode_categorical(self.hash_values(values), self.output_mode, self.num_bins, self.dtype))

    def _output_dtype(self, inputs):
        return self.dtype

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        return (input_shape[:-1] if input_shape else ()) + (self.num_bins,)

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "salt": self.salt, "mask_value": self.mask_value,
                       "output_mode": self.output_mode, "sparse": self.sparse})
        return config


def check_hash_layer_arguments(who, num_bins, output_mode, output_modes, dtype, sparse):
    """The arguments Hashing and HashedCrossing share, checked with the layer named in ``who``."""
    if isinstance(num_bins, bool) or not isinstance(num_bins, numbers.Integral) or num_bins <= 0:
        raise ValueError(f"{who}: `num_bins` must be a positive integer, got num_bins={num_bins!r}")
    if output_mode not in output_modes:
        raise ValueError(f"{who}: `output_mode` must be one of {output_modes}, got output_mode={output_mode!r}")
    if output_mode == "int" and dtype not in ("int32", "int64"):
        raise ValueError(f"{who}: with output_mode='int', `dtype` must be 'int32' or 'int64', got {dtype!r}")
    if sparse:
        raise ValueError(f"{who}: sparse=True is not supported (glassnet has no sparse tensors)")
