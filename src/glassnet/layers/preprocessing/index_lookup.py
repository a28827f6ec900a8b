"""IndexLookup: the vocabulary table behind StringLookup, IntegerLookup and TextVectorization.

Not a public layer (as in Keras): it holds what the three share. A token
becomes its index in the vocabulary, laid out as Keras lays it out:

    output_mode="int":   [mask_token] + [OOV] * num_oov_indices + terms
    other output modes:             [OOV] * num_oov_indices + terms

(the mask slot exists only when ``mask_token`` is set; in the counting modes
mask tokens are dropped). An unknown token goes to the single OOV index, to
one of several OOV buckets (``num_oov_indices > 1``: FarmHash64 for strings,
``token mod n`` for integers, as Keras), or raises (``num_oov_indices=0``).

Encodings of the indices i of a sample (its last axis), with depth
``vocabulary_size()`` (or ``max_tokens`` with ``pad_to_max_tokens``):
``one_hot`` y[..., k] = [i == k] per token; ``multi_hot`` y[k] = [k occurs];
``count`` y[k] = #occurrences of k; ``tf_idf`` y[k] = count[k] * idf[k].

``adapt`` counts every token; the vocabulary is the terms by count,
descending, ties broken by the terms themselves, descending (Keras:
``np.lexsort((tokens, counts))[::-1]``), cut to ``max_tokens`` minus the
reserved indices. In tf_idf mode each sample is a document and
idf[t] = log(1 + documents / (1 + documents containing t)); OOV indices get
the mean idf.

Everything is NumPy and Python (Keras needs TensorFlow for this). Outputs are
Tensors of int64 (``int``) or float32 (the other modes); these layers have no
weights and pass no gradient.
"""

import collections
import itertools
import math
import os

import numpy as np

from glassnet import config
from glassnet.autodiff.tensor import Tensor
from glassnet.layers.keras_tensor import is_symbolic
from glassnet.layers.layer import Layer

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def listify(value):
    """A vocabulary or idf list as JSON can hold it (arrays and tuples become lists)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


def check_output_mode(layer_name, output_mode, allowed=OUTPUT_MODES):
    """Keras' output mode after its legacy aliases ("binary", "tf-idf"), or a clear error."""
    output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
    if output_mode not in allowed:
        raise ValueError(f"{layer_name}: `output_mode` must be one of {list(allowed)}, got "
                         f"output_mode={output_mode!r}")
    return output_mode


def read_vocabulary_file(path):
    """The terms of a vocabulary file, one per line (trailing empty lines dropped)."""
    import os

    if not os.path.isfile(path):
        raise ValueError(f"Vocabulary file {path} does not exist.")
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    while lines and lines[-1] == "":
        lines.pop()
    return lines


_UNKNOWN = -2  # a token not in the table, while its OOV index is still to be found


def count_rows(indices, rows, num_rows, depth, binary, out=None):
    """counts[r, k] = number of positions with rows == r and indices == k (at most 1 when ``binary``).

    Indices outside [0, depth) (masked tokens, -1) are dropped. float32,
    written into ``out`` (zeros of shape (num_rows, depth)) when given.
    """
    keep = (indices >= 0) & (indices < depth)
    counts = np.zeros((num_rows, depth), dtype=config.floatx()) if out is None else out
    if binary:
        counts[rows[keep], indices[keep]] = 1.0
    else:
        np.add.at(counts, (rows[keep], indices[keep]), 1.0)
    return counts


def count_last_axis(indices, depth, binary):
    """``count_rows`` over the last axis of ``indices``: shape (..., n) -> (..., depth)."""
    length = indices.shape[-1]
    flat = indices.reshape(-1)
    num_rows = flat.size // length if length else math.prod(indices.shape[:-1])
    rows = np.repeat(np.arange(num_rows), length)
    return count_rows(flat, rows, num_rows, depth, binary).reshape(indices.shape[:-1] + (depth,))


