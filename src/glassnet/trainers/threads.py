"""How many BLAS threads, and how many batch parts, a training or inference loop uses.

Small matrix products run faster on one thread: a second thread sleeps and
wakes between products and costs more than it brings (measured on the MNIST
tutorial network at batch 32: 459 us per step on one thread, 778 us on two).
Large products gain from every core. ``threadpoolctl`` sets the limit for
the duration of the loop only.

Convolution and pooling ops use the cores another way: they split the batch
into parts computed by parallel threads (backend/parallel.py), which also
spreads the copies and elementwise passes that BLAS threads leave on one
core. They get one part per core whenever BLAS runs on one thread, and a
model with such layers always runs BLAS on one thread (measured on the MNIST
convnet at batch 128, 2 cores: 2 parts made its second convolution 1.9x faster than
one part, and 1.15x faster than 2 BLAS threads; the whole step went from 60 to 32 ms).
"""

import contextlib
import os

_num_threads = "auto"

# Below this many multiply-adds per step (weights x batch), one thread is faster.
SMALL_WORK = 8_000_000

# More parts than this gain little: each part's arrays get too small to keep a core busy.
MAX_BATCH_PARTS = 8


def set_num_threads(count):
    """Use ``count`` BLAS threads in fit/evaluate/predict; "auto" decides by model size; None leaves BLAS alone."""
    global _num_threads
    if count not in ("auto", None) and (not isinstance(count, int) or count < 1):
        raise ValueError(f"set_num_threads expects a positive integer, 'auto' or None, got {count!r}")
    _num_threads = count


def get_num_threads():
    return _num_threads


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


def choose(model, batch_size):
    """The thread count for ``model`` at ``batch_size`` (None: no limit)."""
    if _num_threads != "auto":
        return _num_threads
    if usable_cores() <= 2 or splits_batches(model):
        return 1  # measured on 2 cores: a second BLAS thread slows convolutions and small products alike
    work = getattr(model, "multiply_adds_per_sample", None)
    work = work() if callable(work) else None
    if work is None:
        work = model.count_params() if model.built else None
    if work is not None and work * batch_size < SMALL_WORK:
        return 1
    return None


def limit_for(model, batch_size):
    """A context manager that limits BLAS threads for this model and batch size."""
    count = choose(model, batch_size)
    if count is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=count, user_api="blas")


def batch_parts_for(model, batch_size):
    """How many parts batch-splitting ops use: one per core, when BLAS runs on one thread only."""
    return min(usable_cores(), MAX_BATCH_PARTS) if choose(model, batch_size) == 1 else 1


@contextlib.contextmanager
def compute_scope(model, batch_size, return_memory=True):
    """The CPU settings of a training or inference loop: BLAS threads, batch parts, flush-to-zero, and
    freed memory kept for the next step (backend/allocator.py), returned on exit if ``return_memory``."""
    from glassnet.backend.allocator import keep_freed_memory
    from glassnet.backend.denormals import flush_denormals
    from glassnet.backend.parallel import use_workers

    with limit_for(model, batch_size), use_workers(batch_parts_for(model, batch_size)), flush_denormals(), \
            keep_freed_memory(return_memory):
        yield
