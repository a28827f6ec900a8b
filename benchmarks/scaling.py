"""How glassnet's training cost grows with width, batch and depth, against PyTorch eager, in one run.

Four measurements, each configuration in a fresh process per framework
(glassnet, then PyTorch, interleaved over rounds; a ratio is the median of
the per-round ratios glassnet / PyTorch):

1. MLP Flatten -> Dense(W, relu) -> Dense(10, softmax) on MNIST, batch 128,
   W = 128, 512, 2048: seconds per training step (x 469 = one epoch).
2. Keras' MNIST convnet (Conv2D(32,3) -> MaxPool -> Conv2D(64,3) -> MaxPool ->
   Flatten -> Dropout(0.5) -> Dense(10)) at batch 32, 128, 256: seconds per step.
3. A small CIFAR-shaped ResNet (32x32x3 synthetic data; stem conv, 3 stages of
   2 residual blocks of Conv2D+BatchNorm+ReLU, 16/32/64 filters, global average
   pooling, Dense(10)) at batch 64: seconds per step.
4. The convnet's peak resident memory at each batch size: ru_maxrss of its
   fresh process, and what training added (the resident high-water mark while
   training, restarted once framework and data are loaded, minus the resident
   memory at that point). Reported for every configuration.

Every framework trains with Adam (1e-3, epsilon 1e-7) on the same data. A run
is 1 warm-up epoch (glassnet compiles its step there) and --repeats timed
epochs of --steps steps each (``fit`` for glassnet, a plain loop that logs its
loss and accuracy for PyTorch); the per-step time is the median timed epoch
divided by its steps.

    python benchmarks/scaling.py                           # 3 rounds, ~4-6 minutes on 2 cores
    python benchmarks/scaling.py --rounds 1 --steps 30     # quicker, noisier
    python benchmarks/scaling.py --parts mlp cnn           # a subset

Writes benchmarks/scaling.json and benchmarks/scaling.png (unless --no-plot).
"""

import argparse
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (
    HERE,
    EpochTimer,
    blas_kernel_line,
    datasets_dir,
    ensure_datasets_env,
    median,
    run_isolated,
    timing_callback,
)

MLP_BATCH = 128
MLP_WIDTHS = (128, 512, 2048)
CNN_BATCHES = (32, 128, 256)
RESNET_BATCH = 64
FRAMEWORKS = ("glassnet", "torch")


