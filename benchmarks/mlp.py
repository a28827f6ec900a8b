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
    parser.add_argument("--epochs", type=int, default=2, help="epochs per round and framework")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each runs every framework once, in turn")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--frameworks", nargs="+", default=["glassnet", "torch", "keras"])
    parser.add_argument("--only", help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(RUNNERS[args.only](args.batch_size, args.epochs)))
        return
    available = [f for f in args.frameworks if f == "glassnet" or have(f)]
    print(f"MNIST MLP: {args.rounds} rounds x {args.epochs} epochs per framework, frameworks interleaved; "
          "median seconds per epoch; ratios are medians of the per-round ratios")
    for batch_size in args.batch_sizes:
        times = {f: [] for f in available}
        ratios = {f: [] for f in available if f != "glassnet"}
        accuracy, labels = {}, {}
        for _ in range(args.rounds):
            medians = {}
            for framework in available:
                result = run_isolated(__file__, ["--only", framework, "--batch-size", str(batch_size),
                                                 "--epochs", str(args.epochs)])
                if "error" in result:
                    print(f"  batch {batch_size:4d}  {framework}: failed: {result['error']}")
                    continue
                times[framework].extend(result["epoch_seconds"])
                medians[framework] = median(result["epoch_seconds"])
                accuracy[framework] = result["test_accuracy"]
                labels[framework] = framework + (f" ({result['backend']})" if "backend" in result else "")
            for other in ratios:
                if "glassnet" in medians and other in medians:
                    ratios[other].append(medians["glassnet"] / medians[other])
        for framework in available:
            if times[framework]:
                print(f"  batch {batch_size:4d}  {labels[framework]:18s} {median(times[framework]):7.3f} s/epoch   "
                      f"test accuracy {accuracy[framework]:.4f}")
        for other, values in ratios.items():
            if values:
                print(f"  batch {batch_size:4d}  glassnet / {labels.get(other, other)}: {median(values):.2f} "
                      f"(rounds: {', '.join(f'{v:.2f}' for v in values)})", flush=True)


if __name__ == "__main__":
    main()
