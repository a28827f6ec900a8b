"""Sentiment of IMDB reviews with a small transformer: token and position embeddings, one encoder block.

    GLASSNET_DATASETS=/path/to/data python examples/imdb_transformer.py   # >= 0.85 test accuracy

Each review is cut or padded to 200 word ids. A token embedding says which
word stands at a place, a position embedding which place it is; their sum
goes through one transformer block (self-attention with 2 heads, then a
small feed-forward network, each with a residual connection and layer
normalization), is averaged over the 200 places and classified.
GLASSNET_EXAMPLE_SAMPLES, GLASSNET_EXAMPLE_TEST_SAMPLES and
GLASSNET_EXAMPLE_EPOCHS shorten the run.
"""

import os

import glassnet as keras
from glassnet import layers, ops

SAMPLES = int(os.environ.get("GLASSNET_EXAMPLE_SAMPLES", "0")) or None
TEST_SAMPLES = int(os.environ.get("GLASSNET_EXAMPLE_TEST_SAMPLES", "0")) or None
EPOCHS = int(os.environ.get("GLASSNET_EXAMPLE_EPOCHS", "0")) or 2
VOCABULARY, LENGTH, WIDTH, HEADS, HIDDEN = 20000, 200, 32, 2, 32


class TransformerBlock(layers.Layer):
    """x + attention(x), normalized; then that + feed_forward(that), normalized."""

    def __init__(self, width, heads, hidden, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.attention = layers.MultiHeadAttention(num_heads=heads, key_dim=width)
        self.feed_forward = keras.Sequential([layers.Dense(hidden, activation="relu"), layers.Dense(width)])
        self.norm1, self.norm2 = layers.LayerNormalization(epsilon=1e-6), layers.LayerNormalization(epsilon=1e-6)
        self.dropout1, self.dropout2 = layers.Dropout(rate), layers.Dropout(rate)

    def call(self, inputs, training=None):
        attended = self.dropout1(self.attention(inputs, inputs), training=training)
        mixed = self.norm1(inputs + attended)
        return self.norm2(mixed + self.dropout2(self.feed_forward(mixed), training=training))


class TokenAndPositionEmbedding(layers.Layer):
    """embedding(word id) + embedding(position), for every place of the sequence."""

    def __init__(self, length, vocabulary, width, **kwargs):
        super().__init__(**kwargs)
        self.tokens = layers.Embedding(vocabulary, width)
        self.positions = layers.Embedding(length, width)

    def call(self, ids):
        places = ops.arange(0, ops.shape(ids)[-1], 1)
        return self.tokens(ids) + self.positions(places)


keras.utils.set_random_seed(2)
(x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(num_words=VOCABULARY)
x_train, y_train = x_train[:SAMPLES], y_train[:SAMPLES]
x_test, y_test = x_test[:TEST_SAMPLES], y_test[:TEST_SAMPLES]
x_train = keras.utils.pad_sequences(x_train, maxlen=LENGTH)
x_test = keras.utils.pad_sequences(x_test, maxlen=LENGTH)

inputs = keras.Input(shape=(LENGTH,))
x = TokenAndPositionEmbedding(LENGTH, VOCABULARY, WIDTH)(inputs)
x = TransformerBlock(WIDTH, HEADS, HIDDEN)(x)
x = layers.GlobalAveragePooling1D()(x)
x = layers.Dropout(0.1)(x)
x = layers.Dense(20, activation="relu")(x)
x = layers.Dropout(0.1)(x)
outputs = layers.Dense(2, activation="softmax")(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()
model.fit(x_train, y_train, batch_size=32, epochs=EPOCHS, validation_data=(x_test, y_test), verbose=2)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"Test accuracy: {accuracy:.4f}")
