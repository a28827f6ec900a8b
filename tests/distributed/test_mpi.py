"""glassnet.distributed under ``mpirun -np 2``: equality with one process, identical ranks, averaged metrics,
writers on rank 0, and a failing rank ending the job (each mpirun bounded by a timeout)."""

import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

pytest.importorskip("mpi4py", reason="glassnet.distributed needs mpi4py (pip install 'glassnet[mpi]')")
MPIRUN = shutil.which("mpirun")
pytestmark = pytest.mark.skipif(MPIRUN is None, reason="mpirun is missing (apt-get install openmpi-bin "
                                                       "libopenmpi-dev)")
WORKER = os.path.join(os.path.dirname(__file__), "_worker.py")
KINDS = ("mlp", "conv", "rnn", "attention")


def mpirun(scenario, out, timeout=90, env=None):
    """Run the worker on 2 ranks; returns (return code, output, seconds)."""
    command = [MPIRUN, "-np", "2", "--oversubscribe"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-run-as-root")
    environment = {**os.environ, "OMPI_MCA_btl_vader_single_copy_mechanism": "none", **(env or {})}
    for name in env or {}:
        command += ["-x", name]
    command += [sys.executable, WORKER, scenario, str(out)] if isinstance(scenario, str) else scenario
    start = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=environment)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"mpirun {scenario} did not end within {timeout} s: {error.stdout!r} {error.stderr!r}")
    return done.returncode, done.stdout + done.stderr, time.monotonic() - start


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("mpi")
    code, output, _ = mpirun("equality", out)
    assert code == 0, output
    results = [json.load(open(out / f"results{rank}.json")) for rank in (0, 1)]
    return out, output, results


@pytest.mark.parametrize("kind", KINDS)
def test_two_processes_equal_one_process_on_whole_batches(run, kind):
    _, _, results = run
    assert results[0][kind]["max_diff"] < 1e-5


@pytest.mark.parametrize("kind", KINDS + ("shuffled",))
def test_every_rank_holds_the_same_weights(run, kind):
    out = run[0]
    first, second = (np.load(out / f"{kind}_weights{rank}.npz") for rank in (0, 1))
    assert len(first.files) > 0
    for name in first.files:
        np.testing.assert_array_equal(first[name], second[name])


@pytest.mark.parametrize("kind", KINDS)
def test_epoch_metrics_are_averaged_over_ranks(run, kind):
    results = run[2]
    local = [results[rank][kind]["local"][0] for rank in (0, 1)]
    assert local[0]["loss"] != local[1]["loss"]  # each rank saw other samples
    for rank in (0, 1):
        averaged = results[rank][kind]["averaged"]
        for name in ("loss", "accuracy"):
            assert averaged[name][0] == pytest.approx((local[0][name] + local[1][name]) / 2, abs=1e-12)
    assert results[0][kind]["averaged"]["loss"][0] == pytest.approx(results[0][kind]["single_loss"], abs=1e-5)
    assert results[0][kind]["iterations"] == results[1][kind]["iterations"] == 4


def test_checkpoints_and_progress_come_from_rank_0_only(run):
    out, output, _ = run
    for kind in KINDS:
        assert (out / f"{kind}_rank0.weights.h5").exists()
        assert not (out / f"{kind}_rank1.weights.h5").exists()
        assert (out / f"{kind}_all0.weights.h5").exists() and (out / f"{kind}_all1.weights.h5").exists()
    assert output.count("Epoch 1/1") == len(KINDS)


def test_optimizer_state_and_config_survive_a_save(run):
    mlp = run[2][0]["mlp"]
    assert mlp["state_round_trip"] and mlp["config_round_trip"]
    assert mlp["loaded_class"] == "Adam"


def test_a_raising_rank_ends_the_job_with_its_error(tmp_path):
    code, output, seconds = mpirun("raise", tmp_path, timeout=60)
    assert code != 0
    assert "rank 1 of 2 raised ValueError: a bug in rank 1's callback" in output
    assert seconds < 30


def test_a_killed_rank_ends_the_job(tmp_path):
    code, output, seconds = mpirun("kill", tmp_path, timeout=60)
    assert code != 0
    assert "signal 9" in output
    assert seconds < 30


def test_a_stuck_rank_ends_the_job_after_the_timeout(tmp_path):
    code, output, seconds = mpirun("hang", tmp_path, timeout=60, env={"WORKER_TIMEOUT": "2"})
    assert code != 0
    assert "rank 0 of 2 waited more than 2 s" in output
    assert seconds < 30  # the stuck rank sleeps 60 s


def test_glassnet_train_distributed_under_mpirun(tmp_path):
    output_file = tmp_path / "digits.weights.h5"
    cli = [sys.executable, "-c", "import sys; from glassnet.cli import main; sys.exit(main())", "train",
           "--distributed", "--dataset", "digits", "--epochs", "1", "--batch-size", "32", "--seed", "1",
           "--verbose", "0", "--output", str(output_file)]
    code, output, _ = mpirun(cli, tmp_path, timeout=90)
    assert code == 0, output
    assert output.count("Test accuracy") == 1 and output.count("Saved the trained weights") == 1
    assert output_file.exists()
