"""IMDB sentiment (two Bidirectional LSTMs, or a small transformer): glassnet vs Keras 3 vs PyTorch, in one run.

The program of examples/imdb_bidirectional_lstm.py on the first 5,000
training reviews (validation: the first 5,000 test reviews), cut or padded
to 100 words, 20,000-word vocabulary, batch 32, Adam. glassnet and Keras run
the same Keras program (only the module differs; Keras with whatever
KERAS_BACKEND selects); PyTorch runs the same network (nn.Embedding, a
2-layer bidirectional nn.LSTM, nn.Linear) in an eager loop. Each framework
runs in its own process, in turn; reported: seconds per epoch (training and
validation), validation accuracy after the last epoch, peak resident memory.

With ``--model transformer`` the network is examples/imdb_transformer.py's
(token + position embedding, one encoder block with 2 heads, 200 words,
all 25,000 reviews), run in glassnet and Keras only.

    python benchmarks/imdb.py                      # 2 epochs, glassnet, Keras, PyTorch
    python benchmarks/imdb.py --model transformer --epochs 1
"""

import argparse
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import EpochTimer, ensure_datasets_env, have, median, run_isolated, timing_callback  # noqa: E402

SAMPLES, MAXLEN, VOCABULARY, BATCH = 5000, 100, 20000, 32


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_reviews(samples=SAMPLES, maxlen=MAXLEN):
    """The first ``samples`` training and test reviews as (n, maxlen) int32 ids, through glassnet's loader."""
    ensure_datasets_env()
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    from glassnet.datasets import imdb
    from glassnet.utils import pad_sequences

    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=VOCABULARY)
    pad = lambda x: pad_sequences(x[:samples], maxlen=maxlen)  # noqa: E731
    return (pad(x_train), y_train[:samples]), (pad(x_test), y_test[:samples])