def _maxrss_mb():
    """The process's resident high-water mark since it started (ru_maxrss), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mb(field):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _data_loaded():
    """Resident MB once framework and data are in memory; then restart the high-water mark (Linux).

    Reading mnist.npz briefly holds the whole uint8 training set; restarting
    VmHWM here (/proc/self/clear_refs, as benchmarks/memory.py does) keeps that
    spike out of the training's own peak.
    """
    import gc

    gc.collect()
    resident = _status_mb("VmRSS")
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass
    return resident


def _memory(data_mb):
    train_peak = _status_mb("VmHWM")
    return {"data_mb": data_mb, "train_peak_mb": train_peak, "train_mb": train_peak - data_mb,
            "peak_mb": _maxrss_mb()}


def _mnist_subset(samples, shape):
    """The first ``samples`` MNIST training images as float32 in [0, 1], converted after slicing.

    Read straight from mnist.npz when it is at hand (so that the PyTorch process
    never imports glassnet), and only the slice is converted to float32: the peak
    memory of the process is then the training's, not the whole data set's.
    """
    import numpy as np

    directory = datasets_dir()
    path = os.path.join(directory, "mnist.npz") if directory else None
    if path and os.path.exists(path):
        with np.load(path, allow_pickle=False) as data:
            x_train, y_train = data["x_train"][:samples], data["y_train"][:samples]
    else:
        ensure_datasets_env()
        sys.path.insert(0, os.path.join(HERE, "..", "src"))
        from glassnet.datasets import mnist

        (x_train, y_train), _ = mnist.load_data()
        x_train, y_train = x_train[:samples].copy(), y_train[:samples].copy()
    x = (x_train.astype("float32") / 255.0).reshape((-1,) + shape)
    return x, y_train.astype("int64")


def _synthetic_cifar(samples, channels_last=True):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal((samples, 32, 32, 3), dtype=np.float32)
    y = rng.integers(0, 10, samples).astype("int64")
    if not channels_last:
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    return x, y


# ---------------------------------------------------------------- glassnet


def _glassnet_model(kind, param):
    import glassnet as keras
    from glassnet import layers

    keras.utils.set_random_seed(0)
    if kind == "mlp":
        return keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(),
                                 layers.Dense(param, activation="relu"), layers.Dense(10, activation="softmax")])
    if kind == "cnn":
        return keras.Sequential([
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ])

    def conv_bn(x, filters, strides=1, relu=True):
        x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        return layers.ReLU()(x) if relu else x

    inputs = keras.Input(shape=(32, 32, 3))
    x = conv_bn(inputs, 16)
    for stage, filters in enumerate((16, 32, 64)):
        for block in range(2):
            strides = 2 if stage > 0 and block == 0 else 1
            shortcut = x
            y = conv_bn(x, filters, strides)
            y = conv_bn(y, filters, relu=False)
            if strides != 1:
                shortcut = layers.Conv2D(filters, 1, strides=strides, use_bias=False)(x)
                shortcut = layers.BatchNormalization()(shortcut)
            x = layers.ReLU()(layers.Add()([y, shortcut]))
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(10)(x))


def run_glassnet(kind, param, steps, repeats):
    import numpy as np

    import glassnet as keras

    batch = MLP_BATCH if kind == "mlp" else param
    samples = steps * batch
    if kind == "resnet":
        x, y = _synthetic_cifar(samples)
    else:
        x, y = _mnist_subset(samples, (28, 28) if kind == "mlp" else (28, 28, 1))
    data_mb = _data_loaded()
    model = _glassnet_model(kind, param)
    loss = (keras.losses.SparseCategoricalCrossentropy(from_logits=True) if kind == "resnet"
            else "sparse_categorical_crossentropy")
    model.compile(loss=loss, optimizer="adam", metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(x, y, batch_size=batch, epochs=1 + repeats, verbose=0, callbacks=[timing_callback(keras, timer)])
    return {"step_seconds": [t / steps for t in timer.times[1:]], "warmup_seconds": timer.times[0],
            "params": int(sum(np.prod(w.shape) for w in model.trainable_weights)), **_memory(data_mb)}


# ---------------------------------------------------------------- PyTorch


def _torch_model(kind, param):
    import torch
    from torch import nn

    torch.manual_seed(0)
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, param), nn.ReLU(), nn.Linear(param, 10))
    if kind == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))

    def bn(filters):
        return nn.BatchNorm2d(filters, eps=1e-3, momentum=0.01)  # Keras' defaults

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.body = nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), bn(cout), nn.ReLU(),
                                      nn.Conv2d(cout, cout, 3, 1, 1, bias=False), bn(cout))
            self.shortcut = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), bn(cout))
                             if stride != 1 else nn.Identity())

        def forward(self, x):
            return torch.relu(self.body(x) + self.shortcut(x))

    modules = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), bn(16), nn.ReLU()]
    cin = 16
    for stage, filters in enumerate((16, 32, 64)):
        for block in range(2):
            modules.append(Block(cin, filters, 2 if stage > 0 and block == 0 else 1))
            cin = filters
    modules += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*modules)


def run_torch(kind, param, steps, repeats):
    import torch

    batch = MLP_BATCH if kind == "mlp" else param
    samples = steps * batch
    if kind == "resnet":
        x, y = _synthetic_cifar(samples, channels_last=False)
    else:
        x, y = _mnist_subset(samples, (28, 28) if kind == "mlp" else (1, 28, 28))
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    data_mb = _data_loaded()
    model = _torch_model(kind, param)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    times = []
    for _ in range(1 + repeats):
        start = time.perf_counter()
        order = torch.randperm(samples)
        total_loss = correct = 0.0
        for begin in range(0, samples, batch):
            index = order[begin:begin + batch]
            xb, yb = x[index], y[index]
            optimizer.zero_grad()
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(index)  # a fair loop logs its loss and accuracy, as fit does
            correct += (logits.argmax(1) == yb).sum().item()
        times.append(time.perf_counter() - start)
    return {"step_seconds": [t / steps for t in times[1:]], "warmup_seconds": times[0],
            "params": sum(p.numel() for p in model.parameters()), **_memory(data_mb),
            "threads": torch.get_num_threads()}


RUNNERS = {"glassnet": run_glassnet, "torch": run_torch}


# ---------------------------------------------------------------- driver


def configurations(parts):
    found = []
    if "mlp" in parts:
        found += [("mlp", w) for w in MLP_WIDTHS]
    if "cnn" in parts:
        found += [("cnn", b) for b in CNN_BATCHES]
    if "resnet" in parts:
        found.append(("resnet", RESNET_BATCH))
    return found


def label(kind, param):
    return {"mlp": f"MLP width {param}, batch {MLP_BATCH}", "cnn": f"convnet, batch {param}",
            "resnet": f"ResNet (CIFAR shape), batch {param}"}[kind]


def plot(summary, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = summary["rows"]

    def pick(kind):
        return [r for r in rows if r["kind"] == kind and r.get("ratio") is not None]

    fig, axes = plt.subplots(2, 2, figsize=(9, 6.6), dpi=80)
    mlp, cnn, resnet = pick("mlp"), pick("cnn"), pick("resnet")

    ax = axes[0, 0]
    if mlp:
        ax.plot([r["param"] for r in mlp], [r["ratio"] for r in mlp], "o-", color="C0")
        for r in mlp:
            ax.annotate(f"{r['ratio']:.2f}", (r["param"], r["ratio"]), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=8)
    ax.axhline(1, color="grey", lw=0.8, ls="--")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("hidden width W")
    ax.set_ylabel("glassnet / PyTorch time")
    ax.set_title(f"MLP, batch {MLP_BATCH}: time ratio vs width", fontsize=10)

    ax = axes[0, 1]
    if cnn:
        ax.plot([r["param"] for r in cnn], [r["ratio"] for r in cnn], "o-", color="C1", label="MNIST convnet")
        for r in cnn:
            ax.annotate(f"{r['ratio']:.2f}", (r["param"], r["ratio"]), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=8)
    if resnet:
        r = resnet[0]
        ax.plot([r["param"]], [r["ratio"]], "s", color="C2", label="small ResNet (32x32x3)")
        ax.annotate(f"{r['ratio']:.2f}", (r["param"], r["ratio"]), textcoords="offset points", xytext=(8, -3),
                    fontsize=8)
    ax.axhline(1, color="grey", lw=0.8, ls="--")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("batch size")
    ax.set_ylabel("glassnet / PyTorch time")
    ax.set_title("convnets: time ratio vs batch", fontsize=10)
    ax.legend(fontsize=8, loc="center right")

    ax = axes[1, 0]
    for framework, style in (("glassnet", "o-"), ("torch", "s--")):
        points = [(r["param"], r[framework]["ms_per_step"]) for r in rows
                  if r["kind"] == "cnn" and framework in r]
        if points:
            ax.plot(*zip(*points), style, label=framework)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch size")
    ax.set_ylabel("ms per training step")
    ax.set_title("MNIST convnet: step time vs batch", fontsize=10)
    ax.legend(fontsize=8)

    ax = axes[1, 1]
    for framework, color in (("glassnet", "C0"), ("torch", "C3")):
        points = [(r["param"], r[framework]["peak_mb"], r[framework]["train_mb"]) for r in rows
                  if r["kind"] == "cnn" and framework in r]
        if points:
            xs, peaks, growth = zip(*points)
            ax.plot(xs, peaks, "o-", color=color, label=f"{framework}: process peak (ru_maxrss)")
            ax.plot(xs, growth, "^:", color=color, label=f"{framework}: added by training")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("batch size")
    ax.set_ylabel("MB")
    ax.set_title("MNIST convnet: peak memory vs batch", fontsize=10)
    ax.legend(fontsize=7)

    from matplotlib.ticker import NullFormatter, ScalarFormatter

    for ax, ticks in ((axes[0, 0], MLP_WIDTHS), (axes[0, 1], CNN_BATCHES + (RESNET_BATCH,)),
                      (axes[1, 0], CNN_BATCHES), (axes[1, 1], CNN_BATCHES)):
        ax.set_xticks(sorted(set(ticks)))
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.margins(x=0.12, y=0.15)
    low, high = axes[1, 0].get_ylim()
    axes[1, 0].set_yticks([t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500) if low <= t <= high])
    axes[1, 0].set_ylim(low, high)
    axes[1, 0].yaxis.set_major_formatter(ScalarFormatter())
    axes[1, 0].yaxis.set_minor_formatter(NullFormatter())
    fig.suptitle(f"glassnet vs PyTorch eager (CPU, {summary['machine']['cpus']} cores, "
                 f"load {summary['machine']['load_before'][0]:.2f})", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", default=["mlp", "cnn", "resnet"], choices=("mlp", "cnn", "resnet"))
    parser.add_argument("--steps", type=int, default=50, help="training steps per timed epoch")
    parser.add_argument("--resnet-steps", type=int, default=30, help="steps per timed epoch of the ResNet")
    parser.add_argument("--repeats", type=int, default=2, help="timed epochs after the warm-up epoch")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", default=os.path.join(HERE, "scaling.json"))
    parser.add_argument("--png", default=os.path.join(HERE, "scaling.png"))
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument("--replot", action="store_true", help="only redraw the PNG from the JSON")
    parser.add_argument("--only", help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--param", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(RUNNERS[args.only](args.kind, args.param, args.steps, args.repeats)))
        return
    if args.replot:
        with open(args.json) as handle:
            plot(json.load(handle), args.png)
        print(f"wrote {args.png} ({os.path.getsize(args.png) // 1024} KB)")
        return

    load_before = os.getloadavg()
    started = time.perf_counter()
    configs = configurations(args.parts)
    print(blas_kernel_line())
    print(f"glassnet vs PyTorch: {args.rounds} round(s); 1 warm-up + {args.repeats} timed epoch(s) of "
          f"{args.steps} steps ({args.resnet_steps} for the ResNet); load average {load_before[0]:.2f} "
          f"{load_before[1]:.2f} {load_before[2]:.2f}", flush=True)
    results = {c: {f: [] for f in FRAMEWORKS} for c in configs}
    ratios = {c: [] for c in configs}
    for round_index in range(args.rounds):
        for kind, param in configs:
            steps = args.resnet_steps if kind == "resnet" else args.steps
            medians = {}
            for framework in FRAMEWORKS:
                result = run_isolated(__file__, ["--only", framework, "--kind", kind, "--param", str(param),
                                                 "--steps", str(steps), "--repeats", str(args.repeats)])
                if "error" in result:
                    print(f"  {label(kind, param)}, {framework}: failed: {result['error']}", flush=True)
                    continue
                results[(kind, param)][framework].append(result)
                medians[framework] = median(result["step_seconds"])
            if len(medians) == 2:
                ratios[(kind, param)].append(medians["glassnet"] / medians["torch"])
            shown = "  ".join(f"{f} {1000 * s:.1f} ms" for f, s in medians.items())
            print(f"  round {round_index + 1}: {label(kind, param)}: {shown}", flush=True)

    rows = []
    for (kind, param) in configs:
        row = {"kind": kind, "param": param, "ratio": median(ratios[(kind, param)]) if ratios[(kind, param)] else None,
               "ratios": ratios[(kind, param)]}
        for framework in FRAMEWORKS:
            runs = results[(kind, param)][framework]
            if runs:
                row[framework] = {
                    "ms_per_step": 1000 * median([median(r["step_seconds"]) for r in runs]),
                    "peak_mb": median([r["peak_mb"] for r in runs]),
                    "data_mb": median([r["data_mb"] for r in runs]),
                    "train_peak_mb": median([r["train_peak_mb"] for r in runs]),
                    "train_mb": median([r["train_mb"] for r in runs]),
                    "params": runs[0]["params"],
                }
        rows.append(row)

    print()
    print(f"{'configuration':38s} {'glassnet ms/step':>16s} {'torch ms/step':>14s} {'ratio':>6s} "
          f"{'glassnet peak MB (+training)':>29s} {'torch peak MB (+training)':>26s}")
    for row in rows:
        g, t = row.get("glassnet", {}), row.get("torch", {})
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "-"
        memory = [f"{r.get('peak_mb', float('nan')):.0f} (+{r.get('train_mb', float('nan')):.0f})" for r in (g, t)]
        print(f"{label(row['kind'], row['param']):38s} {g.get('ms_per_step', float('nan')):16.1f} "
              f"{t.get('ms_per_step', float('nan')):14.1f} {ratio:>6s} {memory[0]:>29s} {memory[1]:>26s}")
    print("peak MB: ru_maxrss of the process; +training: its resident high-water while training minus "
          "its resident memory once framework and data were loaded")
    mlp_rows = [r for r in rows if r["kind"] == "mlp" and "glassnet" in r]
    if mlp_rows:
        print("MLP seconds per epoch (469 steps of 128): " + ", ".join(
            f"W={r['param']}: glassnet {0.469 * r['glassnet']['ms_per_step']:.2f} s, "
            f"torch {0.469 * r.get('torch', {}).get('ms_per_step', float('nan')):.2f} s" for r in mlp_rows))
    load_after = os.getloadavg()
    elapsed = time.perf_counter() - started
    print(f"took {elapsed:.0f} s; load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")

    import torch

    summary = {
        "command": "python benchmarks/scaling.py " + " ".join(sys.argv[1:]),
        "blas": blas_kernel_line(),
        "settings": {"steps": args.steps, "resnet_steps": args.resnet_steps, "repeats": args.repeats,
                     "rounds": args.rounds, "mlp_batch": MLP_BATCH},
        "machine": {"cpus": os.cpu_count(), "load_before": [round(v, 2) for v in load_before],
                    "load_after": [round(v, 2) for v in load_after], "torch": torch.__version__,
                    "torch_threads": torch.get_num_threads(), "seconds": round(elapsed, 1),
                    "date": time.strftime("%Y-%m-%d")},
        "rows": [{**r, "ratio": None if r["ratio"] is None else round(r["ratio"], 3),
                  "ratios": [round(v, 3) for v in r["ratios"]],
                  **{f: {k: round(v, 2) if isinstance(v, float) else v for k, v in r[f].items()}
                     for f in FRAMEWORKS if f in r}} for r in rows],
    }
    with open(args.json, "w") as handle:
        json.dump(summary, handle, indent=1)
        handle.write("\n")
    print(f"wrote {args.json}")
    if not args.no_plot:
        plot(summary, args.png)
        print(f"wrote {args.png} ({os.path.getsize(args.png) // 1024} KB)")


if __name__ == "__main__":
    main()
