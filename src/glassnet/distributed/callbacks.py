"""The callbacks of a data-parallel run (Horovod's names), and which callbacks write on which rank.

``BroadcastGlobalVariablesCallback(root_rank=0)`` copies the root's weights
(and optimizer state) to every rank in ``on_train_begin``, before the first
step -- Horovod does it after the first batch, so its first step mixes
different weights; here a run on n ranks equals the one-process run.
``MetricAverageCallback()`` replaces each number in the epoch logs by its
mean over the ranks; put it before the callbacks that read the logs
(EarlyStopping, ReduceLROnPlateau, ModelCheckpoint) so that they decide
alike on every rank.

On ranks other than 0, ``init()`` installs a filter in ``CallbackList``:
the progress bar, ``ModelCheckpoint``, ``TensorBoard`` and ``CSVLogger``
run on rank 0 only, so one process prints and writes. A callback with
``all_ranks = True`` set on it runs everywhere.
"""

import numpy as np

from glassnet.callbacks.callback import Callback

WRITERS = ("ProgbarLogger", "ModelCheckpoint", "TensorBoard", "CSVLogger")


def _is_writer(callback):
    if getattr(callback, "all_ranks", False):
        return False
    return any(kind.__name__ in WRITERS and kind.__module__.startswith("glassnet.callbacks")
               for kind in type(callback).__mro__)


def rank_zero_filter(callbacks):
    """``callbacks`` without the writing ones (for ranks other than 0)."""
    return [c for c in callbacks if not _is_writer(c)]


def install_rank_filter():
    from glassnet.callbacks import callback_list

    callback_list.rank_filter = rank_zero_filter


class BroadcastGlobalVariablesCallback(Callback):
    """Every rank starts from ``root_rank``'s weights and optimizer state (``on_train_begin``)."""

    def __init__(self, root_rank=0, *args, **kwargs):
        super().__init__()
        if isinstance(root_rank, bool) or not isinstance(root_rank, (int, np.integer)) or root_rank < 0:
            raise ValueError(f"root_rank must be a rank (an integer >= 0), got {root_rank!r}")
        self.root_rank = int(root_rank)
        self.broadcast_done = False

    def on_train_begin(self, logs=None):
        broadcast_variables(self.model, self.root_rank)
        self.broadcast_done = True


def broadcast_variables(model, root_rank=0):
    """Copy ``root_rank``'s weights (all of them, trainable or not) and optimizer state to every rank."""
    from glassnet.distributed import communicator
    from glassnet.distributed.optimizer import _broadcast_into

    weights = model.weights
    shapes = communicator.allgather_object([tuple(w.data.shape) for w in weights])
    if any(s != shapes[root_rank] for s in shapes):
        raise ValueError("BroadcastGlobalVariablesCallback: the ranks hold different models (weight shapes "
                         f"differ between ranks: {len(shapes[root_rank])} weights on rank {root_rank}); build the "
                         "same model on every rank")
    for weight in weights:
        _broadcast_into(weight.data, root_rank, f"the weight {weight.path or weight.name}")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return
    if not optimizer.built:
        trainable = model.trainable_weights
        if trainable:
            optimizer.build(trainable)  # the state exists now, so it can be sent before the first step
    if hasattr(optimizer, "broadcast_state"):
        optimizer.broadcast_state(root_rank)


class MetricAverageCallback(Callback):
    """Each number in the epoch logs becomes its mean over all ranks (``on_epoch_end``)."""

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        averaged = average_logs(logs)
        logs.update(averaged)


def average_logs(logs):
    """``{name: mean over ranks}`` for the numbers in ``logs`` (every rank must log the same names)."""
    from glassnet.distributed import communicator

    names = sorted(k for k, v in logs.items() if isinstance(v, (int, float, np.number)) and not isinstance(v, bool))
    everyone = communicator.allgather_object(names)
    if any(other != names for other in everyone):
        raise ValueError(f"MetricAverageCallback: the ranks log different metrics: {everyone}")
    values = np.array([float(logs[k]) for k in names], dtype=np.float64)
    communicator.allreduce_sum(values, "the metric average")
    values /= communicator.size()
    return {k: float(v) for k, v in zip(names, values)}
