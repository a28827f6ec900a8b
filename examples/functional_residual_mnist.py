"""A functional model with a residual block vs its Sequential twin, on MNIST, with glassnet in place of keras.

    python examples/functional_residual_mnist.py

Both networks have the same layers and the same number of weights
(Flatten -> Dense 128 -> Dense 128 -> Dense 10); the functional one adds
the first hidden layer's output to the second's (a skip connection). Both
train the same way (Adam, 5 epochs, batch 32, the same seed), then the
functional model is saved to a .keras file, loaded back, and checked to
predict the same. Two optional environment variables shorten the run (the
tests use them): GLASSNET_EXAMPLE_SAMPLES keeps only the first N training
images, GLASSNET_EXAMPLE_EPOCHS overrides the number of epochs.
"""

import os
import tempfile

import numpy as np

import glassnet as keras
from glassnet import layers

SAMPLES = int(os.environ.get("GLASSNET_EXAMPLE_SAMPLES", "0")) or None
EPOCHS = int(os.environ.get("GLASSNET_EXAMPLE_EPOCHS", "0")) or 5

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train, y_train = x_train[:SAMPLES], y_train[:SAMPLES]
x_train = x_train.astype("float32") / 255.0
x_test = x_test.astype("float32") / 255.0


def sequential_twin():
    return keras.Sequential([
        keras.Input(shape=(28, 28)),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])


def residual():
    inputs = keras.Input(shape=(28, 28))
    x = layers.Flatten()(inputs)
    x = layers.Dense(128, activation="relu")(x)
    y = layers.Dense(128, activation="relu")(x)
    x = layers.Add()([x, y])
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


accuracies = {}
for name, build in (("Sequential", sequential_twin), ("Functional (residual)", residual)):
    keras.utils.set_random_seed(42)
    model = build()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=EPOCHS, batch_size=32, verbose=2)
    accuracies[name] = model.evaluate(x_test, y_test, verbose=0)[1]

model.summary()
path = os.path.join(tempfile.mkdtemp(), "residual.keras")
model.save(path)
reloaded = keras.models.load_model(path)
same = np.array_equal(reloaded.predict(x_test[:1000], verbose=0), model.predict(x_test[:1000], verbose=0))
print(f"Saved to {os.path.basename(path)} ({os.path.getsize(path):,} bytes) and loaded back: "
      f"{'same predictions' if same else 'DIFFERENT predictions'}")
for name, accuracy in accuracies.items():
    print(f"{name} test accuracy: {accuracy:.4f}")
