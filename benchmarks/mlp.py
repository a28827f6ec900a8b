"""Seconds per epoch of the MNIST tutorial network: glassnet vs PyTorch vs Keras, in one run.

The network is Flatten -> Dense(128, relu) -> Dense(10, softmax), Adam
(1e-3, epsilon 1e-7), sparse categorical cross-entropy, the whole MNIST
training set. Each framework runs in its own process, one after the other;
the median epoch time is reported with its ratio to PyTorch's eager loop.

    python benchmarks/mlp.py                       # batch 32 and 128, 3 epochs each
    python benchmarks/mlp.py --epochs 5 --batch-sizes 32

PyTorch runs when torch is installed; Keras runs when keras is installed
(with whatever backend KERAS_BACKEND selects: torch, jax or tensorflow).
"numpy" is a hand-written NumPy training loop with no framework at all: the
floor for any NumPy framework on this machine.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import EpochTimer, blas_kernel_line, have, load_mnist, median, run_isolated, timing_callback  # noqa: E402


def _run_keras_api(keras, batch_size, epochs, **compile_args):
    """The tutorial network in glassnet or Keras: the same program, only the module differs."""
    layers = keras.layers
    (x_train, y_train), (x_test, y_test) = load_mnist()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(28, 28)), layers.Flatten(),
        layers.Dense(128, activation="relu"), layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"], **compile_args)
    timer = EpochTimer()
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0,
              callbacks=[timing_callback(keras, timer)])
    accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
    return {"epoch_seconds": timer.times, "test_accuracy": float(accuracy)}


def run_glassnet(batch_size, epochs):
    import glassnet

    return _run_keras_api(glassnet, batch_size, epochs)  # jit_compile="auto": the compiled step


def run_glassnet_eager(batch_size, epochs):
    import glassnet

    return _run_keras_api(glassnet, batch_size, epochs, jit_compile=False)


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

    return {**_run_keras_api(keras, batch_size, epochs), "backend": keras.backend.backend()}


def run_numpy(batch_size, epochs):
    """A hand-written NumPy loop with no framework: the floor a NumPy framework can approach.

    Same model, same Adam (Keras' formula), same BLAS thread choice and
    flush-to-zero setting as glassnet, so the difference is glassnet's own cost.
    """
    import numpy as np

    from glassnet.backend.denormals import flush_denormals
    from glassnet.trainers.threads import SMALL_WORK
    from threadpoolctl import threadpool_limits

    (x_train, y_train), (x_test, y_test) = load_mnist()
    x, y = x_train.reshape(len(x_train), -1), y_train.astype(np.int64)
    rng = np.random.default_rng(0)
    limit1, limit2 = np.sqrt(6 / (784 + 128)), np.sqrt(6 / (128 + 10))
    params = [rng.uniform(-limit1, limit1, (784, 128)).astype(np.float32), np.zeros(128, np.float32),
              rng.uniform(-limit2, limit2, (128, 10)).astype(np.float32), np.zeros(10, np.float32)]
    moments = [np.zeros_like(p) for p in params]
    velocities = [np.zeros_like(p) for p in params]
    scratch = [np.empty_like(p) for p in params]
    batch = np.empty((batch_size, 784), np.float32)
    threads = 1 if (os.cpu_count() or 1) <= 2 or 101770 * batch_size < SMALL_WORK else None  # glassnet's rule
    times, step = [], 0
    with threadpool_limits(threads, user_api="blas"), flush_denormals():
        for _ in range(epochs):
            start = time.perf_counter()
            order = rng.permutation(len(x))
            for begin in range(0, len(x), batch_size):
                index = order[begin:begin + batch_size]
                xb = batch[:len(index)]
                np.take(x, index, axis=0, out=xb)
                yb = y[index]
                w1, b1, w2, b2 = params
                h = xb @ w1
                h += b1
                np.maximum(h, 0, out=h)
                z = h @ w2
                z += b2
                z -= z.max(axis=1, keepdims=True)
                p = np.exp(z)
                p /= p.sum(axis=1, keepdims=True)
                rows = np.arange(len(index))
                _ = -np.log(p[rows, yb]).mean()
                p[rows, yb] -= 1
                p /= len(index)
                grads = [None, None, h.T @ p, p.sum(axis=0)]
                dh = p @ w2.T
                dh *= h > 0
                grads[0], grads[1] = xb.T @ dh, dh.sum(axis=0)
                step += 1
                alpha = 1e-3 * np.sqrt(1 - 0.999**step) / (1 - 0.9**step)
                for w, g, m, v, tmp in zip(params, grads, moments, velocities, scratch):
                    m *= 0.9
                    np.multiply(g, 0.1, out=tmp)
                    m += tmp
                    v *= 0.999
                    np.square(g, out=tmp)
                    tmp *= 0.001
                    v += tmp
                    np.sqrt(v, out=tmp)
                    tmp += 1e-7
                    np.divide(m, tmp, out=tmp)
                    tmp *= alpha
                    w -= tmp
            times.append(time.perf_counter() - start)
    hidden = np.maximum(x_test.reshape(len(x_test), -1) @ params[0] + params[1], 0)
    accuracy = ((hidden @ params[2] + params[3]).argmax(axis=1) == y_test).mean()
    return {"epoch_seconds": times, "test_accuracy": float(accuracy)}


RUNNERS = {"glassnet": run_glassnet, "glassnet-eager": run_glassnet_eager, "numpy": run_numpy, "torch": run_torch,
           "keras": run_keras}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2, help="epochs per round and framework")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each runs every framework once, in turn")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--frameworks", nargs="+", default=["glassnet", "glassnet-eager", "numpy", "torch", "keras"])
    parser.add_argument("--only", help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(RUNNERS[args.only](args.batch_size, args.epochs)))
        return
    available = [f for f in args.frameworks if f.startswith("glassnet") or f == "numpy" or have(f)]
    print(blas_kernel_line())
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
