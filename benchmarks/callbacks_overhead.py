"""What the usual callbacks cost per epoch: the MNIST tutorial network with and without them, in one run.

The network is Flatten -> Dense(128, relu) -> Dense(10, softmax), Adam, sparse categorical
cross-entropy, batch 32, the whole MNIST training set. Three setups run one epoch each, in turn,
round after round (interleaved, so a slower moment of the machine hits them all):

    bare      verbose=0, no callbacks, no metric
    metrics   verbose=0, no callbacks, metrics=["accuracy"]
    full      metrics=["accuracy"], verbose=1 (the progress bar, written to /dev/null), EarlyStopping,
              ReduceLROnPlateau, CSVLogger, TerminateOnNaN
    diagnostics  metrics=["accuracy"], verbose=0, callbacks.Diagnostics() (its report to /dev/null)

"metrics" and "full" train one and the same model object, in turn. Each epoch is timed around
``fit(epochs=1)``, so everything the callbacks do (set-up included)
counts, on the wall clock and as CPU time of the process (steadier on a busy machine). Reported:
median seconds per epoch, the medians of the per-round ratios full / metrics (what the callbacks
and the progress bar add) and full / bare (plus the metric), and the time spent inside the
callback hooks of the full setup, measured directly.

    python benchmarks/callbacks_overhead.py                  # 5 rounds
    python benchmarks/callbacks_overhead.py --rounds 9
    python benchmarks/callbacks_overhead.py --profile        # cProfile of one "full" epoch, callback frames
"""

import argparse
import contextlib
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import load_mnist, median  # noqa: E402

SETUPS = ("bare", "metrics", "full", "diagnostics")


def make_model(keras, metrics):
    from glassnet import layers

    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(28, 28)), layers.Flatten(),
        layers.Dense(128, activation="relu"), layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=metrics)
    return model


def full_callbacks(keras, csv_path):
    callbacks = keras.callbacks
    return [
        callbacks.EarlyStopping(monitor="loss", patience=100),
        callbacks.ReduceLROnPlateau(monitor="loss", patience=100),
        callbacks.CSVLogger(csv_path),
        callbacks.TerminateOnNaN(),
    ]


class HookTimer:
    """Adds up the time spent inside callback hooks (patched into CallbackList for the "full" setup)."""

    def __init__(self):
        self.seconds = 0.0

    @contextlib.contextmanager
    def installed(self):
        from glassnet.callbacks.callback_list import CallbackList

        original_call, original_batch = CallbackList._call, CallbackList._call_batch
        timer = self

        def timed_call(self, *args):
            start = time.perf_counter()
            try:
                return original_call(self, *args)
            finally:
                timer.seconds += time.perf_counter() - start

        def timed_batch(self, hook, batch, logs):
            start = time.perf_counter()
            try:
                return original_batch(self, hook, batch, logs)
            finally:
                timer.seconds += time.perf_counter() - start

        CallbackList._call, CallbackList._call_batch = timed_call, timed_batch
        try:
            yield self
        finally:
            CallbackList._call, CallbackList._call_batch = original_call, original_batch


def one_epoch(model, x, y, setup, csv_path, keras, batch_size, hooks=None):
    """(wall seconds, CPU seconds of this process) for one fit() epoch of ``setup``."""
    verbose, callbacks = (1, full_callbacks(keras, csv_path)) if setup == "full" else (0, None)
    if setup == "diagnostics":
        callbacks = [keras.callbacks.Diagnostics()]
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), \
            (hooks.installed() if hooks is not None else contextlib.nullcontext()):
        wall, cpu = time.perf_counter(), time.process_time()
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=verbose, callbacks=callbacks)
        return time.perf_counter() - wall, time.process_time() - cpu


def dispatch_cost(keras, csv_path, steps=100_000):
    """Microseconds per step of the batch hooks alone (no training): (no callbacks, full setup)."""
    from glassnet.callbacks.callback_list import CallbackList

    model = make_model(keras, ["accuracy"])
    costs = []
    for verbose, callbacks in ((0, []), (1, full_callbacks(keras, csv_path))):
        callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model,
                                     verbose=verbose, epochs=1, steps=steps)
        logs = {"accuracy": 0.5, "loss": 0.25}
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            callback_list.on_train_begin()
            callback_list.on_epoch_begin(0)
            start = time.perf_counter()
            for step in range(steps):
                callback_list.on_train_batch_begin(step)
                callback_list.on_train_batch_end(step, logs)
            costs.append((time.perf_counter() - start) / steps * 1e6)
            callback_list.on_epoch_end(0, logs)
            callback_list.on_train_end(logs)
    return costs


