"""IntegerLookup: integer tokens (ids, codes) to contiguous vocabulary indices, or their encodings."""

import numpy as np

from glassnet.layers.preprocessing.farmhash import hash_bucket
from glassnet.layers.preprocessing.index_lookup import IndexLookup


class IntegerLookup(IndexLookup):
    """Maps arbitrary integers to indices 0, 1, 2, ... of a vocabulary given or learned by ``adapt``.

    ``IntegerLookup(vocabulary=[12, 36, 1138, 42])`` maps ``[[12, 1138, 42], [42, 1000, 36]]``
    to ``[[1, 3, 4], [4, 0, 2]]``: index 0 is the OOV token -1 (1000), then
    the terms in order. With ``num_oov_indices=n > 1`` an unknown token t
    goes to OOV index ``t mod n`` (``oov_method="floormod"``, Keras' default)
    or to ``FarmHash64(str(t)) mod n`` (``oov_method="farmhash"``).
    ``invert=True`` maps indices back to the integers. Float inputs holding
    whole numbers are accepted; anything else that is not an integer is an
    error. See ``IndexLookup`` for the layout, encodings and ``adapt``.
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, vocabulary=None,
                 vocabulary_dtype="int64", idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, oov_method="floormod", salt=None, name=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError("IntegerLookup: only vocabulary_dtype='int64' is supported at this time. Received: "
                             f"vocabulary_dtype={vocabulary_dtype}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=None if mask_token is None else int(mask_token),
                         oov_token=None if oov_token is None else int(oov_token), vocabulary=vocabulary,
                         vocabulary_dtype=vocabulary_dtype, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, sparse=sparse, pad_to_max_tokens=pad_to_max_tokens,
                         oov_method=oov_method, salt=salt, name=name, **kwargs)

    def _term_from_line(self, line):
        return int(line)

    def _canonical_term(self, term):
        if isinstance(term, (bool, np.bool_)) or not float(term).is_integer():
            raise ValueError(f"IntegerLookup '{self.name}': vocabulary terms must be integers, got {term!r}")
        return int(term)

    def _canonical_array(self, array, what):
        """Integer arrays become int64; whole-number floats are accepted; anything else is refused."""
        if array.dtype.kind in "iu":
            return array.astype(np.int64, copy=False)
        if array.size == 0:
            return array.astype(np.int64)
        if array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(np.floor(array) == array):
            return array.astype(np.int64)
        hint = " For strings use StringLookup." if array.dtype.kind in "USO" else ""
        raise ValueError(f"IntegerLookup '{self.name}' expects integers, got {what} of dtype {array.dtype} and "
                         f"shape {array.shape}.{hint}")

    def _oov_buckets(self, tokens):
        if self.oov_method == "farmhash":
            return np.array([hash_bucket(str(t), self.num_oov_indices) for t in tokens], dtype=np.int64)
        return np.mod(np.array(tokens, dtype=np.int64), self.num_oov_indices)

    def get_config(self):
        config_ = super().get_config()
        if config_["vocabulary"] is not None:
            config_["vocabulary"] = [int(v) for v in config_["vocabulary"]]
        return config_
