"""Save and load time and file size of the MNIST tutorial model's .keras file (glassnet, and Keras for reference).

The model is the beginner tutorial's: Flatten -> Dense(128, relu) ->
Dense(10, softmax), compiled with Adam, trained one epoch on 2,048 MNIST
images (so the file holds Adam's two moments per weight as well). Each
measurement runs in a fresh Python, so the first save and the first load
include importing h5py; the repeated ones show the steady state.

    python benchmarks/saving.py            # 5 repeats
    python benchmarks/saving.py --repeats 20

Targets (the issue): save and load each under 0.2 s; the file no larger than
1.1 x the bytes of the arrays it stores plus 64 KB.
"""

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import have, load_mnist, median, run_isolated  # noqa: E402


def tutorial_model(k):
    model = k.Sequential([k.Input(shape=(28, 28)), k.layers.Flatten(), k.layers.Dense(128, activation="relu"),
                          k.layers.Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def array_bytes(model, optimizer_arrays):
    weights = sum(w.numpy().nbytes if hasattr(w, "numpy") else w.nbytes for w in model.weights)
    return weights, sum(a.nbytes for a in optimizer_arrays)


def measure(framework, repeats):
    if framework == "keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import keras as k
        load_model = k.models.load_model

        def optimizer_arrays(model):
            import numpy as np

            return [np.asarray(v.numpy()) for v in model.optimizer.variables]
    else:
        import glassnet as k
        from glassnet.saving import weights_h5

        load_model = k.models.load_model

        def optimizer_arrays(model):
            return weights_h5.optimizer_arrays(model.optimizer)
    import numpy as np

    (x, y), _ = load_mnist()
    model = tutorial_model(k)
    model.fit(x[:2048], y[:2048], epochs=1, batch_size=32, verbose=0)
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "mnist.keras")
    saves, loads = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        model.save(path)
        saves.append(time.perf_counter() - start)
        start = time.perf_counter()
        loaded = load_model(path)
        loads.append(time.perf_counter() - start)
    weights_only = None
    if framework == "glassnet":  # the same model saved without its optimizer state (include_optimizer=False)
        model.save(os.path.join(folder, "weights_only.keras"), include_optimizer=False)
        weights_only = os.path.getsize(os.path.join(folder, "weights_only.keras"))
    cold = run_isolated(os.path.abspath(__file__), ["--cold-load", path, "--worker", framework])
    check = np.abs(np.asarray(loaded.predict(x[:256], verbose=0)) - np.asarray(model.predict(x[:256], verbose=0)))
    weights, optimizer = array_bytes(model, optimizer_arrays(model))
    size = os.path.getsize(path)
    return {"framework": framework, "first_save_s": saves[0], "first_load_s": loads[0],
            "median_save_s": median(saves[1:] or saves), "median_load_s": median(loads[1:] or loads),
            "cold_load_s": cold.get("cold_load_s", float("nan")), "file_bytes": size,
            "file_bytes_without_optimizer": weights_only, "weight_bytes": weights, "optimizer_bytes": optimizer,
            "limit_bytes": int(1.1 * (weights + optimizer) + 64 * 1024), "max_prediction_difference": float(check.max())}


def cold_load(framework, path):
    """Seconds to load ``path`` in this fresh process, the framework imported beforehand."""
    if framework == "keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import keras as k
    else:
        import glassnet as k
    start = time.perf_counter()
    k.models.load_model(path)
    return time.perf_counter() - start


def report(result):
    if "error" in result:
        print(f"  error: {result['error']}")
        return
    stored = result["weight_bytes"] + result["optimizer_bytes"]
    print(f"{result['framework']:>9}: save {result['first_save_s'] * 1000:7.1f} ms first, "
          f"{result['median_save_s'] * 1000:7.1f} ms median | load {result['first_load_s'] * 1000:7.1f} ms first, "
          f"{result['median_load_s'] * 1000:7.1f} ms median")
    print(f"{'':>9}  load in a fresh process (after importing the framework; h5py's import included): "
          f"{result['cold_load_s'] * 1000:.1f} ms")
    print(f"{'':>9}  file {result['file_bytes']:,} bytes for {stored:,} bytes of arrays (weights "
          f"{result['weight_bytes']:,} + optimizer {result['optimizer_bytes']:,}): "
          f"{result['file_bytes'] / stored:.4f} x, overhead {result['file_bytes'] - stored:,} bytes; "
          f"limit {result['limit_bytes']:,} -> {'ok' if result['file_bytes'] <= result['limit_bytes'] else 'OVER'}")
    if result.get("file_bytes_without_optimizer"):
        alone, weights = result["file_bytes_without_optimizer"], result["weight_bytes"]
        print(f"{'':>9}  without the optimizer state: {alone:,} bytes for {weights:,} bytes of weights: "
              f"{alone / weights:.4f} x; limit {int(1.1 * weights + 65536):,} -> "
              f"{'ok' if alone <= 1.1 * weights + 65536 else 'OVER'}")
    print(f"{'':>9}  loaded model's predictions differ by at most {result['max_prediction_difference']:.2e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--worker", choices=["glassnet", "keras"])
    parser.add_argument("--cold-load", metavar="PATH")
    args = parser.parse_args()
    if args.cold_load:
        print(json.dumps({"cold_load_s": cold_load(args.worker, args.cold_load)}))
        return
    if args.worker:
        print(json.dumps(measure(args.worker, args.repeats)))
        return
    frameworks = ["glassnet"] + (["keras"] if have("keras") else [])
    print(f"MNIST tutorial model, .keras save/load, {args.repeats} repeats, each framework in a fresh process")
    for framework in frameworks:
        report(run_isolated(os.path.abspath(__file__), ["--worker", framework, "--repeats", str(args.repeats)]))


if __name__ == "__main__":
    main()
