"""Run under ``mpirun -np 2`` by test_mpi.py: ``python _worker.py SCENARIO OUTDIR``; results go to OUTDIR."""

import json
import os
import sys
import time

import numpy as np

import glassnet as keras
import glassnet.distributed as hvd
from glassnet import layers

GLOBAL_BATCH = 16
SAMPLES = 64


def data(kind):
    rng = np.random.default_rng(7)
    shapes = {"mlp": (12,), "conv": (8, 8, 1), "rnn": (6, 4), "attention": (5, 8)}
    x = rng.normal(size=(SAMPLES,) + shapes[kind]).astype("float32")
    y = rng.integers(0, 3, SAMPLES)
    return x, y


def model_of(kind):
    if kind == "mlp":
        body = [keras.Input((12,)), layers.Dense(16, activation="relu"), layers.Dense(3, activation="softmax")]
        return keras.Sequential(body)
    if kind == "conv":
        return keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                                 layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(3, activation="softmax")])
    if kind == "rnn":
        return keras.Sequential([keras.Input((6, 4)), layers.LSTM(8), layers.Dense(3, activation="softmax")])
    inputs = keras.Input((5, 8))
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=4)(inputs, inputs)
    pooled = layers.GlobalAveragePooling1D()(layers.LayerNormalization()(layers.Add()([inputs, attended])))
    return keras.Model(inputs, layers.Dense(3, activation="softmax")(pooled))


def optimizer_of(kind):
    if kind == "attention":
        # the key projection's bias has a gradient of exactly 0 in exact arithmetic (softmax ignores a shift), so
        # its float gradient is rounding noise, which Adam scales up to +-learning_rate: momentum SGD instead
        return keras.optimizers.SGD(0.05, momentum=0.9)
    return keras.optimizers.Adam(0.01)


class Record(keras.callbacks.Callback):
    """The epoch logs as this rank computed them (placed before MetricAverageCallback)."""

    def __init__(self):
        super().__init__()
        self.logs = []

    def on_epoch_end(self, epoch, logs=None):
        self.logs.append(dict(logs))


def equality(out):
    rank, size = hvd.rank(), hvd.size()
    results = {}
    for kind in ("mlp", "conv", "rnn", "attention"):
        x, y = data(kind)
        keras.utils.set_random_seed(100 + rank)  # different starting weights: the broadcast must fix them
        model = model_of(kind)
        model.compile(optimizer=hvd.DistributedOptimizer(optimizer_of(kind)),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        record = Record()
        checkpoint = keras.callbacks.ModelCheckpoint(os.path.join(out, f"{kind}_rank{rank}.weights.h5"),
                                                     save_weights_only=True, monitor="loss")
        everywhere = keras.callbacks.ModelCheckpoint(os.path.join(out, f"{kind}_all{rank}.weights.h5"),
                                                     save_weights_only=True, monitor="loss")
        everywhere.all_ranks = True
        x_r, y_r = hvd.shard(x, y, batch_size=GLOBAL_BATCH)
        history = model.fit(x_r, y_r, batch_size=GLOBAL_BATCH // size, epochs=1, shuffle=False, verbose=2,
                            callbacks=[hvd.callbacks.BroadcastGlobalVariablesCallback(0), record,
                                       hvd.callbacks.MetricAverageCallback(), checkpoint, everywhere])
        np.savez(os.path.join(out, f"{kind}_weights{rank}.npz"), *model.get_weights())
        entry = {"local": record.logs, "averaged": {k: v for k, v in history.history.items()},
                 "iterations": int(model.optimizer.iterations)}
        if rank == 0:  # the one-process run on whole batches, from the same (rank 0's) starting weights
            keras.utils.set_random_seed(100)
            single = model_of(kind)
            single.compile(optimizer=optimizer_of(kind), loss="sparse_categorical_crossentropy",
                           metrics=["accuracy"])
            single_history = single.fit(x, y, batch_size=GLOBAL_BATCH, epochs=1, shuffle=False, verbose=0)
            entry["max_diff"] = max(float(np.abs(a - b).max())
                                    for a, b in zip(single.get_weights(), model.get_weights()))
            entry["single_loss"] = single_history.history["loss"][0]
            if kind == "mlp":  # optimizer state and config survive a save
                path = os.path.join(out, "mlp.keras")
                model.save(path)
                loaded = keras.models.load_model(path)
                entry["state_round_trip"] = all(np.array_equal(a, b) for a, b in
                                                zip(model.optimizer.variables, loaded.optimizer.variables))
                entry["loaded_class"] = type(loaded.optimizer).__name__
                again = hvd.DistributedOptimizer(loaded.optimizer)
                entry["config_round_trip"] = again.get_config() == model.optimizer.get_config()
        results[kind] = entry
    # shuffle=True: each rank shuffles its own share; the weights must still agree on every rank
    x, y = data("mlp")
    keras.utils.set_random_seed(5 + rank)
    model = model_of("mlp")
    model.compile(optimizer=hvd.DistributedOptimizer("sgd"), loss="sparse_categorical_crossentropy")
    model.fit(*hvd.shard(x, y, batch_size=GLOBAL_BATCH), batch_size=GLOBAL_BATCH // size, epochs=2, verbose=0,
              callbacks=[hvd.callbacks.BroadcastGlobalVariablesCallback(0)])
    np.savez(os.path.join(out, f"shuffled_weights{rank}.npz"), *model.get_weights())
    with open(os.path.join(out, f"results{rank}.json"), "w") as f:
        json.dump(results, f)


def fail(out, how):
    hvd.init(timeout=float(os.environ.get("WORKER_TIMEOUT", "300")))
    rank = hvd.rank()
    x, y = data("mlp")
    model = model_of("mlp")
    model.compile(optimizer=hvd.DistributedOptimizer("sgd"), loss="sparse_categorical_crossentropy")

    class Trouble(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if rank == 1 and epoch == 0:
                if how == "raise":
                    raise ValueError("a bug in rank 1's callback")
                if how == "kill":
                    os.kill(os.getpid(), 9)
                if how == "hang":
                    time.sleep(60)

    model.fit(*hvd.shard(x, y, batch_size=GLOBAL_BATCH), batch_size=GLOBAL_BATCH // 2, epochs=1000, verbose=0,
              callbacks=[hvd.callbacks.BroadcastGlobalVariablesCallback(0), Trouble()])


if __name__ == "__main__":
    scenario, out = sys.argv[1], sys.argv[2]
    if scenario == "equality":
        hvd.init()
        equality(out)
    else:
        fail(out, scenario)
