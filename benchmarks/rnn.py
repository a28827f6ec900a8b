"""Milliseconds per training step of a recurrent regressor: glassnet vs PyTorch eager, in one run.

The network: LSTM(128) (or GRU(128)) on float sequences of 100 steps x 32
features -> Dense(1); mean squared error; Adam; batch 64. glassnet runs it
through the Keras API (``train_on_batch``), PyTorch as ``nn.LSTM``/``nn.GRU``
+ ``nn.Linear`` with a hand-written step (zero_grad, forward, backward, step).
Each framework runs in its own process; the figure is the median step after
warm-up, and the ratio is glassnet / PyTorch (lower is better). On a machine
shared with other work, ``--interleaved`` runs both in one process, one step
of each in turn, so that both see the same load.

    python benchmarks/rnn.py                     # LSTM and GRU, 30 steps each
    python benchmarks/rnn.py --steps 100 --cells lstm
    python benchmarks/rnn.py --interleaved
    python benchmarks/rnn.py --fit               # steps inside fit: jit_compile="auto" vs False vs PyTorch

``--fit`` times the glassnet step where ``fit`` runs it (one epoch of
``--steps`` batches, timed per epoch), with ``compile(jit_compile="auto")``
(the compiled step, replayed after two traced steps) and with
``jit_compile=False``, in one process, in turn with PyTorch's steps, over
three rounds.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import blas_kernel_line, have, median, run_isolated  # noqa: E402

BATCH, TIMESTEPS, FEATURES, UNITS = 64, 100, 32, 128
WARMUP = 3


def _data():
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, TIMESTEPS, FEATURES)).astype("float32")
    return x, x.mean(axis=(1, 2))[:, None].astype("float32")


def glassnet_step(cell):
    """A function running one training step of the glassnet model."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    import glassnet

    x, y = _data()
    glassnet.utils.set_random_seed(0)
    recurrent = {"lstm": glassnet.layers.LSTM, "gru": glassnet.layers.GRU}[cell]
    model = glassnet.Sequential([glassnet.Input((TIMESTEPS, FEATURES)), recurrent(UNITS), glassnet.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return lambda: model.train_on_batch(x, y)


def torch_step(cell):
    """A function running one training step of the PyTorch model."""
    import torch

    x, y = (torch.from_numpy(a) for a in _data())
    torch.manual_seed(0)
    recurrent = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](FEATURES, UNITS, batch_first=True)
    head = torch.nn.Linear(UNITS, 1)
    optimizer = torch.optim.Adam(list(recurrent.parameters()) + list(head.parameters()), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.MSELoss()

    def step():
        optimizer.zero_grad()
        outputs, _ = recurrent(x)
        loss = loss_fn(head(outputs[:, -1]), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def _timed(step):
    start = time.perf_counter()
    step()
    return 1000 * (time.perf_counter() - start)


def run_glassnet(cell, steps):
    step = glassnet_step(cell)
    times = [_timed(step) for _ in range(WARMUP + steps)]
    return {"step_ms": times[WARMUP:]}


def run_torch(cell, steps):
    import torch

    step = torch_step(cell)
    times = [_timed(step) for _ in range(WARMUP + steps)]
    return {"step_ms": times[WARMUP:], "threads": torch.get_num_threads()}


def run_interleaved(cell, steps):
    """Both in this process, one step of each in turn."""
    steps_by_framework = {"glassnet": glassnet_step(cell), "torch": torch_step(cell)}
    times = {name: [] for name in steps_by_framework}
    for _ in range(WARMUP + steps):
        for name, step in steps_by_framework.items():
            times[name].append(_timed(step))
    return {name: values[WARMUP:] for name, values in times.items()}


def glassnet_fit_epoch(cell, steps, jit_compile):
    """A function running one fit epoch of ``steps`` batches; returns ms per step."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    import numpy as np

    import glassnet

    x, y = _data()
    xs, ys = np.concatenate([x] * steps), np.concatenate([y] * steps)
    glassnet.utils.set_random_seed(0)
    recurrent = {"lstm": glassnet.layers.LSTM, "gru": glassnet.layers.GRU}[cell]
    model = glassnet.Sequential([glassnet.Input((TIMESTEPS, FEATURES)), recurrent(UNITS), glassnet.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", jit_compile=jit_compile)

    def epoch():
        start = time.perf_counter()
        model.fit(xs, ys, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        return 1000 * (time.perf_counter() - start) / steps

    return epoch


def run_fit_rounds(cell, steps, rounds=3):
    """ms/step of fit with jit_compile "auto" and False, and of PyTorch's loop, in turn in one process."""
    epochs = {"auto": glassnet_fit_epoch(cell, steps, "auto"), "eager": glassnet_fit_epoch(cell, steps, False)}
    torch_one = torch_step(cell) if have("torch") else None
    results = {name: [] for name in list(epochs) + (["torch"] if torch_one else [])}
    for _ in range(rounds):
        for name, epoch in epochs.items():
            results[name].append(epoch())
        if torch_one:
            for _ in range(WARMUP):
                torch_one()
            results["torch"].append(median([_timed(torch_one) for _ in range(steps)]))
    return results


RUNNERS = {"glassnet": run_glassnet, "torch": run_torch}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--cells", nargs="+", default=["lstm", "gru"], choices=["lstm", "gru"])
    parser.add_argument("--interleaved", action="store_true", help="both frameworks in one process, in turn")
    parser.add_argument("--fit", action="store_true", help="glassnet steps inside fit, jit_compile auto vs False")
    parser.add_argument("--only", help=argparse.SUPPRESS)
    parser.add_argument("--cell", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(RUNNERS[args.only](args.cell, args.steps)))
        return
    frameworks = ["glassnet"] + (["torch"] if have("torch") else [])
    if args.interleaved and "torch" not in frameworks:
        parser.error("--interleaved compares with PyTorch, which is not installed")
    print(blas_kernel_line())
    print(f"One training step: batch {BATCH}, {TIMESTEPS} steps x {FEATURES} features -> {UNITS} units -> Dense(1), "
          f"MSE, Adam; median of {args.steps} steps")
    if args.fit:
        for cell in args.cells:
            results = run_fit_rounds(cell, args.steps)
            rounds = {name: median(values) for name, values in results.items()}
            for name, value in rounds.items():
                print(f"  {cell.upper():4s} {name:6s} {value:7.1f} ms/step  (rounds: "
                      f"{', '.join(f'{v:.1f}' for v in results[name])})")
            print(f"  {cell.upper():4s} auto / eager: {rounds['auto'] / rounds['eager']:.2f}"
                  + (f"   auto / torch: {rounds['auto'] / rounds['torch']:.2f}   eager / torch: "
                     f"{rounds['eager'] / rounds['torch']:.2f}" if "torch" in rounds else ""), flush=True)
        return
    for cell in args.cells:
        medians = {}
        if args.interleaved:
            for framework, times in run_interleaved(cell, args.steps).items():
                medians[framework] = median(times)
                print(f"  {cell.upper():4s} {framework:9s} {medians[framework]:7.1f} ms/step   (interleaved)")
            frameworks_left = []
        else:
            frameworks_left = frameworks
        for framework in frameworks_left:
            result = run_isolated(__file__, ["--only", framework, "--cell", cell, "--steps", str(args.steps)])
            if "error" in result:
                print(f"  {cell} {framework}: failed: {result['error']}")
                continue
            medians[framework] = median(result["step_ms"])
            threads = f"   ({result['threads']} threads)" if "threads" in result else ""
            print(f"  {cell.upper():4s} {framework:9s} {medians[framework]:7.1f} ms/step{threads}")
        if len(medians) == 2:
            print(f"  {cell.upper():4s} glassnet / torch: {medians['glassnet'] / medians['torch']:.2f}")


if __name__ == "__main__":
    main()
