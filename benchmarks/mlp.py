"""Seconds per epoch of the MNIST tutorial network: glassnet vs PyTorch vs Keras, in one run.

The network is Flatten -> Dense(128, relu) -> Dense(10, softmax), Adam
(1e-3, epsilon 1e-7), sparse categorical cross-entropy, the whole MNIST
training set. Each framework runs in its own process, one after the other;
the median epoch time is reported with its ratio to PyTorch's eager loop.

    python benchmarks/mlp.py                       # batch 32 and 128, 3 epochs each
    python benchmarks/mlp.py --epochs 5 --batch-sizes 32

PyTorch runs when torch is installed; Keras runs when keras is installed
(with whatever backend KERAS_BACKEND selects: torch, jax or tensorflow).
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import EpochTimer, have, load_mnist, median, run_isolated  # noqa: E402


def run_glassnet(batch_size, epochs):
    import glassnet as keras
    from glassnet import layers

    (x_train, y_train), (x_test, y_test) = load_mnist()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(28, 28)), layers.Flatten(),
        layers.Dense(128, activation="relu"), layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    epoch_timer = EpochTimer()
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=[_Timing(epoch_timer)])
    accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
    return {"epoch_seconds": epoch_timer.times, "test_accuracy": float(accuracy)}


class _Timing:
    """Wrap EpochTimer as a glassnet callback without importing glassnet at module level."""

    def __new__(cls, epoch_timer):
        import glassnet as keras

        class Timing(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                epoch_timer.on_epoch_begin(epoch, logs)

            def on_epoch_end(self, epoch, logs=None):
                epoch_timer.on_epoch_end(epoch, logs)

        return Timing()


def run_torch(batch_size, epochs):
    import torch

    (x_train, y_train), (x_test, y_test) = load_mnist()
    torch.manual_seed(0)
    x, y = torch.from_numpy(x_train), torch.from_numpy(y_train.astype("int64"))
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(len(x))
        correct = total_loss = 0.0
        for begin in range(0, len(x), batch_size):
            index = order[begin:begin + batch_size]
            xb, yb = x[index], y[index]
            optimizer.zero_grad()
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(index)  # a fair loop logs its loss, as fit does
            correct += (logits.argmax(1) == yb).sum().item()
        times.append(time.perf_counter() - start)
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()
    return {"epoch_seconds": times, "test_accuracy": float(accuracy), "threads": torch.get_num_threads()}


def run_keras(batch_size, epochs):
    import keras

    (x_train, y_train), (x_test, y_test) = load_mnist()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(28, 28)), keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    epoch_timer = EpochTimer()

    class Timing(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            epoch_timer.on_epoch_begin(epoch, logs)

        def on_epoch_end(self, epoch, logs=None):
            epoch_timer.on_epoch_end(epoch, logs)

    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=[Timing()])
    accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
    return {"epoch_seconds": epoch_timer.times, "test_accuracy": float(accuracy), "backend": keras.backend.backend()}


RUNNERS = {"glassnet": run_glassnet, "torch": run_torch, "keras": run_keras}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--frameworks", nargs="+", default=["glassnet", "torch", "keras"])
    parser.add_argument("--only", help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(RUNNERS[args.only](args.batch_size, args.epochs)))
        return
    available = [f for f in args.frameworks if f == "glassnet" or have(f)]
    print(f"MNIST MLP, median seconds per epoch over {args.epochs} epochs (first epoch included)")
    results = {}
    for batch_size in args.batch_sizes:
        for framework in available:
            result = run_isolated(__file__, ["--only", framework, "--batch-size", str(batch_size),
                                             "--epochs", str(args.epochs)])
            results[(framework, batch_size)] = result
            seconds = median(result.get("epoch_seconds", []))
            extra = result.get("error") or f"test accuracy {result.get('test_accuracy', float('nan')):.4f}"
            label = framework + (f" ({result['backend']})" if "backend" in result else "")
            print(f"  batch {batch_size:4d}  {label:18s} {seconds:7.3f} s/epoch   {extra}", flush=True)
        base = median(results.get(("torch", batch_size), {}).get("epoch_seconds", []))
        mine = median(results[("glassnet", batch_size)].get("epoch_seconds", []))
        if base == base:  # not NaN: torch ran
            print(f"  batch {batch_size:4d}  ratio glassnet / PyTorch eager = {mine / base:.2f}")
        keras_time = median(results.get(("keras", batch_size), {}).get("epoch_seconds", []))
        if keras_time == keras_time:
            print(f"  batch {batch_size:4d}  ratio glassnet / Keras = {mine / keras_time:.2f}")


if __name__ == "__main__":
    main()
