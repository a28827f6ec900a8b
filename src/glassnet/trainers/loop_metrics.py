"""Loops that run at the same time on one model, in different threads, each with its own metrics.

The compiled metrics and loss trackers are state on the model: ``fit`` resets
and updates them at every step. An ``evaluate`` in another thread meanwhile
would reset and update the same objects, and so change ``fit``'s logs and
everything that reads them (EarlyStopping, ReduceLROnPlateau, the History).
A loop (fit, evaluate, train_on_batch, test_on_batch) that starts while
another thread is inside a loop on the same model therefore runs on a view
of the model: the same layers, weights and optimizer, with its own copies of
the metrics. The first loop keeps the model's own metrics, so a program with
one thread sees exactly what Keras shows. ``predict`` has no metrics and
needs no view. Two threads training one model at once would mix their
gradients in the shared weights and optimizer: the second is refused.
"""

import contextlib
import copy
import threading

_lock = threading.Lock()
METRIC_ATTRIBUTES = ("_loss_tracker", "_compile_metrics", "_compile_loss")


@contextlib.contextmanager
def loop_model(model, training=False):
    """Yield ``model``, or a view with its own metrics when another thread runs a loop on ``model`` now.

    A training loop (``training``) while another thread trains the same model raises a ValueError.
    """
    me = threading.get_ident()
    with _lock:
        running = model.__dict__.setdefault("_loop_threads", {})  # thread id -> loops it runs (shared by views)
        trainers = model.__dict__.setdefault("_training_threads", {})  # thread id -> training loops it runs
        if training and any(thread != me for thread in trainers):
            raise ValueError(f"Model '{model.name}' is being trained by another thread: train one model from one "
                             "thread at a time (predict and evaluate from other threads are fine)")
        alone = all(thread == me for thread in running)
        running[me] = running.get(me, 0) + 1
        if training:
            trainers[me] = trainers.get(me, 0) + 1
    try:
        yield model if alone else view_with_own_metrics(model)
    finally:
        with _lock:
            for table, counted in ((running, True), (trainers, training)):
                if counted:
                    table[me] -= 1
                    if not table[me]:
                        del table[me]


def view_with_own_metrics(model):
    """A shallow copy of ``model`` (same layers and weights) whose metrics are fresh copies."""
    view = copy.copy(model)
    for name in METRIC_ATTRIBUTES:
        object.__setattr__(view, name, copy.deepcopy(getattr(model, name)))
    object.__setattr__(view, "_log_entries", None)
    return view
