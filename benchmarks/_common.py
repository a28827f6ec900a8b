"""Shared helpers for the benchmarks: data, timing, and running each framework in its own process."""

import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def datasets_dir():
    """GLASSNET_DATASETS, or ../shared/data beside the project when it exists."""
    configured = os.environ.get("GLASSNET_DATASETS")
    if configured:
        return configured
    candidate = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data"))
    return candidate if os.path.isdir(candidate) else None


def ensure_datasets_env():
    directory = datasets_dir()
    if directory:
        os.environ["GLASSNET_DATASETS"] = directory


def load_mnist(images_shape=(28, 28)):
    """MNIST as float32 in [0, 1] and uint8 labels, through glassnet's loader."""
    ensure_datasets_env()
    sys.path.insert(0, os.path.join(HERE, "..", "src"))
    from glassnet.datasets import mnist

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train = (x_train.astype("float32") / 255.0).reshape((-1,) + images_shape)
    x_test = (x_test.astype("float32") / 255.0).reshape((-1,) + images_shape)
    return (x_train, y_train), (x_test, y_test)


def median(values):
    return statistics.median(values) if values else float("nan")


def run_isolated(script, args):
    """Run ``script`` with ``args`` in a fresh Python and return the JSON it prints last."""
    command = [sys.executable, script] + args
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:]}
    for line in reversed(done.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"error": ["no result printed"]}


def have(module):
    import importlib.util

    return importlib.util.find_spec(module) is not None


class EpochTimer:
    """Wall-clock seconds of each epoch (a glassnet/Keras callback)."""

    def __init__(self):
        self.times = []
        self._start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)


def timing_callback(keras, timer):
    """A callback of ``keras`` (glassnet or Keras) that feeds epoch begin/end to an EpochTimer."""

    class Timing(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            timer.on_epoch_begin(epoch, logs)

        def on_epoch_end(self, epoch, logs=None):
            timer.on_epoch_end(epoch, logs)

    return Timing()


def blas_kernel_line():
    """Which OpenBLAS kernel NumPy runs here, and whether the environment chose it.

    ``OPENBLAS_CORETYPE`` forces a kernel: some machines set it to an older one
    (Haswell, 8-wide) on processors that have 16-wide AVX-512 units, which halves
    the speed of NumPy's matrix products while PyTorch (oneDNN/MKL) and JAX
    (XLA) still use the wide units. A fair comparison runs with the kernel the
    processor supports: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python ...``.
    """
    try:
        import numpy  # noqa: F401  (loads OpenBLAS)
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS: threadpoolctl not installed, kernel unknown"
    kernels = sorted({str(info.get("architecture")) for info in threadpool_info()
                      if info.get("internal_api") == "openblas"}) or ["not OpenBLAS"]
    forced = os.environ.get("OPENBLAS_CORETYPE")
    chosen = f"forced by OPENBLAS_CORETYPE={forced}" if forced else "chosen by OpenBLAS for this processor"
    return f"NumPy's OpenBLAS kernel: {', '.join(kernels)} ({chosen})"
