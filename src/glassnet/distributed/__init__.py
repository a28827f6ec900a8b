"""Data-parallel training over MPI, with Horovod's Keras names (``pip install 'glassnet[mpi]'``).

    import glassnet as keras
    import glassnet.distributed as hvd

    hvd.init()
    keras.utils.set_random_seed(1)                     # the same seed on every rank
    x_r, y_r = hvd.shard(x, y, batch_size=128)         # this rank's part of every global batch of 128
    model.compile(optimizer=hvd.DistributedOptimizer(keras.optimizers.Adam()), loss=...)
    model.fit(x_r, y_r, batch_size=128 // hvd.size(), shuffle=False,
              callbacks=[hvd.callbacks.BroadcastGlobalVariablesCallback(0),
                         hvd.callbacks.MetricAverageCallback()])

    mpirun -np 2 python train.py

Every rank computes the gradients of its part of a global batch; one
all-reduce per step averages them; the wrapped optimizer applies the mean
on every rank alike. Started from the same weights (the broadcast, before
the first step) and given equal parts of each global batch (``shard``),
the ranks' weights stay identical and equal a one-process run's.

Modules: ``communicator`` (init, rank, size, the bounded collectives),
``optimizer`` (DistributedOptimizer), ``callbacks``, ``sharding`` (shard),
``abort`` (an uncaught exception ends the whole job). mpi4py is imported
by ``init()`` only.
"""

from glassnet.distributed import callbacks
from glassnet.distributed.communicator import (
    allreduce_sum, barrier, broadcast, init, is_initialized, local_rank, local_size, rank, size,
)
from glassnet.distributed.optimizer import DistributedOptimizer
from glassnet.distributed.sharding import shard

__all__ = ["init", "is_initialized", "rank", "size", "local_rank", "local_size", "DistributedOptimizer",
           "callbacks", "shard", "allreduce_sum", "broadcast", "barrier"]
