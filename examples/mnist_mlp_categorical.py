"""The Keras 2 style tutorial: Sequential().add(...), one-hot labels, validation_split.

    python examples/mnist_mlp_categorical.py

Apart from the imports this is the tutorial verbatim. Two optional environment
variables shorten it (the tests use them): GLASSNET_EXAMPLE_SAMPLES keeps only
the first N training images, GLASSNET_EXAMPLE_EPOCHS overrides the number of epochs.
"""

import os

from glassnet.datasets import mnist
from glassnet.layers import Dense
from glassnet.models import Sequential
from glassnet.utils import to_categorical

SAMPLES = int(os.environ.get("GLASSNET_EXAMPLE_SAMPLES", "0")) or None
EPOCHS = int(os.environ.get("GLASSNET_EXAMPLE_EPOCHS", "0")) or None

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, y_train = x_train[:SAMPLES], y_train[:SAMPLES]
x_train = x_train.reshape(x_train.shape[0], 784).astype("float32") / 255
x_test = x_test.reshape(x_test.shape[0], 784).astype("float32") / 255

model = Sequential()
model.add(Dense(units=64, activation='relu', input_dim=784))
model.add(Dense(units=10, activation='softmax'))
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])

model.fit(x_train, to_categorical(y_train), epochs=EPOCHS or 10, batch_size=32, validation_split=0.2)
score = model.evaluate(x_test, to_categorical(y_test))
print('Test accuracy:', score[1])
