"""Splitting an op's batch over CPU cores with threads.

NumPy and BLAS release Python's global lock while they work on large arrays,
so two threads, each computing one half of a batch, keep two cores busy: the
window copy, the matrix product, the activation and its gradient all run
side by side. Images in a batch are independent, so every part writes its
own rows of the output; only sums over the batch (a kernel's gradient) are
added up after the parts finish.

The worker count is 1 (everything in the calling thread) unless a training or
inference loop raises it, for its own thread, with ``use_workers`` (see
trainers/threads.py), so an op called on its own behaves exactly as written.
BLAS must then run on one thread, or the two kinds of threads compete for the
same cores. Summing a kernel's gradient part by part rounds differently from
one product over the whole batch: a seeded run repeats bit for bit on the same
machine (the same number of cores), not across core counts.

    parts = batch_parts(len(x), work_per_sample=oh * ow * k * filters)
    results = run_parts(lambda part: forward(x[part]), parts)
"""

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from glassnet.backend import denormals

# Below this much work (multiply-adds or element passes) per part, handing a
# part to another thread (~50 us) costs more than it saves.
MIN_WORK_PER_PART = 1_000_000

_state = threading.local()  # .workers: the count set by use_workers in this thread; .inside: running a part
_pool = None
_pool_size = 0
_pool_lock = threading.Lock()


def get_workers():
    """How many threads ops called from this thread may split a batch over now."""
    return getattr(_state, "workers", 1)


@contextlib.contextmanager
def use_workers(count):
    """Let ops called from this thread split their batch over ``count`` threads inside the block."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f"use_workers expects a positive integer, got {count!r}")
    previous, _state.workers = get_workers(), count
    try:
        yield
    finally:
        _state.workers = previous


def _inside_part():
    return getattr(_state, "inside", False)


def batch_parts(batch_size, work_per_sample, xp=np):
    """Slices of the batch, one per worker, each with at least MIN_WORK_PER_PART of work.

    One slice, the whole batch, when there is a single worker, too little work,
    the arrays are not NumPy's (a GPU runs its own parallelism), or the call
    comes from inside another op's part.
    """
    count = min(get_workers(), batch_size, int(batch_size * work_per_sample // MIN_WORK_PER_PART))
    if count <= 1 or xp is not np or _inside_part():
        return [slice(0, batch_size)]
    bounds = [batch_size * i // count for i in range(count + 1)]
    return [slice(begin, end) for begin, end in zip(bounds[:-1], bounds[1:])]


def run_parts(task, parts):
    """``[task(part) for part in parts]``, the parts computed at the same time; the first in this thread.

    Inside another part (a worker's pool is busy) the parts run one after another.
    """
    if len(parts) == 1 or _inside_part():
        return [task(part) for part in parts]
    flush = denormals.is_flushing()
    pool = _get_pool(len(parts) - 1)
    futures = [pool.submit(_run_in_worker, task, part, flush) for part in parts[1:]]
    try:
        first = _run_inside_part(task, parts[0])
    finally:  # never return (or raise) while another thread still writes into shared arrays
        for future in futures:
            future.exception()
    return [first] + [future.result() for future in futures]


def sum_parts(values):
    """The sum of the parts' arrays (a kernel's gradient, a batch statistic), in part order; no copy for one part."""
    values = iter(values)
    total = next(values)
    for value in values:
        total = total + value
    return total


def _run_in_worker(task, part, flush):
    """A part in a pool thread, with subnormals flushed there exactly when the calling thread flushes them."""
    with denormals.flush_denormals(flush):
        return _run_inside_part(task, part)


def _run_inside_part(task, part):
    previous, _state.inside = _inside_part(), True
    try:
        return task(part)
    finally:
        _state.inside = previous


def _get_pool(size):
    """A thread pool of at least ``size`` threads, made once and kept (threads sleep while idle).

    Several threads may run parts at once (a server predicting while another thread trains): the pool is
    replaced under a lock, and a smaller one it replaces is never shut down, since another thread may still
    be submitting to it; it ends when its last user lets go of it.
    """
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < size:
            _pool, _pool_size = ThreadPoolExecutor(max_workers=size, thread_name_prefix="glassnet-part"), size
        return _pool


def _forget_pool():
    """In a forked child the pool's threads do not exist: make a new pool (and lock) when one is needed."""
    global _pool, _pool_size, _pool_lock
    _pool, _pool_size, _pool_lock = None, 0, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
