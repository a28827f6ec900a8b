"""Shared helpers for the callback tests: a tiny model, and a callback that dictates the epoch logs."""

import numpy as np

import glassnet as keras
from glassnet import layers
from glassnet.callbacks import Callback


def small_data(n=40, features=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, features)).astype("float32"), rng.integers(0, classes, n)


def small_model(optimizer="sgd", metrics=("accuracy",), features=4, classes=3):
    model = keras.Sequential([keras.Input(shape=(features,)), layers.Dense(5, activation="relu"),
                              layers.Dense(classes, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=list(metrics))
    return model


class ScriptedLogs(Callback):
    """Overwrites epoch logs with scripted values (``{"val_loss": [..]}``); put it before the callback under test.

    Every callback of one ``on_epoch_end`` call shares the logs dict, as in Keras, so the callbacks after
    this one see the scripted values. It also keeps a copy of the weights at every epoch end.
    """

    def __init__(self, **sequences):
        super().__init__()
        self.sequences = sequences
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        for name, values in self.sequences.items():
            logs[name] = float(values[epoch])
        self.weights.append(self.model.get_weights())


def drive(callback, model, sequences, epochs=None):
    """Call ``callback``'s epoch hooks directly with scripted logs, as ``fit`` would.

    Returns the epoch at which ``model.stop_training`` became True (or None) and the learning rate
    seen at the end of each epoch.
    """
    name, values = next(iter(sequences.items()))
    epochs = len(values) if epochs is None else epochs
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_begin({})
    stopped, rates = None, []
    for epoch in range(epochs):
        callback.on_epoch_begin(epoch, {})
        logs = {key: float(seq[epoch]) for key, seq in sequences.items()}
        callback.on_epoch_end(epoch, logs)
        rates.append(float(np.asarray(model.optimizer.learning_rate)))
        if model.stop_training:
            stopped = epoch
            break
    callback.on_train_end({})
    return stopped, rates