class IndexLookup(Layer):
    """Tokens to vocabulary indices, and their encodings (see the module docstring for the layout)."""

    _vocabulary_dtype = None  # "string" or "int64", set by the subclasses

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", name=None, salt=None, *, vocabulary_size=None, has_input_vocabulary=None,
                 **kwargs):
        label = f"{type(self).__name__}"
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{label}: if set, `max_tokens` must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{label}: pad_to_max_tokens=True needs `max_tokens` to be set. Received: "
                             f"max_tokens={max_tokens}")
        if not isinstance(num_oov_indices, int) or num_oov_indices < 0:
            raise ValueError(f"{label}: `num_oov_indices` must be an integer >= 0. Received: "
                             f"num_oov_indices={num_oov_indices!r}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"{label}: `oov_method` must be 'floormod' or 'farmhash', got {oov_method!r}")
        if salt is not None:
            raise ValueError(f"{label}: `salt` (SipHash OOV buckets) is not supported by glassnet; leave it None "
                             "to hash OOV tokens with FarmHash64 as Keras does by default")
        output_mode = check_output_mode(label, output_mode)
        if invert and output_mode != "int":
            raise ValueError(f"{label}: `output_mode` must be 'int' when `invert` is true. Received: "
                             f"output_mode={output_mode}")
        if sparse:
            raise ValueError(f"{label}: sparse=True is not supported (Keras allows it only with the TensorFlow "
                             "backend); the output is a dense array")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{label}: `idf_weights` should only be set if `output_mode` is 'tf_idf'. "
                             f"Received: output_mode={output_mode}")
        # Keras' hidden options: the width a saved layer had, and whether its vocabulary is fixed
        has_input_vocabulary = vocabulary is not None if has_input_vocabulary is None else has_input_vocabulary
        if output_mode == "tf_idf" and has_input_vocabulary and vocabulary is not None and idf_weights is None:
            raise ValueError(f"{label}: when `vocabulary` is given in 'tf_idf' output mode, `idf_weights` must "
                             "be given too")
        kwargs.pop("dtype", None)  # the vocabulary dtype is fixed; Keras ignores a dtype policy here
        super().__init__(name=name, **kwargs)
        self.invert = bool(invert)
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = None
        self._frozen_vocab_size = vocabulary_size
        self._has_input_vocabulary = has_input_vocabulary
        self._check_room_for_terms(label)
        self.input_idf_weights = idf_weights
        self._set_terms([])
        self._idf = None
        self.reset_state()
        if isinstance(vocabulary, str):
            vocabulary = self._terms_from_file(vocabulary)
        self.input_vocabulary = vocabulary
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self._vocabulary_is_input = vocabulary is not None and has_input_vocabulary  # else: a learned one

    def _check_room_for_terms(self, label):
        reserved = self._token_start_index()
        if self.max_tokens is not None and self.max_tokens <= reserved:
            raise ValueError(
                f"{label}: max_tokens={self.max_tokens} leaves no room for vocabulary terms: the first "
                f"{reserved} indices are reserved ({self._reserved_description()}). Use max_tokens > {reserved}")

    def _reserved_description(self):
        parts = []
        if self._oov_start_index():
            parts.append(f"mask token {self.mask_token!r}")
        if self.num_oov_indices:
            parts.append(f"{self.num_oov_indices} OOV index(es) for {self.oov_token!r}")
        return " and ".join(parts)

    def _terms_from_file(self, path):
        if self.output_mode == "tf_idf":
            raise ValueError("output_mode 'tf_idf' does not support loading a vocabulary from file.")
        return [self._term_from_line(line) for line in read_vocabulary_file(path)]

    def _term_from_line(self, line):
        return line

    # --- the layout ------------------------------------------------------------------
    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self):
        """The number of indices, mask and OOV indices included."""
        return len(self._terms) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        """The terms in index order; with ``include_special_tokens`` a term's position is its index."""
        if not include_special_tokens:
            return list(self._terms)
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        return special + list(self._terms)

    # --- setting the vocabulary -------------------------------------------------------
    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (a list, a 1-D array, or a path to a file of one term per line).

        It may start with the special tokens in their places (then they are
        skipped); elsewhere they are refused. ``idf_weights`` is required in
        'tf_idf' mode, refused otherwise; without leading special tokens the
        OOV indices get the mean of the given weights.
        """
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{self.name}: `idf_weights` must be set if output_mode is 'tf_idf'.")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"{self.name}: `idf_weights` should only be set if output_mode is 'tf_idf'. "
                             f"Received: output_mode={self.output_mode}")
        if isinstance(vocabulary, str):
            vocabulary = self._terms_from_file(vocabulary)
        if isinstance(vocabulary, Tensor):
            vocabulary = vocabulary.data
        vocabulary = [self._canonical_term(t) for t in np.asarray(vocabulary, dtype=object).reshape(-1).tolist()]
        if not vocabulary:
            raise ValueError(f"{self.name}: cannot set an empty vocabulary. Received: vocabulary={vocabulary!r}")
        terms, found_special = self._split_special_tokens(vocabulary)
        self._check_terms(terms, vocabulary)
        if idf_weights is not None:
            idf = self._padded_idf(idf_weights, len(vocabulary), found_special)
        self._freeze_size(self._token_start_index() + len(terms))
        self._set_terms(terms)
        if idf_weights is not None:
            self._idf = idf
        self._vocabulary_is_input = False

    def load_assets(self, dir_path):
        """Keras' asset hook: a vocabulary Keras learned by ``adapt`` is saved as ``vocabulary.txt`` (one term a
        line, special tokens first) in this layer's assets folder, not in the config; a vocabulary given to the
        constructor stays in the config (nothing to read then)."""
        path = os.path.join(dir_path, "vocabulary.txt")
        if self.input_vocabulary is not None or not os.path.exists(path):
            return
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        if not lines:
            return
        terms = [self._term_from_line(line) if line not in (self.mask_token, self.oov_token) else line
                 for line in lines]
        idf_weights = None
        if self.output_mode == "tf_idf":
            if self._idf is None:
                raise ValueError(f"{self.name}: the saved vocabulary is for output_mode='tf_idf', but no idf "
                                 "weights were loaded with it")
            idf_weights = self._idf[:len(terms)]
        self.set_vocabulary(terms, idf_weights=idf_weights)

    def _set_terms(self, terms):
        """The vocabulary terms and the table that looks tokens up (the mask token included: 0, or -1 = dropped)."""
        self._terms = list(terms)
        self._table = {term: index for index, term in enumerate(self._terms, self._token_start_index())}
        if self.mask_token is not None:
            self._table[self.mask_token] = 0 if self.output_mode == "int" else -1

    def _canonical_term(self, term):
        return term

    def _split_special_tokens(self, vocabulary):
        start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        found = start > 0 and vocabulary[:start] == special
        return (vocabulary[start:] if found else vocabulary), found

    def _check_terms(self, terms, vocabulary):
        repeated = [t for t, n in collections.Counter(terms).items() if n > 1]
        if repeated:
            raise ValueError(f"{self.name}: the passed vocabulary has at least one repeated term. Please uniquify "
                             f"your dataset. The repeated terms are: {repeated}")
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        reserved = [(self.mask_token, "mask_token")] if self.mask_token is not None else []
        if self.invert and self.oov_token is not None:
            reserved.append((self.oov_token, "oov_token"))
        for token, what in reserved:
            if token in terms:
                raise ValueError(
                    f"{self.name}: found reserved {what} {token!r} at an unexpected location in `vocabulary` "
                    f"(index {len(vocabulary) - 1 - vocabulary[::-1].index(token)}). The vocabulary does not need "
                    f"to include the OOV and mask tokens: remove them, or put them only at the start in exactly "
                    f"this order: {special}")
        size = self._token_start_index() + len(terms)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"{self.name}: attempted to set a vocabulary larger than the maximum vocab size. "
                             f"Received vocabulary size is {size}; `max_tokens` is {self.max_tokens}.")

    def _padded_idf(self, idf_weights, vocabulary_length, found_special):
        idf = np.asarray(idf_weights, dtype=np.float64)
        if idf.ndim != 1 or len(idf) != vocabulary_length:
            raise ValueError(f"{self.name}: `idf_weights` must be a 1-D list as long as the vocabulary "
                             f"({vocabulary_length}), got shape {idf.shape}")
        front = 0 if found_special else self._token_start_index()
        front_value = 0.0 if found_special else float(np.average(idf)) if idf.size else 0.0
        back = self.max_tokens - front - len(idf) if self.pad_to_max_tokens else 0
        return np.pad(idf, (front, back), constant_values=(front_value, 0.0)).astype(config.floatx())

    def _freeze_size(self, new_size):
        """In the counting modes the output width is the vocabulary size: it may not change once set."""
        if self.output_mode != "int" and not self.pad_to_max_tokens:
            if self._frozen_vocab_size is not None and new_size != self._frozen_vocab_size:
                raise RuntimeError(
                    f"{self.name}: when using output_mode={self.output_mode!r} and pad_to_max_tokens=False, the "
                    f"vocabulary size cannot be changed once set (the layers after this one were built for it). "
                    f"Old vocab size is {self._frozen_vocab_size}, new vocab size is {new_size}")
        self._frozen_vocab_size = new_size

    # --- adapting -----------------------------------------------------------------------
    def adapt(self, data, steps=None):
        """Learn the vocabulary from ``data``: an array or list of tokens, or an iterable of batches.

        An array of rank 1 is that many one-token documents; rank 2 is one
        document per row. ``steps`` limits how many batches of an iterable are
        read. The vocabulary changes only when all data was read.
        """
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via the "
                             "`vocabulary` argument.")
        self.reset_state()
        if _is_batch_iterable(data):
            for step, batch in enumerate(data):
                if steps is not None and step >= steps:
                    break
                self.update_state(batch)
        else:
            array = self._tokens_array(data, "adapt() data")
            self.update_state(array.reshape(-1, 1) if array.ndim <= 1 else array)
        self.finalize_state()

    def reset_state(self):
        """Forget the counts of an ``adapt`` in progress (the vocabulary is kept)."""
        self._token_counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0

    def update_state(self, data):
        """Count the tokens of one batch (rank 1: one document; rank 2 and more: one document per row)."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via the "
                             "`vocabulary` argument.")
        array = self._tokens_array(data, "an adapt() batch")
        rows = array.reshape(1, -1) if array.ndim <= 1 else array.reshape(array.shape[0], math.prod(array.shape[1:]))
        self.count_documents(row.tolist() for row in rows)

    def count_documents(self, documents):
        """Add each document's tokens to the counts (and, for tf_idf, its distinct tokens to the document counts)."""
        for document in documents:
            self._token_counts.update(document)
            if self.output_mode == "tf_idf":
                self._document_counts.update(set(document))
            self._num_documents += 1

    def finalize_state(self):
        """Make the vocabulary from the counts: by count then term, both descending, cut to ``max_tokens``."""
        counts = dict(self._token_counts)
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        if self._num_documents == 0:
            raise ValueError(f"{self.name}: adapt() got no data (an empty array or iterable); the vocabulary is "
                             "unchanged")
        if not counts:
            raise ValueError(f"{self.name}: adapt() found no tokens in {self._num_documents} document(s) (only "
                             "empty or special tokens); the vocabulary is unchanged")
        terms = sorted(counts, key=lambda term: (counts[term], term), reverse=True)
        if self.max_tokens:
            terms = terms[:self.max_tokens - self._token_start_index()]
        idf = self._adapted_idf(terms) if self.output_mode == "tf_idf" else None
        self._freeze_size(self._token_start_index() + len(terms))
        self._set_terms(terms)
        if idf is not None:
            self._idf = idf
        self._vocabulary_is_input = False
        self.reset_state()

    def _adapted_idf(self, terms):
        documents = np.array([self._document_counts[t] for t in terms], dtype=np.float64)
        idf = np.log(1.0 + self._num_documents / (1.0 + documents)).astype(config.floatx())
        idf = np.concatenate([np.full(self._token_start_index(), idf.mean(), dtype=idf.dtype), idf])
        if self.pad_to_max_tokens:
            idf = np.pad(idf, (0, self.max_tokens - len(idf)))
        return idf

    # --- inputs -----------------------------------------------------------------------------
    def _tokens_array(self, inputs, what):
        """Inputs as a NumPy array of canonical tokens (str or int64), or a clear error."""
        if isinstance(inputs, Tensor):
            inputs = inputs.data
        try:
            array = np.asarray(inputs)
        except ValueError as error:
            raise ValueError(f"{type(self).__name__} '{self.name}': {what} could not be read as an array "
                             f"({error}). Lists of different lengths are not supported; pad them first") from None
        return self._canonical_array(array, what)

    def _canonical_array(self, array, what):
        raise NotImplementedError

    def _index_array(self, array, what):
        """Integer inputs for ``invert=True`` as int64, or a clear error."""
        if array.dtype.kind in "iu":
            return array.astype(np.int64, copy=False)
        if array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(np.floor(array) == array):
            return array.astype(np.int64)
        raise ValueError(f"{type(self).__name__} '{self.name}' with invert=True expects integer indices, got "
                         f"{what} of dtype {array.dtype} and shape {array.shape}")

    # --- calling ------------------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        if not is_symbolic(inputs):
            inputs = self._call_array(inputs)
        return super().__call__(inputs, *args, **kwargs)

    def _call_array(self, inputs):
        if self.invert:
            array = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs)
            return self._index_array(array, "inputs")
        return self._tokens_array(inputs, "inputs")

    def call(self, inputs):
        array = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        if self.invert:
            return Tensor(self._invert(array))
        self._ensure_known_vocab_size()
        indices = self.lookup(array)
        if self.output_mode == "int":
            return Tensor(indices)
        return Tensor(self.encode(indices))

    def lookup(self, tokens):
        """The index of each token of an array (int64, same shape); see ``lookup_tokens``."""
        return self.lookup_tokens(tokens.reshape(-1).tolist()).reshape(tokens.shape)

    def lookup_tokens(self, tokens):
        """The index of each token of a list: one dict look-up each; masked tokens give 0, or -1 (dropped)."""
        default = self._oov_start_index() if self.num_oov_indices == 1 else _UNKNOWN
        indices = np.fromiter(map(self._table.get, tokens, itertools.repeat(default, len(tokens))),
                              dtype=np.int64, count=len(tokens))
        if self.num_oov_indices != 1:
            unknown = np.flatnonzero(indices == _UNKNOWN)
            if unknown.size:
                indices[unknown] = self._oov_indices([tokens[i] for i in unknown.tolist()])
        return indices

    def _oov_indices(self, tokens):
        """The OOV index of each unknown token (several OOV indices: hashed), or an error with none."""
        if self.num_oov_indices == 0:
            raise ValueError(f"{self.name}: when `num_oov_indices=0` all inputs should be in vocabulary, found "
                             f"OOV values {tokens[:10]}, consider setting `num_oov_indices=1`.")
        return self._oov_start_index() + self._oov_buckets(tokens)

    def _oov_buckets(self, tokens):
        raise NotImplementedError

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def encode(self, indices):
        """One-hot, multi-hot, count or tf-idf encoding of the indices (float32)."""
        depth = self._depth()
        if indices.ndim == 0:
            indices = indices.reshape(1)
        if self.output_mode == "one_hot":
            if indices.ndim > 1 and indices.shape[-1] == 1:
                indices = indices[..., 0]
            return count_last_axis(indices[..., None], depth, binary=True)
        return self.weighted(count_last_axis(indices, depth, binary=self.output_mode == "multi_hot"))

    def weighted(self, counts):
        """tf_idf: the counts times the idf weights (in place); other modes: the counts as they are."""
        if self.output_mode == "tf_idf":
            if self._idf is None:
                raise ValueError(f"{self.name}: when `output_mode` is 'tf_idf', `idf_weights` must be provided "
                                 "(adapt the layer or set a vocabulary with idf_weights)")
            counts *= self._idf[:counts.shape[-1]]
        return counts

    def _invert(self, indices):
        """Index -> term; the mask index gives the mask token, OOV and unknown indices give ``oov_token``."""
        start = self._token_start_index()
        table = np.array(self._terms + [self.oov_token])  # the last entry answers every other index
        inside = (indices >= start) & (indices < start + len(self._terms))
        terms = table[np.where(inside, indices - start, len(self._terms))]
        if self.mask_token is not None:
            terms = np.where(indices == 0, self.mask_token, terms)
        return self._inverted_array(terms)

    def _inverted_array(self, terms):
        return terms

    def _ensure_known_vocab_size(self):
        if self.output_mode != "int" and not self.pad_to_max_tokens and self._frozen_vocab_size is None:
            raise RuntimeError(
                f"{type(self).__name__} '{self.name}': when using output_mode={self.output_mode!r} and "
                "pad_to_max_tokens=False, you must set the layer's vocabulary before calling it. Either pass a "
                "`vocabulary` argument to the layer, or call `adapt` with some sample data.")

    # --- shapes and config -----------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        self._ensure_known_vocab_size()
        depth = self._depth()
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def _output_dtype(self, inputs):
        if self.invert:
            return self.vocabulary_dtype
        return "int64" if self.output_mode == "int" else config.floatx()

    def get_build_config(self):
        return {}

    def build_from_config(self, config_):
        self.built = True

    def get_config(self):
        config_ = super().get_config()
        config_.update({
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            **self.vocabulary_config(),
            "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method,
            "salt": self.salt,
        })
        return config_

    def vocabulary_config(self):
        """The config's ``idf_weights`` and ``vocabulary``.

        A vocabulary given to the constructor is written as given (as Keras).
        One learned by ``adapt`` or set by ``set_vocabulary`` is written too,
        special tokens first, with ``has_input_vocabulary=False`` so that the
        rebuilt layer can still be adapted: Keras keeps it in a separate
        asset file instead, which glassnet's files do not have.
        """
        if self._vocabulary_is_input or not self._terms:
            return {"idf_weights": listify(self.input_idf_weights), "vocabulary": listify(self.input_vocabulary)}
        vocabulary = self.get_vocabulary()
        idf = None if self._idf is None else self._idf[:len(vocabulary)].tolist()
        return {"idf_weights": idf, "vocabulary": vocabulary, "has_input_vocabulary": False}


def _is_batch_iterable(data):
    """True for generators and other iterables of batches (not arrays, lists, tuples, strings or Tensors)."""
    return (hasattr(data, "__iter__") and not isinstance(data, (list, tuple, np.ndarray, str, bytes, Tensor))
            and not hasattr(data, "__array__"))

