"""StringLookup: strings to vocabulary indices (or their one-hot, multi-hot, count or tf-idf encoding)."""

import numpy as np

from glassnet.layers.preprocessing.farmhash import hash_bucket
from glassnet.layers.preprocessing.index_lookup import IndexLookup


class StringLookup(IndexLookup):
    """Maps strings to indices of a vocabulary given as ``vocabulary=`` or learned by ``adapt``.

    ``StringLookup(vocabulary=["a", "b", "c", "d"])`` maps ``[["a", "c", "d"], ["d", "z", "b"]]``
    to ``[[1, 3, 4], [4, 0, 2]]``: index 0 is the OOV token "[UNK]" ("z"),
    then the terms in order. ``mask_token`` (default None) reserves index 0
    for itself in "int" mode; ``num_oov_indices=n > 1`` hashes unknown
    strings into n OOV indices with FarmHash64, as Keras does (the same
    buckets). ``invert=True`` maps indices back to strings. Inputs may be
    lists or arrays of str, bytes (decoded with ``encoding``) or objects
    holding them; a non-string input is an error. See ``IndexLookup`` for
    the index layout, the encodings and how ``adapt`` orders the vocabulary.
    """

    @property
    def reads_strings(self):
        """fit/predict accept string arrays for a model that starts with this layer (unless it maps ids back)."""
        return not self.invert

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 encoding="utf-8", name=None, salt=None, **kwargs):
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         vocabulary_dtype="string", salt=salt, **kwargs)

    def _canonical_term(self, term):
        return term.decode(self.encoding) if isinstance(term, bytes) else term

    def _canonical_array(self, array, what):
        """str arrays pass; bytes are decoded; object arrays must hold only str or bytes."""
        kind = array.dtype.kind
        if kind == "U":
            return array
        if kind == "S":
            return np.char.decode(array, self.encoding)
        if array.size == 0:
            return array.astype(str)
        if kind == "O" and all(isinstance(v, (str, bytes)) for v in array.reshape(-1).tolist()):
            return np.array([self._canonical_term(v) for v in array.reshape(-1).tolist()],
                            dtype=str).reshape(array.shape)
        raise ValueError(f"StringLookup '{self.name}' expects strings, got {what} of dtype {array.dtype} and "
                         f"shape {array.shape}. For integer inputs use IntegerLookup; to map indices back to "
                         "strings use invert=True")

    def _oov_buckets(self, tokens):
        return np.array([hash_bucket(t.encode(self.encoding), self.num_oov_indices) for t in tokens],
                        dtype=np.int64)

    def _inverted_array(self, terms):
        return terms.astype(str) if terms.dtype.kind != "U" else terms

    def get_config(self):
        config_ = super().get_config()
        del config_["vocabulary_dtype"]  # strings have one dtype (as Keras)
        config_["encoding"] = self.encoding
        return config_
