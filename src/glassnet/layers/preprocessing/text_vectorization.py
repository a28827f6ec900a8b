"""TextVectorization: raw strings to token indices (or multi-hot, count, tf-idf vectors), as Keras does it.

Each string goes through four steps, each one as Keras (TensorFlow) does it:

1. standardize: "lower_and_strip_punctuation" (default) lowercases ASCII
   letters (TensorFlow's ``tf.strings.lower`` leaves other letters as they
   are) and deletes the 32 ASCII punctuation characters !"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~;
   "lower", "strip_punctuation", None, or a callable taking and returning a
   NumPy array of str.
2. split: "whitespace" (default; runs of ASCII whitespace, ends stripped),
   "character" (each Unicode character), None (the whole string is one
   token), or a callable taking a 1-D array of str and returning a list of
   token lists.
3. ngrams: None, n (widths 1..n) or a tuple of widths; the n-grams of each
   width in turn, words joined by a space (["a", "b", "c"], ngrams=2 gives
   a, b, c, "a b", "b c").
4. index: a ``StringLookup`` with mask token "" at index 0 and OOV token
   "[UNK]" at index 1 ("int" mode; index 0 in the other modes).

"int" mode outputs int64 indices padded with 0 to the longest string of the
batch, or padded/cut to ``output_sequence_length``; the other modes output
float32 vectors of the vocabulary size (``max_tokens`` with
``pad_to_max_tokens``).

In a model: use it in the data pipeline (``x = vectorizer(texts)`` then
``model.fit(x, y)``), or as the first layer of a model fed string arrays:
``keras.Input(shape=(1,), dtype="string")`` (or ``shape=()``) then
``TextVectorization(...)``, or ``Sequential([vectorizer, Dense(...)])``.
The layer has no weights; nothing flows back through it.
"""

import math
import re

import numpy as np

from glassnet import config
from glassnet.autodiff.tensor import Tensor
from glassnet.layers.keras_tensor import is_symbolic
from glassnet.layers.layer import Layer
from glassnet.layers.preprocessing.index_lookup import check_output_mode, count_rows
from glassnet.layers.preprocessing.string_lookup import StringLookup

STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT = ("whitespace", "character")
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_TRANSLATIONS = {"lower": str.maketrans(_UPPER, _LOWER), "strip_punctuation": str.maketrans("", "", _PUNCTUATION),
                 "lower_and_strip_punctuation": str.maketrans(_UPPER, _LOWER, _PUNCTUATION)}
