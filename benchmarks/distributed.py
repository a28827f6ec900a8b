"""Data-parallel training over MPI on this machine, and what it predicts for a cluster.

    python benchmarks/distributed.py                  # everything below (about 1-2 minutes on 2 cores)
    python benchmarks/distributed.py --samples 60000  # whole MNIST epochs

1. Seconds per MNIST epoch, MLP (the tutorial's Flatten-Dense128-Dense10) and
   convnet (keras.io's, without its Dropout), global batch 128, Adam:
   1 process x 2 threads (glassnet's own thread choice on 2 cores),
   1 process x 1 core, and 2 processes x 1 core each (``mpirun --bind-to core``,
   each rank half of every global batch). Timed on the second epoch over
   ``--samples`` images, scaled to 60,000.
2. Time per all-reduce (2 ranks, in place, float32) against the gradient size.
3. On paper: the speed-up on 4, 16 and 64 machines with a ring all-reduce,
       T_allreduce(n, M) = 2 (n-1) alpha + 2 (n-1)/n * M / beta
   (alpha: per-message latency, beta: link bandwidth), without overlap of
   communication and compute (glassnet all-reduces once, after backward):
       speed-up(n) = n * t_step / (t_step + T_allreduce(n, M))
   with 128 samples per machine per step (weak scaling) and t_step the
   one-machine step time measured here; alpha and beta are fitted to the
   measured 2-rank all-reduces (shared memory) and, for real machines,
   taken as 10 Gb/s Ethernet (alpha 30 us, beta 1.25 GB/s).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ensure_datasets_env, load_mnist  # noqa: E402

GLOBAL_BATCH = 128
ETHERNET = {"alpha": 30e-6, "beta": 1.25e9}


def build(keras, kind):
    layers = keras.layers
    if kind == "mlp":
        return keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(128, activation="relu"),
                                 layers.Dense(10, activation="softmax")])
    if kind == "wide_mlp":  # the "larger model": 784-2048-2048-10, 5.8 M weights
        return keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(2048, activation="relu"),
                                 layers.Dense(2048, activation="relu"), layers.Dense(10, activation="softmax")])
    return keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
        layers.Dense(10, activation="softmax")])


def train_role(args):
    """One training run (under mpirun when --distributed); rank 0 prints a JSON line."""
    import glassnet as keras

    hvd, rank, size = None, 0, 1
    if args.distributed:
        import glassnet.distributed as hvd

        hvd.init()
        rank, size = hvd.rank(), hvd.size()
    (x, y), _ = load_mnist((28, 28, 1) if args.kind == "conv" else (28, 28))
    x, y = x[:args.samples], y[:args.samples]
    keras.utils.set_random_seed(0)
    model = build(keras, args.kind)
    optimizer = keras.optimizers.Adam()
    callbacks = []
    if hvd is not None:
        optimizer = hvd.DistributedOptimizer(optimizer)
        callbacks = [hvd.callbacks.BroadcastGlobalVariablesCallback(0)]
        x, y = hvd.shard(x, y, batch_size=GLOBAL_BATCH)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    model.fit(x, y, batch_size=GLOBAL_BATCH // size, epochs=args.epochs, shuffle=hvd is None, verbose=0,
              callbacks=callbacks + [Timer()])
    steps = len(x) // (GLOBAL_BATCH // size)
    if rank == 0:
        print(json.dumps({"epoch": min(times[1:] or times), "steps": steps,
                          "params": int(model.count_params())}), flush=True)


def allreduce_role(args):
    import glassnet.distributed as hvd

    hvd.init()
    results = []
    for count in (1_000, 10_000, 100_000, 1_000_000, 10_000_000):
        buffer = np.ones(count, dtype=np.float32)
        reps = max(5, min(200, 20_000_000 // count))
        for _ in range(3):
            hvd.allreduce_sum(buffer)
        hvd.barrier()
        samples = []
        for _ in range(reps):
            start = time.perf_counter()
            hvd.allreduce_sum(buffer)
            samples.append(time.perf_counter() - start)
        results.append((count * 4, float(np.median(samples))))
    if hvd.rank() == 0:
        print(json.dumps(results), flush=True)


def step_role(args):
    """Seconds per training step at batch 128 on this process (for the cost model)."""
    import glassnet as keras

    keras.utils.set_random_seed(0)
    model = build(keras, args.kind)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    shape = (GLOBAL_BATCH, 28, 28, 1) if args.kind == "conv" else (GLOBAL_BATCH, 28, 28)
    x = np.random.default_rng(0).random(shape, dtype=np.float32)
    y = np.zeros(GLOBAL_BATCH, dtype=np.int64)
    steps = 20 if args.kind != "mlp" else 200
    model.fit(np.concatenate([x] * 2), np.concatenate([y] * 2), batch_size=GLOBAL_BATCH, epochs=1, verbose=0)
    big_x, big_y = np.concatenate([x] * steps), np.concatenate([y] * steps)
    start = time.perf_counter()
    model.fit(big_x, big_y, batch_size=GLOBAL_BATCH, epochs=1, verbose=0, shuffle=False)
    print(json.dumps({"step": (time.perf_counter() - start) / steps, "params": int(model.count_params())}))


def _mpirun(np_, extra, role_args):
    command = [shutil.which("mpirun"), "-np", str(np_), "--bind-to", "core"] + extra
    if os.geteuid() == 0:
        command.append("--allow-run-as-root")
    return command + [sys.executable, __file__] + role_args


def _last_json(command, env=None):
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads([line for line in done.stdout.splitlines() if line.startswith(("{", "["))][-1])


def ring_time(n, size_bytes, alpha, beta):
    return 2 * (n - 1) * alpha + 2 * (n - 1) / n * size_bytes / beta


def fit_alpha_beta(points):
    """Least squares of T = 2 alpha + M / beta (2 ranks) on the measured (M, T) points."""
    sizes = np.array([p[0] for p in points], dtype=float)
    times = np.array([p[1] for p in points])
    design = np.stack([2 * np.ones_like(sizes), sizes], axis=1)
    (alpha, inverse_beta), *_ = np.linalg.lstsq(design / times[:, None], np.ones_like(times), rcond=None)
    return max(alpha, 1e-7), 1.0 / inverse_beta


def driver(args):
    ensure_datasets_env()
    one_core = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    print(f"Seconds per 60,000-image epoch (timed on {args.samples} images, second epoch), global batch "
          f"{GLOBAL_BATCH}:")
    print(f"{'model':8s} {'1 proc x 2 threads':>19s} {'1 proc x 1 core':>16s} {'2 procs x 1 core':>17s} "
          f"{'speed-up vs 1x2':>16s}")
    role = ["--role", "train", "--samples", str(args.samples), "--epochs", "2"]
    for kind in ("mlp", "conv"):
        scale = 60000 / args.samples
        two_threads = _last_json([sys.executable, __file__] + role + ["--kind", kind])["epoch"] * scale
        one_core_time = _last_json(_mpirun(1, [], role + ["--kind", kind]), one_core)["epoch"] * scale
        two_procs = _last_json(_mpirun(2, ["-x", "OMP_NUM_THREADS", "-x", "OPENBLAS_NUM_THREADS"],
                                       role + ["--kind", kind, "--distributed"]), one_core)["epoch"] * scale
        print(f"{kind:8s} {two_threads:19.2f} {one_core_time:16.2f} {two_procs:17.2f} "
              f"{two_threads / two_procs:15.2f}x", flush=True)

    points = _last_json(_mpirun(2, [], ["--role", "allreduce"]))
    print("\nAll-reduce (2 ranks, in place, float32), median:")
    print(f"{'gradient':>10s} {'ms':>9s} {'GB/s':>7s}")
    for size_bytes, seconds in points:
        print(f"{size_bytes / 1e6:8.3f}MB {seconds * 1e3:9.3f} {size_bytes / seconds / 1e9:7.2f}")
    alpha, beta = fit_alpha_beta(points)
    print(f"fitted here (shared memory): alpha = {alpha * 1e6:.1f} us, beta = {beta / 1e9:.2f} GB/s")

    print(f"\nOn paper: speed-up on n machines, {GLOBAL_BATCH} samples per machine per step, "
          "ring all-reduce after backward (no overlap)")
    print(f"{'model':9s} {'weights':>9s} {'step ms':>8s} {'link':>22s} {'n=4':>6s} {'n=16':>6s} {'n=64':>6s}")
    for kind in ("conv", "wide_mlp"):
        measured = _last_json([sys.executable, __file__, "--role", "step", "--kind", kind])
        size_bytes = 4 * measured["params"]
        for label, link in (("10 GbE (30 us, 1.25GB/s)", ETHERNET),
                            ("this host's shared mem", {"alpha": alpha, "beta": beta})):
            speedups = [n * measured["step"] / (measured["step"] + ring_time(n, size_bytes, **link))
                        for n in (4, 16, 64)]
            print(f"{kind:9s} {measured['params']:9d} {measured['step'] * 1e3:8.1f} {label:>22s} "
                  + " ".join(f"{s:6.1f}" for s in speedups), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=("driver", "train", "allreduce", "step"), default="driver")
    parser.add_argument("--kind", choices=("mlp", "conv", "wide_mlp"), default="mlp")
    parser.add_argument("--samples", type=int, default=12800)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--distributed", action="store_true")
    args = parser.parse_args()
    {"driver": driver, "train": train_role, "allreduce": allreduce_role, "step": step_role}[args.role](args)


if __name__ == "__main__":
    main()
