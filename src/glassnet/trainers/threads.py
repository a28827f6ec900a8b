"""How many BLAS threads a training or inference loop uses.

Small matrix products run faster on one thread: a second thread sleeps and
wakes between products and costs more than it brings (measured on the MNIST
tutorial network at batch 32: 459 us per step on one thread, 778 us on two).
Large products gain from every core. ``threadpoolctl`` sets the limit for
the duration of the loop only.
"""

import contextlib
import os

_num_threads = "auto"

# Below this many multiply-adds per step (weights x batch), one thread is faster.
SMALL_WORK = 8_000_000


def set_num_threads(count):
    """Use ``count`` BLAS threads in fit/evaluate/predict; "auto" decides by model size; None leaves BLAS alone."""
    global _num_threads
    if count not in ("auto", None) and (not isinstance(count, int) or count < 1):
        raise ValueError(f"set_num_threads expects a positive integer, 'auto' or None, got {count!r}")
    _num_threads = count


def get_num_threads():
    return _num_threads


def choose(model, batch_size):
    """The thread count for ``model`` at ``batch_size`` (None: no limit)."""
    if _num_threads != "auto":
        return _num_threads
    if (os.cpu_count() or 1) <= 2:
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


@contextlib.contextmanager
def compute_scope(model, batch_size):
    """The CPU settings of a training or inference loop: BLAS threads and flush-to-zero."""
    from glassnet.backend.denormals import flush_denormals

    with limit_for(model, batch_size), flush_denormals():
        yield