_ASCII_WHITESPACE = re.compile("[ \t\n\r\x0b\x0c]+")
# what Python's str.split() also takes for whitespace (TensorFlow splits on the six ASCII ones only)
_OTHER_SPACES = re.compile("[\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_CHUNK = 2048


def split_whitespace(text):
    """Tokens between runs of ASCII whitespace (as tf.strings.split); str.split() when that is the same."""
    if _OTHER_SPACES.search(text) is None:
        return text.split()
    return [t for t in _ASCII_WHITESPACE.split(text) if t]


def make_ngrams(tokens, widths):
    """All n-grams of each width in ``widths``, width by width, words joined by a space."""
    grams = []
    for width in widths:
        grams.extend(" ".join(tokens[i:i + width]) for i in range(len(tokens) - width + 1))
    return grams


class TextVectorization(Layer):
    """Strings to sequences of token indices or to bag-of-words vectors (see the module docstring).

    Example (Keras' documented example)::

        layer = TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
        layer.adapt(["foo bar", "bar baz", "baz bada boom"])
        layer([["foo qux bar"], ["qux baz"]])   # [[4, 1, 3, 0], [1, 2, 0, 0]]
    """

    reads_strings = True  # fit/predict accept string arrays for a model that starts with this layer

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace",
                 ngrams=None, output_mode="int", output_sequence_length=None, pad_to_max_tokens=False,
                 vocabulary=None, idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None, *,
                 vocabulary_size=None, has_input_vocabulary=None, **kwargs):
        self._check_arguments(standardize, split, ngrams, output_sequence_length, sparse, ragged)
        output_mode = check_output_mode("TextVectorization", output_mode, ("int", "multi_hot", "count", "tf_idf"))
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError("TextVectorization: `output_sequence_length` must not be set if `output_mode` is not "
                             f"'int'. Received output_sequence_length={output_sequence_length}.")
        kwargs.pop("dtype", None)  # inputs are strings; Keras ignores a dtype policy here
        try:
            lookup = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
                                  pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
                                  has_input_vocabulary=has_input_vocabulary, encoding=encoding,
                                  vocabulary_size=vocabulary_size)
        except ValueError as error:  # name the layer the user made, then the lookup inside it
            raise ValueError(f"TextVectorization (in its vocabulary lookup): {error}") from None
        super().__init__(name=name, **kwargs)
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._lookup_layer = lookup

    @staticmethod
    def _check_arguments(standardize, split, ngrams, output_sequence_length, sparse, ragged):
        if not (standardize is None or callable(standardize) or standardize in STANDARDIZE):
            raise ValueError(f"TextVectorization: `standardize` must be one of {list(STANDARDIZE)}, None or a "
                             f"callable, got standardize={standardize!r}")
        if not (split is None or callable(split) or split in SPLIT):
            raise ValueError(f"TextVectorization: `split` must be one of {list(SPLIT)}, None or a callable, got "
                             f"split={split!r}")
        widths = (ngrams,) if isinstance(ngrams, int) else ngrams
        if not (ngrams is None or isinstance(widths, tuple) and widths and all(
                isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in widths)):
            raise ValueError("TextVectorization: `ngrams` must be None, an integer >= 1, or a tuple of such "
                             f"integers. Received: ngrams={ngrams!r}")
        if output_sequence_length is not None and (
                not isinstance(output_sequence_length, int) or output_sequence_length < 1):
            raise ValueError("TextVectorization: `output_sequence_length` must be None or a positive integer. "
                             f"Received: output_sequence_length={output_sequence_length!r}")
        if sparse or ragged:
            raise ValueError("TextVectorization: sparse=True and ragged=True are not supported (Keras allows them "
                             "only with the TensorFlow backend); outputs are dense, padded arrays")

    # --- vocabulary ------------------------------------------------------------------
    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary in index order ("" and "[UNK]" first in "int" mode)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        """The number of indices, the padding and OOV indices included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (a list, a 1-D array or a file of one term per line) and, for tf_idf, idf weights."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    def load_assets(self, dir_path):
        """The vocabulary Keras saved in this layer's assets folder (``vocabulary.txt``), if any."""
        self._lookup_layer.load_assets(dir_path)

    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary from a list or array of strings, or from an iterable of batches of strings.

        The vocabulary is every token, most frequent first, ties in reverse
        order of the tokens, cut to ``max_tokens``. ``batch_size`` cuts an
        array into batches (the result is the same); ``steps`` limits how
        many batches of an iterable are read. Nothing changes if it raises.
        """
        lookup = self._lookup_layer
        if lookup._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via the "
                             "`vocabulary` argument.")
        lookup.reset_state()
        for step, batch in enumerate(self._adapt_batches(data, batch_size)):
            if steps is not None and step >= steps:
                break
            self.update_state(batch)
        self.finalize_state()

    def _adapt_batches(self, data, batch_size):
        if isinstance(data, (list, tuple, np.ndarray, Tensor, str, bytes)):
            array = self._strings(data, "adapt() data")
            if array.ndim == 0:
                return [array]
            size = batch_size or _CHUNK  # the counts are the same for any batch size
            return (array[i:i + size] for i in range(0, len(array), size))
        if hasattr(data, "__iter__"):
            return data
        raise ValueError(f"TextVectorization '{self.name}': adapt() expects a list or array of strings or an "
                         f"iterable of batches of strings, got {type(data).__name__}")

    def update_state(self, data):
        """Count the tokens of one batch of strings."""
        self._lookup_layer.count_documents(self._documents(self._strings(data, "an adapt() batch")))

    def finalize_state(self):
        self._lookup_layer.finalize_state()

    def reset_state(self):
        self._lookup_layer.reset_state()

    # --- preprocessing -------------------------------------------------------------
    def _strings(self, inputs, what):
        """Inputs as a NumPy array of str, or a clear error."""
        return self._lookup_layer._tokens_array(inputs, what)

    def _standardized(self, strings):
        if self._standardize in _TRANSLATIONS:
            table = _TRANSLATIONS[self._standardize]
            strings = [s.translate(table) for s in strings]
        elif callable(self._standardize):
            strings = np.asarray(self._standardize(np.asarray(strings, dtype=str))).reshape(-1).tolist()
        return strings

    def _documents(self, array):
        """The token list of each sample: standardize, split, n-grams.

        With a split, samples are strings (inputs of shape (n,) or (n, 1));
        without one, a sample is a row of the last axis, each string a token.
        """
        if self._split is None:
            rows = array.reshape(len(array), math.prod(array.shape[1:])) if array.ndim > 1 else array.reshape(-1, 1)
            width = rows.shape[1]
            strings = self._standardized(rows.reshape(-1).tolist())
            documents = [strings[i:i + width] for i in range(0, len(strings), width)]
            return [make_ngrams(d, self._ngrams) for d in documents] if self._ngrams is not None else documents
        if array.ndim > 1 and (array.shape[-1] != 1 or array.ndim > 2):
            raise ValueError(
                f"TextVectorization '{self.name}': when splitting strings into tokens, the input must have "
                f"rank 1 or shape (batch, 1). Received: inputs.shape={array.shape} with rank={array.ndim}")
        strings = self._standardized(array.reshape(-1).tolist())
        if self._split == "whitespace":
            documents = [split_whitespace(s) for s in strings]
        elif self._split == "character":
            documents = [list(s) for s in strings]
        else:
            documents = [[str(t) for t in np.asarray(tokens).reshape(-1).tolist()]
                         for tokens in self._split(np.asarray(strings, dtype=str))]
        if self._ngrams is not None:
            documents = [make_ngrams(tokens, self._ngrams) for tokens in documents]
        return documents

    # --- calling ---------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        if not is_symbolic(inputs):
            inputs = self._strings(inputs, "inputs")
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs):
        array = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        scalar = array.ndim == 0
        if scalar:
            array = array.reshape(1)
        lookup = self._lookup_layer
        if self._keeps_shape():
            strings = self._standardized(array.reshape(-1).tolist())
            return Tensor(lookup.lookup_tokens(strings).reshape(array.shape))
        lookup._ensure_known_vocab_size()
        chunks = range(0, len(array), _CHUNK)  # a chunk's tokens are freed before the next is made
        if self._output_mode == "int":
            outputs = self._joined([self._padded_indices(self._documents(array[i:i + _CHUNK])) for i in chunks])
        else:
            outputs = np.zeros((len(array), lookup._depth()), dtype=config.floatx())
            for i in chunks:
                self._count(self._documents(array[i:i + _CHUNK]), outputs[i:i + _CHUNK])
            outputs = lookup.weighted(outputs)
        return Tensor(outputs[0] if scalar else outputs)

    def _keeps_shape(self):
        """True when each string is one token whose index takes its place (int mode, no split, no n-grams)."""
        return (self._output_mode == "int" and self._split is None and self._ngrams is None
                and self._output_sequence_length is None)

    def _padded_indices(self, documents):
        """The indices of each document in one int64 array, padded with 0 (and cut) to one length."""
        length = self._output_sequence_length
        if length is None:
            length = max((len(d) for d in documents), default=0)
        indices = self._lookup_layer.lookup_tokens([t for d in documents for t in d[:length]])
        lengths = np.array([min(len(d), length) for d in documents], dtype=np.int64)
        out = np.zeros((len(documents), length), dtype=np.int64)
        out[np.arange(length)[None, :] < lengths[:, None]] = indices
        return out

    @staticmethod
    def _joined(parts):
        """Padded chunks stacked into one array, the shorter ones padded with 0 to the longest."""
        width = max((p.shape[1] for p in parts), default=0)
        out = np.zeros((sum(len(p) for p in parts), width), dtype=np.int64)
        start = 0
        for part in parts:
            out[start:start + len(part), :part.shape[1]] = part
            start += len(part)
        return out

    def _count(self, documents, out):
        """Write the multi-hot or count vectors of ``documents`` into the rows of ``out``."""
        indices = self._lookup_layer.lookup_tokens([t for d in documents for t in d])
        rows = np.repeat(np.arange(len(documents)), [len(d) for d in documents])
        count_rows(indices, rows, len(documents), out.shape[1], self._output_mode == "multi_hot", out=out)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self._output_mode == "int":
            if self._keeps_shape():
                return input_shape
            return (input_shape[0] if input_shape else None, self._output_sequence_length)
        self._lookup_layer._ensure_known_vocab_size()
        return (input_shape[0] if input_shape else None, self._lookup_layer._depth())

    def _output_dtype(self, inputs):
        return "int64" if self._output_mode == "int" else self._lookup_layer._output_dtype(inputs)

    def get_build_config(self):
        return {}

    def build_from_config(self, config_):
        self.built = True

    def get_config(self):
        lookup = self._lookup_layer
        config_ = super().get_config()
        config_.update({
            "max_tokens": lookup.max_tokens,
            "standardize": self._standardize,
            "split": self._split,
            "ngrams": self._ngrams_arg,
            "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens,
            "sparse": False,
            "ragged": False,
            "vocabulary": None,
            "idf_weights": None,
            "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size(),
        })
        config_.update(lookup.vocabulary_config())  # the learned vocabulary too (see IndexLookup)
        return config_

    @classmethod
    def from_config(cls, config_):
        config_ = dict(config_)
        for key in ("standardize", "split"):
            if config_.get(key) is not None and not isinstance(config_[key], str) and not callable(config_[key]):
                from glassnet.saving.serialization_lib import deserialize_keras_object

                config_[key] = deserialize_keras_object(config_[key])
        if isinstance(config_.get("ngrams"), list):
            config_["ngrams"] = tuple(config_["ngrams"])
        return cls(**config_)
