"""Sentiment of IMDB movie reviews with an Embedding and two bidirectional LSTMs.

    GLASSNET_DATASETS=/path/to/data python examples/imdb_bidirectional_lstm.py   # >= 0.85 test accuracy

Each review is a list of word ids (the 20,000 most frequent words), cut or
padded to its last 200 words. The Embedding turns each id into a vector of
128 numbers; one LSTM reads the review forwards and one backwards in each
Bidirectional layer; the last layer gives the probability that the review
is positive. GLASSNET_EXAMPLE_SAMPLES, GLASSNET_EXAMPLE_TEST_SAMPLES,
GLASSNET_EXAMPLE_MAXLEN and GLASSNET_EXAMPLE_EPOCHS shorten the run.
"""

import os

import glassnet as keras
from glassnet import layers

SAMPLES = int(os.environ.get("GLASSNET_EXAMPLE_SAMPLES", "0")) or None
TEST_SAMPLES = int(os.environ.get("GLASSNET_EXAMPLE_TEST_SAMPLES", "0")) or None
MAXLEN = int(os.environ.get("GLASSNET_EXAMPLE_MAXLEN", "0")) or 200
EPOCHS = int(os.environ.get("GLASSNET_EXAMPLE_EPOCHS", "0")) or 2
VOCABULARY = 20000

keras.utils.set_random_seed(1)
(x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(num_words=VOCABULARY)
x_train, y_train = x_train[:SAMPLES], y_train[:SAMPLES]
x_test, y_test = x_test[:TEST_SAMPLES], y_test[:TEST_SAMPLES]
x_train = keras.utils.pad_sequences(x_train, maxlen=MAXLEN)
x_test = keras.utils.pad_sequences(x_test, maxlen=MAXLEN)

inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(VOCABULARY, 128)(inputs)
x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(64))(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.summary()
model.fit(x_train, y_train, batch_size=32, epochs=EPOCHS, validation_data=(x_test, y_test), verbose=2)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"Test accuracy: {accuracy:.4f}")
