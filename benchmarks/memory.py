"""Peak memory of training the MNIST tutorial network, above what the data arrays take.

Measured in one process: resident memory after imports (before any data),
the bytes of the float32 training and test arrays, and the peak resident
memory while ``fit`` runs (Linux's VmHWM, reset just before ``fit`` through
/proc/self/clear_refs). Reported: peak - (baseline + data), in MB.

    python benchmarks/memory.py --framework glassnet --epochs 1
    python benchmarks/memory.py --framework torch --epochs 1
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import load_mnist  # noqa: E402

MB = 1024 * 1024


def _status_kb(field):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not found in /proc/self/status")


def resident_bytes():
    return _status_kb("VmRSS") * 1024


def reset_peak():
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def peak_bytes():
    return _status_kb("VmHWM") * 1024


def train_glassnet(x_train, y_train, epochs, batch_size):
    import glassnet as keras
    from glassnet import layers

    model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(128, activation="relu"),
                              layers.Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    reset_peak()
    model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)


def train_torch(x_train, y_train, epochs, batch_size):
    import torch

    x, y = torch.from_numpy(x_train), torch.from_numpy(y_train.astype("int64"))
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    reset_peak()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for begin in range(0, len(x), batch_size):
            index = order[begin:begin + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x[index]), y[index])
            loss.backward()
            optimizer.step()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=("glassnet", "torch"), default="glassnet")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    if args.framework == "torch":
        import torch  # noqa: F401  (imported before the baseline, like glassnet)
    else:
        import glassnet  # noqa: F401
    baseline = resident_bytes()
    (x_train, y_train), (x_test, y_test) = load_mnist()
    data = x_train.nbytes + y_train.nbytes + x_test.nbytes + y_test.nbytes
    trainer = train_glassnet if args.framework == "glassnet" else train_torch
    trainer(x_train, y_train, args.epochs, args.batch_size)
    peak = peak_bytes()
    print(f"{args.framework}: baseline {baseline / MB:.1f} MB, data arrays {data / MB:.1f} MB, "
          f"peak during fit {peak / MB:.1f} MB -> {(peak - baseline - data) / MB:.1f} MB above baseline + data")


if __name__ == "__main__":
    main()
