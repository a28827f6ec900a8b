"""TextVectorization, StringLookup and IntegerLookup against Keras 3's documented outputs (Keras needs
TensorFlow for these layers, so the expected values are the ones its docs and docstrings print), the order of
an adapted vocabulary, n-grams, splitting, every output mode, bad input, configs, and training behind them."""

import json

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.layers.preprocessing.farmhash import fingerprint64, hash_bucket

# --- Keras' documented examples -------------------------------------------------------------------------------------
# keras.io/api/layers/preprocessing_layers/text/text_vectorization/ (the TextVectorization docstring)


def test_text_vectorization_doc_adapt_example():
    layer = layers.TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    out = layer([["foo qux bar"], ["qux baz"]])
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), [[4, 1, 3, 0], [1, 2, 0, 0]])


def test_text_vectorization_doc_vocabulary_example():
    layer = layers.TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4,
                                     vocabulary=["earth", "wind", "and", "fire"])
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    assert layer.get_vocabulary(include_special_tokens=False) == ["earth", "wind", "and", "fire"]
    assert layer.vocabulary_size() == 6


# keras.io/api/layers/preprocessing_layers/categorical/string_lookup/ (the StringLookup docstring)
VOCAB = ["a", "b", "c", "d"]


def test_string_lookup_doc_known_vocabulary():
    out = layers.StringLookup(vocabulary=VOCAB)([["a", "c", "d"], ["d", "z", "b"]])
    np.testing.assert_array_equal(out.numpy(), [[1, 3, 4], [4, 0, 2]])


def test_string_lookup_doc_adapted_vocabulary():
    data = [["a", "c", "d"], ["d", "z", "b"]]
    layer = layers.StringLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    np.testing.assert_array_equal(layer(data).numpy(), [[5, 3, 1], [1, 2, 4]])


def test_string_lookup_doc_multiple_oov_indices():
    # "m" hashes to OOV index 0 and "z" to 1 (FarmHash64, as tf.strings.to_hash_bucket_fast)
    layer = layers.StringLookup(vocabulary=VOCAB, num_oov_indices=2)
    np.testing.assert_array_equal(layer([["a", "c", "d"], ["m", "z", "b"]]).numpy(), [[2, 4, 5], [0, 1, 3]])