def _transformer(keras, length=200, width=32, heads=2, hidden=32):
    """examples/imdb_transformer.py's network, written once for both modules."""
    layers, ops = keras.layers, keras.ops

    class TokenAndPositionEmbedding(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.tokens, self.positions = layers.Embedding(VOCABULARY, width), layers.Embedding(length, width)

        def call(self, ids):
            return self.tokens(ids) + self.positions(ops.arange(0, ops.shape(ids)[-1], 1))

    class TransformerBlock(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.attention = layers.MultiHeadAttention(num_heads=heads, key_dim=width)
            self.feed_forward = keras.Sequential([layers.Dense(hidden, activation="relu"), layers.Dense(width)])
            self.norm1, self.norm2 = layers.LayerNormalization(epsilon=1e-6), layers.LayerNormalization(epsilon=1e-6)
            self.dropout1, self.dropout2 = layers.Dropout(0.1), layers.Dropout(0.1)

        def call(self, inputs, training=None):
            mixed = self.norm1(inputs + self.dropout1(self.attention(inputs, inputs), training=training))
            return self.norm2(mixed + self.dropout2(self.feed_forward(mixed), training=training))

    inputs = keras.Input(shape=(length,))
    x = TransformerBlock()(TokenAndPositionEmbedding()(inputs))
    x = layers.Dropout(0.1)(layers.GlobalAveragePooling1D()(x))
    x = layers.Dropout(0.1)(layers.Dense(20, activation="relu")(x))
    return keras.Model(inputs, layers.Dense(2, activation="softmax")(x))


def _run_keras_api(keras, epochs, model_name="bilstm"):
    layers = keras.layers
    keras.utils.set_random_seed(0)
    if model_name == "transformer":
        (x_train, y_train), (x_val, y_val) = load_reviews(samples=None, maxlen=200)
        model = _transformer(keras)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        timer = EpochTimer()
        history = model.fit(x_train, y_train, batch_size=BATCH, epochs=epochs, validation_data=(x_val, y_val),
                            verbose=0, callbacks=[timing_callback(keras, timer)])
        return {"epoch_seconds": timer.times, "val_accuracy": float(history.history["val_accuracy"][-1]),
                "peak_mb": _peak_mb()}
    (x_train, y_train), (x_val, y_val) = load_reviews()
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(VOCABULARY, 128)(inputs)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(64))(x)
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    history = model.fit(x_train, y_train, batch_size=BATCH, epochs=epochs, validation_data=(x_val, y_val),
                        verbose=0, callbacks=[timing_callback(keras, timer)])
    return {"epoch_seconds": timer.times, "val_accuracy": float(history.history["val_accuracy"][-1]),
            "peak_mb": _peak_mb()}


def run_glassnet(epochs, model_name="bilstm"):
    import glassnet

    return _run_keras_api(glassnet, epochs, model_name)


def run_keras(epochs, model_name="bilstm"):
    import keras

    return {**_run_keras_api(keras, epochs, model_name), "backend": keras.backend.backend()}


def run_torch(epochs, model_name="bilstm"):
    if model_name != "bilstm":
        raise SystemExit("the PyTorch twin exists for the BiLSTM only")
    import torch

    (x_train, y_train), (x_val, y_val) = load_reviews()
    torch.manual_seed(0)

    class Network(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(VOCABULARY, 128)
            self.lstm = torch.nn.LSTM(128, 64, num_layers=2, bidirectional=True, batch_first=True)
            self.dense = torch.nn.Linear(128, 1)

        def forward(self, ids):
            outputs, _ = self.lstm(self.embedding(ids))
            last = torch.cat([outputs[:, -1, :64], outputs[:, 0, 64:]], dim=1)  # forward's last, backward's first
            return torch.sigmoid(self.dense(last))[:, 0]

    model = Network()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.BCELoss()
    x, y = torch.from_numpy(x_train.astype("int64")), torch.from_numpy(y_train.astype("float32"))
    xv, yv = torch.from_numpy(x_val.astype("int64")), torch.from_numpy(y_val.astype("float32"))
    times, accuracy = [], 0.0
    for _ in range(epochs):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(len(x))
        for begin in range(0, len(x), BATCH):
            index = order[begin:begin + BATCH]
            optimizer.zero_grad()
            predicted = model(x[index])
            loss = loss_fn(predicted, y[index])
            loss.backward()
            optimizer.step()
            loss.item()
        model.train(False)
        correct = 0
        with torch.no_grad():
            for begin in range(0, len(xv), BATCH):
                predicted = model(xv[begin:begin + BATCH])
                loss_fn(predicted, yv[begin:begin + BATCH]).item()
                correct += int(((predicted > 0.5).float() == yv[begin:begin + BATCH]).sum())
        accuracy = correct / len(xv)
        times.append(time.perf_counter() - start)
    return {"epoch_seconds": times, "val_accuracy": accuracy, "peak_mb": _peak_mb(),
            "threads": torch.get_num_threads()}


RUNNERS = {"glassnet": run_glassnet, "keras": run_keras, "torch": run_torch}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--frameworks", nargs="+", default=None, help="default: glassnet keras torch "
                        "(glassnet keras for the transformer)")
    parser.add_argument("--model", choices=["bilstm", "transformer"], default="bilstm")
    parser.add_argument("--only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(RUNNERS[args.only](args.epochs, args.model)))
        return
    frameworks = args.frameworks or (["glassnet", "keras", "torch"] if args.model == "bilstm" else ["glassnet", "keras"])
    if args.model == "bilstm":
        print(f"IMDB Embedding + 2 Bidirectional LSTM(64): {SAMPLES} reviews, maxlen {MAXLEN}, batch {BATCH}, "
              f"{args.epochs} epochs per framework, each in its own process")
    else:
        print(f"IMDB transformer (1 block, 2 heads): 25000 reviews, 200 words, batch {BATCH}, {args.epochs} epochs "
              "per framework, each in its own process")
    results = {}
    for framework in [f for f in frameworks if f == "glassnet" or have(f)]:
        result = run_isolated(__file__, ["--only", framework, "--epochs", str(args.epochs), "--model", args.model])
        if "error" in result:
            print(f"  {framework}: failed: {result['error']}")
            continue
        results[framework] = result
        label = framework + (f" ({result['backend']})" if "backend" in result else "")
        print(f"  {label:16s} {median(result['epoch_seconds']):7.1f} s/epoch (epochs "
              f"{', '.join(f'{t:.1f}' for t in result['epoch_seconds'])})   val accuracy "
              f"{result['val_accuracy']:.4f}   peak memory {result['peak_mb']:.0f} MB", flush=True)
    if "glassnet" in results:
        ours = results["glassnet"]
        for other, result in results.items():
            if other != "glassnet":
                print(f"  glassnet / {other}: time {median(ours['epoch_seconds']) / median(result['epoch_seconds']):.2f}"
                      f", memory {ours['peak_mb'] / result['peak_mb']:.2f}")


if __name__ == "__main__":
    main()
