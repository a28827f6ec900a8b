"""A small training run with every source of randomness (shuffling, dropout, a seeded layer), for the resume tests.

Also run as a script by the subprocess test: ``python _backup_helpers.py MODE BACKUP_DIR OUT`` trains, with a
BackupAndRestore on BACKUP_DIR unless MODE is ``plain``; MODE ``kill`` SIGKILLs the process during epoch 3; the
final weights go to ``OUT.npz`` and the history to ``OUT.json``.
"""

import json
import os
import signal
import sys

import numpy as np

import glassnet as gn
from glassnet import layers

SEED = 11
EPOCHS = 4


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 6)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64") + (x[:, 2] > 0.5)
    return x, y


def build():
    model = gn.Sequential([
        gn.Input(shape=(6,)), layers.Dense(16, activation="relu"), layers.Dropout(0.3), layers.BatchNormalization(),
        layers.Dense(16, activation="relu"), layers.Dropout(0.2, seed=5), layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer=gn.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train(callbacks=(), epochs=EPOCHS, seed=SEED):
    """A fresh session, seed and model, then fit; returns the model and the History."""
    gn.utils.clear_session()
    gn.utils.set_random_seed(seed)
    model = build()
    x, y = data()
    history = model.fit(x, y, epochs=epochs, batch_size=16, validation_split=0.2, shuffle=True, verbose=0,
                        callbacks=list(callbacks))
    return model, history


class Interrupt(gn.callbacks.Callback):
    """Raises at the start of epoch ``epoch`` (counted from 0), as a crash would."""

    def __init__(self, epoch=2):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise RuntimeError("interrupted")


class Kill(gn.callbacks.Callback):
    """SIGKILLs this process after batch ``batch`` of epoch ``epoch``: no cleanup code runs."""

    def __init__(self, epoch=2, batch=1):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.current == self.epoch and batch == self.batch:
            os.kill(os.getpid(), signal.SIGKILL)


def main(mode, backup_dir, out):
    callbacks = [] if mode == "plain" else [gn.callbacks.BackupAndRestore(backup_dir)]
    if mode == "kill":
        callbacks.append(Kill())
    model, history = train(callbacks)
    np.savez(out + ".npz", *model.get_weights())
    with open(out + ".json", "w") as handle:
        json.dump({"epoch": history.epoch, "history": history.history}, handle)


if __name__ == "__main__":
    main(*sys.argv[1:4])