def test_string_lookup_doc_one_hot_multi_hot_count():
    one_hot = layers.StringLookup(vocabulary=VOCAB, output_mode="one_hot")(["a", "b", "c", "d", "z"])
    np.testing.assert_array_equal(one_hot.numpy(), np.eye(5)[[1, 2, 3, 4, 0]])
    data = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
    multi = layers.StringLookup(vocabulary=VOCAB, output_mode="multi_hot")(data)
    np.testing.assert_array_equal(multi.numpy(), [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    count = layers.StringLookup(vocabulary=VOCAB, output_mode="count")(data)
    np.testing.assert_array_equal(count.numpy(), [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])
    assert multi.dtype == count.dtype == one_hot.dtype == np.float32


def test_string_lookup_doc_tf_idf():
    data = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.set_vocabulary(VOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4])  # OOV gets the mean weight, 0.5
    np.testing.assert_allclose(layer(data).numpy(), [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.set_vocabulary(["[UNK]"] + VOCAB, idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(layer(data).numpy(), [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6)


def test_string_lookup_doc_inverse_and_round_trip():
    inverse = layers.StringLookup(vocabulary=VOCAB, invert=True)
    expected = [["a", "c", "d"], ["d", "[UNK]", "b"]]
    np.testing.assert_array_equal(inverse([[1, 3, 4], [4, 0, 2]]).numpy(), expected)
    forward = layers.StringLookup(vocabulary=VOCAB)
    np.testing.assert_array_equal(inverse(forward([["a", "c", "d"], ["d", "z", "b"]])).numpy(), expected)


# keras.io/api/layers/preprocessing_layers/categorical/integer_lookup/ (the IntegerLookup docstring)
INT_VOCAB = [12, 36, 1138, 42]


def test_integer_lookup_doc_examples():
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    np.testing.assert_array_equal(layers.IntegerLookup(vocabulary=INT_VOCAB)(data).numpy(), [[1, 3, 4], [4, 0, 2]])
    adapted = layers.IntegerLookup()
    adapted.adapt(data)
    assert adapted.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    np.testing.assert_array_equal(adapted(data).numpy(), [[5, 2, 1], [1, 3, 4]])
    # two OOV indices: 37 mod 2 = 1, 1000 mod 2 = 0
    two_oov = layers.IntegerLookup(vocabulary=INT_VOCAB, num_oov_indices=2)
    np.testing.assert_array_equal(two_oov(np.array([[12, 1138, 42], [37, 1000, 36]])).numpy(), [[2, 4, 5], [1, 0, 3]])


def test_integer_lookup_doc_encodings_and_inverse():
    one_hot = layers.IntegerLookup(vocabulary=INT_VOCAB, output_mode="one_hot")(np.array([12, 36, 1138, 42, 7]))
    np.testing.assert_array_equal(one_hot.numpy(), np.eye(5)[[1, 2, 3, 4, 0]])
    data = np.array([[12, 1138, 42, 42], [42, 7, 36, 7]])
    np.testing.assert_array_equal(layers.IntegerLookup(vocabulary=INT_VOCAB, output_mode="multi_hot")(data).numpy(),
                                  [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    np.testing.assert_array_equal(layers.IntegerLookup(vocabulary=INT_VOCAB, output_mode="count")(data).numpy(),
                                  [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])
    tf_idf = layers.IntegerLookup(output_mode="tf_idf", vocabulary=INT_VOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tf_idf(data).numpy(), [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    tf_idf = layers.IntegerLookup(output_mode="tf_idf", vocabulary=[-1] + INT_VOCAB,
                                  idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tf_idf(data).numpy(), [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6)
    forward = layers.IntegerLookup(vocabulary=INT_VOCAB)
    inverse = layers.IntegerLookup(vocabulary=forward.get_vocabulary(), invert=True)
    out = inverse(forward(np.array([[12, 1138, 42], [42, 1000, 36]])))
    np.testing.assert_array_equal(out.numpy(), [[12, 1138, 42], [42, -1, 36]])


# --- adapt: the order of the vocabulary -----------------------------------------------------------------------------


def test_adapt_orders_by_count_then_token_both_descending():
    layer = layers.StringLookup()
    layer.adapt(["b", "a", "c", "a", "b", "d", "zz", "e"])  # a, b: 2 each; c, d, e, zz: 1 each
    assert layer.get_vocabulary() == ["[UNK]", "b", "a", "zz", "e", "d", "c"]
    unicode = layers.StringLookup()
    unicode.adapt(["z", "é", "Z", "a"])  # ties by code point (UTF-8 byte order): é > z > a > Z
    assert unicode.get_vocabulary(include_special_tokens=False) == ["é", "z", "a", "Z"]


def test_adapt_max_tokens_keeps_the_first_after_tie_breaking():
    layer = layers.TextVectorization(max_tokens=5)  # "", "[UNK]" and 3 terms
    layer.adapt(["a b c d e f g h i j", "c d"])
    assert layer.get_vocabulary() == ["", "[UNK]", "d", "c", "j"]
    counts = layers.TextVectorization(max_tokens=4, output_mode="count")  # "[UNK]" and 3 terms
    counts.adapt(["a b c d e f g h i j", "c d"])
    assert counts.get_vocabulary() == ["[UNK]", "d", "c", "j"]


def test_adapt_mask_and_oov_tokens_are_not_counted():
    layer = layers.StringLookup(mask_token="")
    layer.adapt([["", "", "x"], ["[UNK]", "[UNK]", "[UNK]"]])
    assert layer.get_vocabulary() == ["", "[UNK]", "x"]
    np.testing.assert_array_equal(layer([["", "x", "y"]]).numpy(), [[0, 2, 1]])


def test_adapt_from_generator_with_steps_and_batch_size():
    corpus = ["the cat sat", "the dog sat", "a cat ran", "the end"]
    whole = layers.TextVectorization()
    whole.adapt(corpus)
    batched = layers.TextVectorization()
    batched.adapt(np.array(corpus), batch_size=3)
    generated = layers.TextVectorization()
    generated.adapt(np.array(corpus[i:i + 2]) for i in range(0, 4, 2))
    assert whole.get_vocabulary() == batched.get_vocabulary() == generated.get_vocabulary()
    assert whole.get_vocabulary()[:4] == ["", "[UNK]", "the", "sat"]

    def endless():
        while True:
            yield ["x y", "y"]

    stepped = layers.TextVectorization()
    stepped.adapt(endless(), steps=3)
    assert stepped.get_vocabulary() == ["", "[UNK]", "y", "x"]


def test_adapted_tf_idf_weights_follow_keras_formula():
    docs = ["a a b", "a c", "a"]
    layer = layers.TextVectorization(output_mode="tf_idf")
    layer.adapt(docs)
    assert layer.get_vocabulary() == ["[UNK]", "a", "c", "b"]  # a: 4, then b and c once each, c > b
    idf = np.log(1 + 3 / (1 + np.array([3.0, 1.0, 1.0])))  # documents containing a, c, b
    expected_idf = np.concatenate([[idf.mean()], idf])
    out = layer(["a a b zz"]).numpy()
    np.testing.assert_allclose(out, [[1, 2, 0, 1] * expected_idf], rtol=1e-6)


# --- text processing ---------------------------------------------------------------------------------------------


def test_ngrams_int_and_tuple():
    layer = layers.TextVectorization(ngrams=2)
    layer.adapt(["foo bar baz"])
    assert sorted(layer.get_vocabulary(include_special_tokens=False)) == ["bar", "bar baz", "baz", "foo", "foo bar"]
    vocab = layer.get_vocabulary()
    # unigrams in order, then bigrams in order
    expected = [vocab.index(t) for t in ["foo", "bar", "baz", "foo bar", "bar baz"]]
    np.testing.assert_array_equal(layer(["foo bar baz"]).numpy(), [expected])
    trigrams = layers.TextVectorization(ngrams=(1, 3))
    trigrams.adapt(["foo bar baz"])
    assert "foo bar baz" in trigrams.get_vocabulary() and "foo bar" not in trigrams.get_vocabulary()
    short = layers.TextVectorization(ngrams=(3,), vocabulary=["a b c"])
    np.testing.assert_array_equal(short(["a b", "a b c d"]).numpy(), [[0, 0], [2, 1]])


def test_character_split_and_padding():
    # Keras' test: split="character", vocabulary "abcde", "abcf" -> [[2, 3, 4, 1]]
    layer = layers.TextVectorization(split="character", vocabulary=list("abcde"))
    np.testing.assert_array_equal(layer(["abcf"]).numpy(), [[2, 3, 4, 1]])
    np.testing.assert_array_equal(layer(["ab", "édcba"]).numpy(), [[2, 3, 0, 0, 0], [1, 5, 4, 3, 2]])


def test_output_sequence_length_pads_and_truncates():
    layer = layers.TextVectorization(vocabulary=["a", "b", "c"], output_sequence_length=3)
    out = layer(["a b c a b", "c", ""])
    np.testing.assert_array_equal(out.numpy(), [[2, 3, 4], [4, 0, 0], [0, 0, 0]])
    free = layers.TextVectorization(vocabulary=["a", "b", "c"])
    np.testing.assert_array_equal(free(np.array([["a b c a b"], ["c"]])).numpy(), [[2, 3, 4, 2, 3], [4, 0, 0, 0, 0]])


def test_standardize_options():
    text = ["Hello, World!. This is just a nice test!"]
    # Keras' tests: lower_and_strip_punctuation -> [[2, 3, 4, 5, 1, 1, 6, 7]], lower -> [[2, 1, 5, 6, 1, 1, 7, 1]]
    default = layers.TextVectorization(vocabulary=["hello", "world", "this", "is", "nice", "test"])
    np.testing.assert_array_equal(default(text).numpy(), [[2, 3, 4, 5, 1, 1, 6, 7]])
    lower = layers.TextVectorization(standardize="lower",
                                     vocabulary=["hello,", "hello", "world", "this", "is", "nice", "test"])
    np.testing.assert_array_equal(lower(text).numpy(), [[2, 1, 5, 6, 1, 1, 7, 1]])
    strip = layers.TextVectorization(standardize="strip_punctuation", vocabulary=["Hello", "World", "Test"])
    np.testing.assert_array_equal(strip(["Hello, World! Test."]).numpy(), [[2, 3, 4]])
    raw = layers.TextVectorization(standardize=None, vocabulary=["Hello", "world"])
    np.testing.assert_array_equal(raw(["Hello hello"]).numpy(), [[2, 1]])
    ascii_only = layers.TextVectorization(vocabulary=["école", "Élan"])  # as tf.strings.lower: ASCII letters only
    np.testing.assert_array_equal(ascii_only(["ÉCOLE École Élan"]).numpy(), [[1, 1, 3]])


def test_callables_for_standardize_and_split():
    seen = []

    def standardize(strings):
        seen.append((type(strings), strings.dtype.kind))
        return np.char.replace(np.char.lower(strings), "-", " ")

    layer = layers.TextVectorization(standardize=standardize, split=lambda s: [t.split("|") for t in s],
                                     vocabulary=["foo", "bar baz", "qux"])
    np.testing.assert_array_equal(layer(["FOO|bar-baz|x"]).numpy(), [[2, 3, 1]])
    assert seen == [(np.ndarray, "U")]


def test_split_none_looks_up_whole_strings():
    layer = layers.TextVectorization(split=None, vocabulary=["foo", "bar", "baz"])
    np.testing.assert_array_equal(layer([["foo"], ["bar"], ["unknown"]]).numpy(), [[2], [3], [1]])
    np.testing.assert_array_equal(layer(["Bar", "x"]).numpy(), [3, 1])


def test_inputs_bytes_objects_scalars_and_tensors():
    layer = layers.TextVectorization(vocabulary=["a", "b"])
    expected = [[2, 3], [3, 0]]
    np.testing.assert_array_equal(layer(np.array([b"a b", b"b"])).numpy(), expected)
    np.testing.assert_array_equal(layer(np.array(["a b", b"b"], dtype=object)).numpy(), expected)
    np.testing.assert_array_equal(layer(glassnet.Tensor(np.array(["a b", "b"]))).numpy(), expected)
    np.testing.assert_array_equal(layer("b a c").numpy(), [3, 2, 1])


# --- output modes of TextVectorization --------------------------------------------------------------------------


def test_text_vectorization_counting_modes():
    # Keras' tests: vocabulary foo, bar, baz; ["foo bar", "baz foo foo"]
    vocab = ["foo", "bar", "baz"]
    texts = ["foo bar", "baz foo foo"]
    multi = layers.TextVectorization(output_mode="multi_hot", vocabulary=vocab)(texts)
    np.testing.assert_array_equal(multi.numpy(), [[0, 1, 1, 0], [0, 1, 0, 1]])
    count = layers.TextVectorization(output_mode="count", vocabulary=vocab)(texts)
    np.testing.assert_array_equal(count.numpy(), [[0, 1, 1, 0], [0, 2, 0, 1]])
    tf_idf = layers.TextVectorization(output_mode="tf_idf", vocabulary=vocab, idf_weights=[0.3, 0.5, 0.2])(texts)
    np.testing.assert_allclose(tf_idf.numpy(), [[0, 0.3, 0.5, 0], [0, 0.6, 0, 0.2]], rtol=1e-6)
    assert multi.dtype == count.dtype == tf_idf.dtype == np.float32
    padded = layers.TextVectorization(output_mode="multi_hot", vocabulary=["foo", "bar"], max_tokens=6,
                                      pad_to_max_tokens=True)(["bar qux"])
    np.testing.assert_array_equal(padded.numpy(), [[1, 0, 1, 0, 0, 0]])
    assert layers.TextVectorization(output_mode="binary", vocabulary=vocab)._output_mode == "multi_hot"


def test_frozen_width_in_counting_modes():
    layer = layers.TextVectorization(output_mode="multi_hot")
    layer.adapt(["a b"])
    with pytest.raises(RuntimeError, match="vocabulary size cannot be changed"):
        layer.adapt(["a b c"])
    assert layer.get_vocabulary() == ["[UNK]", "b", "a"]
    layer.adapt(["x y"])  # the same width is fine
    assert layer.get_vocabulary() == ["[UNK]", "y", "x"]


# --- bad input ------------------------------------------------------------------------------------------------------


def test_text_vectorization_refuses_non_strings():
    layer = layers.TextVectorization(vocabulary=["a"])
    with pytest.raises(ValueError, match=r"expects strings, got inputs of dtype int64"):
        layer(np.array([1, 2]))
    with pytest.raises(ValueError, match="expects strings"):
        layers.TextVectorization().adapt(np.array([[0.5, 1.5]]))
    with pytest.raises(ValueError, match="expects strings"):
        layer(np.array([None, "a"], dtype=object))
    with pytest.raises(ValueError, match=r"rank 1 or shape \(batch, 1\)"):
        layer(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="IntegerLookup"):
        layers.StringLookup(vocabulary=["a"])(np.array([3]))
    with pytest.raises(ValueError, match="StringLookup"):
        layers.IntegerLookup(vocabulary=[1])(["a"])
    with pytest.raises(ValueError, match="integer indices"):
        layers.StringLookup(vocabulary=["a"], invert=True)(["a"])


def test_adapt_on_empty_data_raises_and_keeps_the_vocabulary():
    layer = layers.TextVectorization()
    layer.adapt(["keep me"])
    before = layer.get_vocabulary()
    with pytest.raises(ValueError, match="adapt\\(\\) got no data"):
        layer.adapt([])
    with pytest.raises(ValueError, match="got no data"):
        layer.adapt(iter([]))
    with pytest.raises(ValueError, match="found no tokens"):
        layer.adapt(["", "  ", "!?"])
    assert layer.get_vocabulary() == before
    with pytest.raises(ValueError, match="got no data"):
        layers.StringLookup().adapt(np.array([], dtype=str))


def test_max_tokens_too_small():
    with pytest.raises(ValueError, match="max_tokens` must be greater than 1"):
        layers.StringLookup(max_tokens=1)
    with pytest.raises(ValueError, match=r"max_tokens=2 leaves no room.*mask token ''.*\[UNK\]"):
        layers.TextVectorization(max_tokens=2)
    layers.TextVectorization(max_tokens=2, output_mode="count")  # "[UNK]" and one term
    with pytest.raises(ValueError, match="larger than the maximum vocab size"):
        layers.TextVectorization(max_tokens=3, vocabulary=["a", "b"])


def test_argument_and_vocabulary_errors():
    for kwargs, message in [
        ({"standardize": "upper"}, "standardize"), ({"split": "comma"}, "split"), ({"ngrams": 0}, "ngrams"),
        ({"ngrams": [1, 2]}, "ngrams"), ({"output_mode": "one_hot"}, "output_mode"),
        ({"output_mode": "count", "output_sequence_length": 3}, "output_sequence_length"),
        ({"output_sequence_length": 0}, "output_sequence_length"), ({"ragged": True}, "ragged"),
        ({"pad_to_max_tokens": True}, "max_tokens"), ({"vocabulary": ["a"], "output_mode": "tf_idf"}, "idf_weights"),
        ({"idf_weights": [1.0]}, "idf_weights"),
    ]:
        with pytest.raises(ValueError, match=message):
            layers.TextVectorization(**kwargs)
    with pytest.raises(ValueError, match="repeated"):
        layers.StringLookup(vocabulary=["a", "b", "a"])
    with pytest.raises(ValueError, match="reserved mask_token"):
        layers.StringLookup(vocabulary=["a", ""], mask_token="")
    with pytest.raises(ValueError, match="empty vocabulary"):
        layers.StringLookup(vocabulary=[])
    with pytest.raises(ValueError, match="Cannot adapt"):
        layers.TextVectorization(vocabulary=["a"]).adapt(["a b"])
    with pytest.raises(ValueError, match="does not exist"):
        layers.StringLookup(vocabulary="/nonexistent/vocab.txt")
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        layers.StringLookup(vocabulary=["a"], num_oov_indices=0)(["a", "b"])
    with pytest.raises(RuntimeError, match="set the layer's vocabulary"):
        layers.StringLookup(output_mode="multi_hot")(["a"])


# --- configs and files ----------------------------------------------------------------------------------------------


def test_config_round_trip_keeps_outputs():
    for layer, data in [
        (layers.TextVectorization(max_tokens=10, ngrams=(1, 2), output_sequence_length=5, vocabulary=["a", "b"]),
         ["a b c", "b"]),
        (layers.TextVectorization(output_mode="tf_idf", vocabulary=["a", "b"], idf_weights=[0.5, 2.0]), ["a b b"]),
        (layers.StringLookup(vocabulary=VOCAB, num_oov_indices=2, mask_token="", output_mode="count"),
         [["a", "", "q"]]),
        (layers.IntegerLookup(vocabulary=np.array(INT_VOCAB), oov_method="farmhash", num_oov_indices=3),
         np.array([12, 5, 6, 7])),
        (layers.StringLookup(vocabulary=VOCAB, invert=True), np.array([0, 1, 4])),
    ]:
        config = json.loads(json.dumps(layer.get_config()))
        clone = type(layer).from_config(config)
        assert json.loads(json.dumps(clone.get_config())) == config
        np.testing.assert_array_equal(clone(data).numpy(), layer(data).numpy())


def test_config_keys_match_keras():
    config = layers.TextVectorization().get_config()
    assert list(config)[3:] == ["max_tokens", "standardize", "split", "ngrams", "output_mode",
                                "output_sequence_length", "pad_to_max_tokens", "sparse", "ragged", "vocabulary",
                                "idf_weights", "encoding", "vocabulary_size"]
    string = layers.StringLookup().get_config()
    assert "vocabulary_dtype" not in string and string["encoding"] == "utf-8" and string["oov_token"] == "[UNK]"
    assert layers.IntegerLookup().get_config()["vocabulary_dtype"] == "int64"


def test_learned_vocabulary_is_in_the_config_and_stays_adaptable():
    # Keras keeps an adapted vocabulary in an asset file; glassnet writes it into the config instead
    texts = ["a a b c", "b d", "a"]
    for layer in [layers.TextVectorization(output_mode="tf_idf"), layers.TextVectorization(ngrams=2),
                  layers.StringLookup(mask_token="", output_mode="multi_hot"), layers.IntegerLookup()]:
        data = np.array([[1, 2, 2], [3, 1, 1]]) if isinstance(layer, layers.IntegerLookup) else texts
        layer.adapt(data)
        config = json.loads(json.dumps(layer.get_config()))
        assert config["vocabulary"] == layer.get_vocabulary() and config["has_input_vocabulary"] is False
        clone = type(layer).from_config(config)
        assert clone.get_vocabulary() == layer.get_vocabulary()
        np.testing.assert_array_equal(clone(data).numpy(), layer(data).numpy())
        assert json.loads(json.dumps(clone.get_config())) == config
        clone.adapt(data)  # still adaptable
    given = layers.StringLookup()
    given.set_vocabulary(["q", "r"])
    assert given.get_config()["vocabulary"] == ["[UNK]", "q", "r"]


def test_saved_model_keeps_the_adapted_vocabulary(tmp_path):
    texts, labels = _sentiment_corpus()
    vectorizer = layers.TextVectorization(output_mode="multi_hot")
    vectorizer.adapt(texts)
    model = glassnet.Sequential([vectorizer, layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(texts, labels, epochs=2, verbose=0)
    path = str(tmp_path / "text.keras")
    model.save(path)
    loaded = glassnet.models.load_model(path)
    assert loaded.layers[0].get_vocabulary() == vectorizer.get_vocabulary()
    np.testing.assert_allclose(loaded.predict(texts, verbose=0), model.predict(texts, verbose=0), rtol=1e-6)


def test_vocabulary_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("earth\nwind\nand\nfire\n\n", encoding="utf-8")
    layer = layers.TextVectorization(vocabulary=str(path))
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    np.testing.assert_array_equal(layer(["Fire and ice"]).numpy(), [[5, 4, 1]])
    assert layer.get_config()["vocabulary"] == ["earth", "wind", "and", "fire"]  # the terms, not the path
    ints = tmp_path / "ids.txt"
    ints.write_text("7\n3\n", encoding="utf-8")
    np.testing.assert_array_equal(layers.IntegerLookup(vocabulary=str(ints))(np.array([3, 7, 1])).numpy(), [2, 1, 0])


def test_string_lookup_mask_token_and_invert():
    layer = layers.StringLookup(vocabulary=VOCAB, mask_token="[MASK]")
    assert layer.get_vocabulary()[:2] == ["[MASK]", "[UNK]"]
    ids = layer([["a", "[MASK]", "zz"]])
    np.testing.assert_array_equal(ids.numpy(), [[2, 0, 1]])
    inverse = layers.StringLookup(vocabulary=layer.get_vocabulary(), mask_token="[MASK]", invert=True)
    np.testing.assert_array_equal(inverse(ids).numpy(), [["a", "[MASK]", "[UNK]"]])
    multi = layers.StringLookup(vocabulary=VOCAB, mask_token="[MASK]", output_mode="multi_hot")
    np.testing.assert_array_equal(multi([["[MASK]", "b"]]).numpy(), [[0, 0, 1, 0, 0]])  # the mask is dropped


def test_farmhash_fingerprint64_values():
    # tf.strings.to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3) -> [0, 2, 2] (TensorFlow's docs)
    assert [hash_bucket(s, 3) for s in ["Hello", "TensorFlow", "2.x"]] == [0, 2, 2]
    # Fingerprint64 from Google's FarmHash (the pyfarmhash bindings), one string per length branch
    for text, value in [("", 11160318154034397263), ("abc", 2640714258260161385),
                        ("Hello", 15404698994557526151), ("TensorFlow", 4265654129848386254),
                        ("seventeen bytes!!", 5799120529764292453),
                        ("a string of thirty three bytes...", 14200723780955203040),
                        ("x" * 64, 6916188127298655160),
                        ("The quick brown fox jumps over the lazy dog, again and again and again.",
                         8103716448383103622), ("é" * 100, 5454368170614913498)]:
        assert fingerprint64(text) == value, text


# --- in models --------------------------------------------------------------------------------------------------


def _sentiment_corpus():
    positive = ["good movie", "great acting, good plot", "a great film", "good fun", "great great"]
    negative = ["bad movie", "awful acting, bad plot", "a bad film", "awful", "bad bad awful"]
    texts = np.array(positive + negative)
    labels = np.array([1] * 5 + [0] * 5, dtype="float32")
    return texts, labels


def test_vectorize_then_fit_a_dense_model():
    texts, labels = _sentiment_corpus()
    vectorizer = layers.TextVectorization(output_mode="multi_hot")
    vectorizer.adapt(texts)
    x = vectorizer(texts)
    assert x.shape == (10, vectorizer.vocabulary_size())
    model = glassnet.Sequential([glassnet.Input(shape=(x.shape[1],)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=glassnet.optimizers.Adam(0.1), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, labels, epochs=30, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] == 1.0
    predictions = model.predict(vectorizer(["good good film", "awful bad movie"]), verbose=0)
    assert predictions[0, 0] > 0.5 > predictions[1, 0]


def test_text_vectorization_as_first_layer_of_models():
    texts, labels = _sentiment_corpus()
    vectorizer = layers.TextVectorization(output_mode="count")
    vectorizer.adapt(texts)
    sequential = glassnet.Sequential([vectorizer, layers.Dense(1, activation="sigmoid")])
    sequential.compile(optimizer=glassnet.optimizers.Adam(0.1), loss="binary_crossentropy")
    losses = sequential.fit(texts, labels, epochs=20, batch_size=4, verbose=0).history["loss"]
    assert losses[-1] < losses[0]

    inputs = glassnet.Input(shape=(1,), dtype="string")
    features = vectorizer(inputs)
    assert features.shape == (None, vectorizer.vocabulary_size()) and features.dtype == "float32"
    functional = glassnet.Model(inputs, layers.Dense(1, activation="sigmoid")(features))
    functional.compile(optimizer=glassnet.optimizers.Adam(0.1), loss="binary_crossentropy")
    losses = functional.fit(texts[:, None], labels, epochs=20, verbose=0).history["loss"]
    assert losses[-1] < losses[0]
    np.testing.assert_allclose(functional.predict(texts[:, None], verbose=0),
                               functional(texts[:, None]).numpy(), rtol=1e-6)


def test_int_mode_symbolic_shape_and_dtype():
    inputs = glassnet.Input(shape=(), dtype="string")
    out = layers.TextVectorization(vocabulary=["a"], output_sequence_length=7)(inputs)
    assert out.shape == (None, 7) and out.dtype == "int64"
    lookup = layers.StringLookup(vocabulary=VOCAB, output_mode="one_hot")(glassnet.Input(shape=(1,), dtype="string"))
    assert lookup.shape == (None, 5)


def test_whitespace_and_punctuation_sets_match_tensorflow():
    import string

    from glassnet.layers.preprocessing import text_vectorization as tv

    assert sorted(tv._PUNCTUATION) == sorted(string.punctuation)  # Keras' regex: the 32 ASCII punctuation marks
    python_only = {chr(c) for c in range(0x3001) if chr(c).isspace()} - set(" \t\n\r\x0b\x0c")
    assert {c for c in map(chr, range(0x3001)) if tv._OTHER_SPACES.match(c)} == python_only
    assert tv.split_whitespace(" a\tb\n\nc\x0bd\x0ce\rf ") == list("abcdef")
    assert tv.split_whitespace("a\xa0b c\u3000d\x1ce") == ["a\xa0b", "c\u3000d\x1ce"]  # not ASCII whitespace
