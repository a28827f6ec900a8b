"""The beginner Keras tutorial (MNIST, Flatten -> Dense 128 -> Dense 10), with glassnet in place of keras.

    python examples/mnist_mlp.py

Apart from the imports this is the tutorial verbatim. Two optional environment
variables shorten it (the tests use them): GLASSNET_EXAMPLE_SAMPLES keeps only
the first N training images, GLASSNET_EXAMPLE_EPOCHS overrides the number of epochs.
"""

import os

import glassnet as keras
from glassnet import layers

SAMPLES = int(os.environ.get("GLASSNET_EXAMPLE_SAMPLES", "0")) or None
EPOCHS = int(os.environ.get("GLASSNET_EXAMPLE_EPOCHS", "0")) or None

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train, y_train = x_train[:SAMPLES], y_train[:SAMPLES]
x_train = x_train.astype("float32") / 255.0
x_test = x_test.astype("float32") / 255.0

model = keras.Sequential([
    keras.Input(shape=(28, 28)),
    layers.Flatten(),
    layers.Dense(128, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=EPOCHS or 5)
model.evaluate(x_test, y_test)