def profile(x, y, batch_size, csv_path):
    import cProfile
    import pstats

    import glassnet as keras

    model = make_model(keras, ["accuracy"])
    one_epoch(model, x[:2048], y[:2048], "full", csv_path, keras, batch_size)  # warm up
    profiler = cProfile.Profile()
    profiler.enable()
    one_epoch(model, x, y, "full", csv_path, keras, batch_size)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    print(f"one 'full' epoch under cProfile: {total:.2f} s (profiled time; the profiler slows Python code)")
    rows = []
    for (filename, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():
        if "/callbacks/" in filename or "progbar" in filename or name in ("_call_batch",):
            rows.append((cumtime, tottime, calls, f"{os.path.basename(filename)}:{line} {name}"))
    for cumtime, tottime, calls, where in sorted(rows, reverse=True)[:15]:
        print(f"  {cumtime:7.3f} s cumulative  {tottime:7.3f} s own  {calls:8d} calls  {where}")
    print(f"  callbacks' and progress bar's share of the profiled epoch: "
          f"{sum(r[1] for r in rows) / total:.1%} (own time)")


def run(args, keras, x, y, csv_path):
    """Time the three setups, interleaved, and print the figures (or profile, with --profile)."""
    if args.profile:
        profile(x, y, args.batch_size, csv_path)
        return
    # "metrics" and "full" train the same model object in turn: two instances of one network can differ by a
    # few percent in speed (where their arrays sit in memory), which would swamp what the callbacks cost
    with_accuracy = make_model(keras, ["accuracy"])
    models = {"bare": make_model(keras, None), "metrics": with_accuracy, "full": with_accuracy,
              "diagnostics": with_accuracy}
    for setup in SETUPS:  # warm-up: first-call costs (thread pools, buffers) out of the measurement
        one_epoch(models[setup], x[:4096], y[:4096], setup, csv_path, keras, args.batch_size)
    walls = {setup: [] for setup in SETUPS}
    cpus = {setup: [] for setup in SETUPS}
    hook_seconds = []
    for round_number in range(args.rounds):
        order = SETUPS if round_number % 2 == 0 else SETUPS[::-1]
        for setup in order:
            hooks = HookTimer() if setup == "full" else None
            wall, cpu = one_epoch(models[setup], x, y, setup, csv_path, keras, args.batch_size, hooks)
            walls[setup].append(wall)
            cpus[setup].append(cpu)
            if hooks is not None:
                hook_seconds.append(hooks.seconds)
    print(f"MNIST MLP, batch {args.batch_size}: {args.rounds} rounds, one epoch per setup per round, interleaved")
    for setup in SETUPS:
        print(f"  {setup:8s} wall {median(walls[setup]):6.3f} s/epoch (min {min(walls[setup]):6.3f})   "
              f"CPU {median(cpus[setup]):6.3f} s/epoch (min {min(cpus[setup]):6.3f})")
    for label, setup, base in (("full / metrics (callbacks + progress bar)", "full", "metrics"),
                               ("full / bare (callbacks + progress bar + accuracy)", "full", "bare"),
                               ("diagnostics / metrics (the Diagnostics callback)", "diagnostics", "metrics")):
        for clock, values in (("wall", walls), ("CPU", cpus)):
            ratios = [f / b for f, b in zip(values[setup], values[base])]
            print(f"  {label}, {clock}: {median(ratios):.3f} -> {100 * (median(ratios) - 1):+.1f} % "
                  f"(rounds: {', '.join(f'{r:.3f}' for r in ratios)})")
    none, full = dispatch_cost(keras, csv_path)
    step = median(walls["metrics"]) / (len(x) / args.batch_size)
    print(f"  batch hooks alone, no training: {none:.2f} us/step without callbacks, {full:.2f} us/step with the "
          f"full set -> {100 * (full - none) * 1e-6 / step:.2f} % of a {step * 1e3:.2f} ms step")
    inside = median(hook_seconds)
    print(f"  time inside the callback hooks (full), measured in the epochs: {inside * 1e3:.1f} ms/epoch = "
          f"{100 * inside / median(walls['metrics']):.2f} % of a 'metrics' epoch "
          f"({inside / (len(x) / args.batch_size) * 1e6:.1f} us per step)")



def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds; each runs one epoch of every setup")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--profile", action="store_true", help="profile one epoch of the full setup instead")
    args = parser.parse_args()

    import glassnet as keras

    (x, y), _ = load_mnist()
    with tempfile.TemporaryDirectory() as folder:
        csv_path = os.path.join(folder, "log.csv")
        run(args, keras, x, y, csv_path)


if __name__ == "__main__":
    main()
