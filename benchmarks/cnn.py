"""Seconds per epoch of Keras' MNIST convnet: glassnet vs PyTorch (vs Keras), in one run.

The network (keras.io "Simple MNIST convnet"): Conv2D(32, 3, relu) -> MaxPool(2)
-> Conv2D(64, 3, relu) -> MaxPool(2) -> Flatten -> Dropout(0.5) -> Dense(10,
softmax); Adam; categorical cross-entropy; batch 128; 10% validation split.
Frameworks run in turn, each in its own process; the ratio is the median of
per-round ratios. Also reports test accuracy after the epochs run and the
peak resident memory of each process.

    python benchmarks/cnn.py                    # 1 round, 1 epoch each
    python benchmarks/cnn.py --epochs 3 --frameworks glassnet   # the accuracy check
"""

import argparse
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import EpochTimer, blas_kernel_line, have, load_mnist, median, run_isolated, timing_callback  # noqa: E402

BATCH = 128


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_keras_api(keras, epochs, samples, **compile_args):
    """The convnet in glassnet or Keras: the same program, only the module differs."""
    layers = keras.layers
    (x_train, y_train), (x_test, y_test) = load_mnist((28, 28, 1))
    x_train, y_train = x_train[:samples], y_train[:samples]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"], **compile_args)
    timer = EpochTimer()
    y_onehot = keras.utils.to_categorical(y_train, 10)
    model.fit(x_train, y_onehot, batch_size=BATCH, epochs=epochs, validation_split=0.1, verbose=0,
              callbacks=[timing_callback(keras, timer)])
    accuracy = model.evaluate(x_test, keras.utils.to_categorical(y_test, 10), verbose=0)[1]
    return {"epoch_seconds": timer.times, "test_accuracy": float(accuracy), "peak_mb": _peak_mb()}


def run_glassnet(epochs, samples):
    import glassnet

    return _run_keras_api(glassnet, epochs, samples)  # jit_compile="auto": the compiled step


def run_glassnet_eager(epochs, samples):
    import glassnet

    return _run_keras_api(glassnet, epochs, samples, jit_compile=False)


def run_torch(epochs, samples):
    import torch

    (x_train, y_train), (x_test, y_test) = load_mnist((1, 28, 28))
    x_train, y_train = x_train[:samples], y_train[:samples]
    torch.manual_seed(0)
    split = int(len(x_train) * 0.9)
    x, y = torch.from_numpy(x_train[:split]), torch.from_numpy(y_train[:split].astype("int64"))
    x_val, y_val = torch.from_numpy(x_train[split:]), torch.from_numpy(y_train[split:].astype("int64"))
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Dropout(0.5), torch.nn.Linear(1600, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(len(x))
        for begin in range(0, len(x), BATCH):
            index = order[begin:begin + BATCH]
            optimizer.zero_grad()
            logits = model(x[index])
            loss = loss_fn(logits, y[index])
            loss.backward()
            optimizer.step()
            loss.item()
            (logits.argmax(1) == y[index]).sum().item()
        model.train(False)
        with torch.no_grad():
            for begin in range(0, len(x_val), BATCH):
                loss_fn(model(x_val[begin:begin + BATCH]), y_val[begin:begin + BATCH]).item()
        times.append(time.perf_counter() - start)
    model.train(False)
    with torch.no_grad():
        predictions = torch.cat([model(torch.from_numpy(x_test[i:i + 1000])) for i in range(0, len(x_test), 1000)])
    accuracy = (predictions.argmax(1).numpy() == y_test).mean()
    return {"epoch_seconds": times, "test_accuracy": float(accuracy), "peak_mb": _peak_mb(),
            "threads": torch.get_num_threads()}


def run_keras(epochs, samples):
    import keras

    return {**_run_keras_api(keras, epochs, samples), "backend": keras.backend.backend()}


RUNNERS = {"glassnet": run_glassnet, "glassnet-eager": run_glassnet_eager, "torch": run_torch, "keras": run_keras}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--samples", type=int, default=60000, help="training images used (all by default)")
    parser.add_argument("--frameworks", nargs="+", default=["glassnet", "glassnet-eager", "torch", "keras"])
    parser.add_argument("--only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(RUNNERS[args.only](args.epochs, args.samples)))
        return
    available = [f for f in args.frameworks if f.startswith("glassnet") or have(f)]
    print(blas_kernel_line())
    print(f"MNIST convnet, batch {BATCH}: {args.rounds} round(s) x {args.epochs} epoch(s) per framework, "
          f"{args.samples} training images")
    times = {f: [] for f in available}
    ratios = {f: [] for f in available if f != "glassnet"}
    results = {}
    for _ in range(args.rounds):
        medians = {}
        for framework in available:
            result = run_isolated(__file__, ["--only", framework, "--epochs", str(args.epochs),
                                             "--samples", str(args.samples)])
            if "error" in result:
                print(f"  {framework}: failed: {result['error']}")
                continue
            results[framework] = result
            times[framework].extend(result["epoch_seconds"])
            medians[framework] = median(result["epoch_seconds"])
        for other in ratios:
            if "glassnet" in medians and other in medians:
                ratios[other].append(medians["glassnet"] / medians[other])
    for framework in available:
        if framework in results:
            result = results[framework]
            label = framework + (f" ({result['backend']})" if "backend" in result else "")
            print(f"  {label:16s} {median(times[framework]):7.2f} s/epoch   test accuracy "
                  f"{result['test_accuracy']:.4f}   peak memory {result['peak_mb']:.0f} MB")
    for other, values in ratios.items():
        if values:
            print(f"  glassnet / {other}: {median(values):.2f}")


if __name__ == "__main__":
    main()
