"""glassnet.distributed pieces that need no MPI: shard's order, the optimizer wrapper, lazy mpi4py, the rank filter."""

import subprocess
import sys

import numpy as np
import pytest

import glassnet as keras
import glassnet.distributed as hvd
from glassnet.callbacks.callback_list import CallbackList
from glassnet.distributed.callbacks import rank_zero_filter
from glassnet.distributed.sharding import shard_indices


def test_each_rank_gets_its_part_of_every_global_batch():
    assert shard_indices(10, 4, 0, 2).tolist() == [0, 1, 4, 5]  # the last, partial batch (8, 9) is dropped
    assert shard_indices(10, 4, 1, 2).tolist() == [2, 3, 6, 7]
    x, y = np.arange(12).reshape(6, 2), np.arange(6)
    x1, y1 = hvd.shard(x, y, batch_size=2, rank=1, size=2)
    assert y1.tolist() == [1, 3, 5] and x1.tolist() == [[2, 3], [6, 7], [10, 11]]
    parts = {"a": x, "b": [y, y]}
    got = hvd.shard(parts, batch_size=6, rank=2, size=3)
    assert got["a"].tolist() == [[8, 9], [10, 11]] and got["b"][1].tolist() == [4, 5]


def test_every_sample_of_the_whole_batches_goes_to_exactly_one_rank():
    taken = np.concatenate([shard_indices(100, 12, r, 4) for r in range(4)])
    assert sorted(taken.tolist()) == list(range(96))


@pytest.mark.parametrize("batch_size, message", [(5, "divisible"), (0, "positive"), (64, "no whole")])
def test_shard_refuses_unequal_parts(batch_size, message):
    with pytest.raises(ValueError, match=message):
        hvd.shard(np.zeros(40), batch_size=batch_size, rank=0, size=2)


def test_the_distributed_optimizer_is_the_wrapped_one_plus_the_all_reduce():
    adam = keras.optimizers.Adam(0.003, clipnorm=1.0)
    wrapped = hvd.DistributedOptimizer(adam)
    assert isinstance(wrapped, keras.optimizers.Adam)
    assert wrapped.get_config() == adam.get_config()
    again = type(wrapped).from_config(wrapped.get_config())
    assert again.get_config() == adam.get_config() and type(again) is type(wrapped)
    assert hvd.DistributedOptimizer(wrapped) is wrapped
    wrapped.learning_rate = 0.5
    assert adam.learning_rate == 0.5  # one state
    assert keras.optimizers.serialize(wrapped)["class_name"] == "Adam"
    with pytest.raises(TypeError, match="compression"):
        hvd.DistributedOptimizer("sgd", compression=None)


def test_rank_functions_before_init_say_what_to_do():
    if hvd.is_initialized():
        pytest.skip("MPI was initialized in this process")
    with pytest.raises(ValueError, match="init"):
        hvd.rank()


def test_importing_glassnet_and_glassnet_distributed_does_not_import_mpi4py():
    code = "import glassnet, glassnet.distributed, sys; print('mpi4py' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_ranks_other_than_0_drop_the_writing_callbacks(tmp_path):
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "m.weights.h5"), save_weights_only=True)
    kept = keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))
    kept.all_ranks = True
    stopping = keras.callbacks.EarlyStopping()
    given = [checkpoint, kept, stopping, keras.callbacks.TensorBoard(str(tmp_path))]
    assert rank_zero_filter(given) == [kept, stopping]
    from glassnet.callbacks import callback_list

    callback_list.rank_filter = rank_zero_filter
    try:
        listed = CallbackList(given, add_progbar=True)
    finally:
        callback_list.rank_filter = None
    assert listed.callbacks == [kept, stopping] and listed._progbar is None
