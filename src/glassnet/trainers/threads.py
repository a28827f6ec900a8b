"""How many BLAS threads, and how many batch parts, a training or inference loop uses.

Small matrix products run faster on one thread: a second thread sleeps and
wakes between products and costs more than it brings (measured on the MNIST
tutorial network at batch 32: 459 us per step on one thread, 778 us on two).
Large products gain from every core, even on two (measured on 2 cores, an
MLP 784-512-512-10 at batch 128: 3.5 ms per step on one thread, 2.4 ms on
two; the tutorial network at batch 128: 0.27 s per epoch on one, 0.23 s on
two). ``threadpoolctl`` sets the limit for the duration of the loop only.

Convolution and pooling ops use the cores another way: they split the batch
into parts computed by parallel threads (backend/parallel.py), which also
spreads the copies and elementwise passes that BLAS threads leave on one
core. They get one part per core whenever BLAS runs on one thread, and a
model with such layers always runs BLAS on one thread (measured on the MNIST
convnet at batch 128, 2 cores: 2 parts made its second convolution 1.9x faster than
one part, and 1.15x faster than 2 BLAS threads; the whole step went from 60 to 32 ms).
"""

import os

from glassnet import config
from glassnet.backend.speed import speed_settings

# Below this many multiply-adds per step (weights x batch), one thread is faster.
SMALL_WORK = 8_000_000

# Recurrent models: BLAS threads for their step-by-step products (more were not measured).
RECURRENT_THREADS = 2

# More parts than this gain little: each part's arrays get too small to keep a core busy.
MAX_BATCH_PARTS = 8


def usable_cores():
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def splits_batches(model):
    """Whether ``model`` has layers whose ops split the batch over threads (convolutions, pooling)."""
    flatten = getattr(model, "_flatten_layers", None)
    return flatten is not None and any(getattr(layer, "splits_batch", False) for layer in flatten())


def recurrent(model):
    """Whether ``model`` has recurrent layers (their steps are chains of small matrix products)."""
    flatten = getattr(model, "_flatten_layers", None)
    return flatten is not None and any(getattr(layer, "recurrent", False) for layer in flatten())


def choose(model, batch_size):
    """The BLAS thread count for ``model`` at ``batch_size`` (None: no limit), or ``config``'s fixed choice."""
    chosen = config.speed_options()["blas_threads"]
    if chosen != "auto":
        return chosen
    if recurrent(model) and not splits_batches(model):
        # measured on 2 cores, LSTM(128) step at batch 64: 53.8 ms on one thread, 39.1 ms on two
        return min(usable_cores(), RECURRENT_THREADS)
    if usable_cores() <= 1 or splits_batches(model):
        return 1  # convolutions split their batch over the cores instead (batch_parts_for)
    work = getattr(model, "multiply_adds_per_sample", None)
    work = work() if callable(work) else None
    if work is None:
        work = model.count_params() if model.built else None
    if work is not None and work * batch_size < SMALL_WORK:
        return 1
    return None


def batch_parts_for(model, batch_size):
    """How many parts batch-splitting ops use: one per core, when BLAS runs on one thread only."""
    return min(usable_cores(), MAX_BATCH_PARTS) if choose(model, batch_size) == 1 else 1


def compute_scope(model, batch_size, return_memory=True):
    """The CPU settings of a training or inference loop for ``model`` (backend/speed.py applies them):
    BLAS threads, batch parts, flush-to-zero, and freed memory kept for the next step, returned on exit
    if ``return_memory``."""
    return speed_settings(choose(model, batch_size), batch_parts_for(model, batch_size), return_memory)
