"""The MPI world of a data-parallel run: who am I, how many are we, and the two collectives training needs.

``init()`` imports mpi4py (only then: ``import glassnet`` and ``import
glassnet.distributed`` stay free of it), takes ``MPI.COMM_WORLD``, splits off
the ranks sharing this machine (``local_rank``/``local_size``) and installs
the abort-on-error hook (``abort.py``). ``allreduce_sum(buffer)`` and
``broadcast(array, root)`` work in place on NumPy arrays.

Waits are bounded: the all-reduce is started non-blocking (``Iallreduce``)
and polled; a rank that waits longer than ``timeout`` seconds (``init(timeout=...)``,
or the environment variable ``GLASSNET_MPI_TIMEOUT``; 300 by default, None
for no bound) prints which collective it waited for and ends the whole job
with ``MPI.COMM_WORLD.Abort``, instead of hanging on a rank that is stuck.
A rank that dies is caught by ``mpirun`` itself, which ends the others.
"""

import os
import sys
import time

DEFAULT_TIMEOUT = 300.0

_world = None  # the _World once init() ran


class _World:
    def __init__(self, MPI, comm, timeout):
        self.MPI = MPI
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        local = comm.Split_type(MPI.COMM_TYPE_SHARED, key=self.rank)
        self.local_rank = local.Get_rank()
        self.local_size = local.Get_size()
        local.Free()
        self.timeout = timeout
        self.collectives = 0  # how many collectives ran (named in the timeout message)


def _timeout_from_env():
    text = os.environ.get("GLASSNET_MPI_TIMEOUT")
    if text is None:
        return DEFAULT_TIMEOUT
    if text.strip().lower() in ("", "none", "0"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"GLASSNET_MPI_TIMEOUT must be a number of seconds or 'none', got {text!r}") from None
    return value if value > 0 else None


def init(timeout="env", abort_on_error=True):
    """Start MPI (through mpi4py) for this process; calling it again changes only ``timeout``.

    ``timeout``: the longest wait, in seconds, for one collective before the
    job is ended (None: wait forever); ``abort_on_error``: an uncaught
    exception on any rank ends the whole job (``MPI.COMM_WORLD.Abort``).
    """
    global _world
    if timeout == "env":
        timeout = _timeout_from_env()
    elif timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    if _world is not None:
        _world.timeout = timeout
        return
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise ImportError("glassnet.distributed needs mpi4py and an MPI library: apt-get install openmpi-bin "
                          "libopenmpi-dev, then pip install 'glassnet[mpi]'") from error
    _world = _World(MPI, MPI.COMM_WORLD, timeout)
    if abort_on_error:
        from glassnet.distributed.abort import install

        install()
    if _world.rank != 0 and _world.size > 1:
        from glassnet.distributed.callbacks import install_rank_filter

        install_rank_filter()


def is_initialized():
    return _world is not None


def world():
    """The initialized world, or a clear error."""
    if _world is None:
        raise ValueError("glassnet.distributed has not been initialized: call glassnet.distributed.init() first")
    return _world


def rank():
    """This process's rank in the job, 0 .. size() - 1."""
    return world().rank


def size():
    """How many processes the job has."""
    return world().size


def local_rank():
    """This process's rank among those on the same machine."""
    return world().local_rank


def local_size():
    """How many processes of the job run on this machine."""
    return world().local_size


def _wait(request, what):
    """Wait for ``request``, at most the world's timeout; past it, say so and end the job."""
    w = world()
    w.collectives += 1
    if w.timeout is None:
        request.Wait()
        return
    deadline = None
    spins = 0
    while not request.Test():
        spins += 1
        if spins < 2000:
            continue  # a short spin: most waits end within microseconds of the slowest rank
        now = time.monotonic()
        if deadline is None:
            deadline = now + w.timeout
        elif now > deadline:
            message = (f"glassnet.distributed: rank {w.rank} of {w.size} waited more than {w.timeout:g} s for "
                       f"{what} (collective #{w.collectives}); another rank is stuck or died. Ending the job.")
            print(message, file=sys.stderr, flush=True)
            w.comm.Abort(3)
        time.sleep(0.0005 if spins > 20000 else 0)


def allreduce_sum(buffer, what="the gradient all-reduce"):
    """Sum ``buffer`` (a contiguous NumPy array) over all ranks, in place."""
    w = world()
    if w.size == 1:
        return buffer
    _wait(w.comm.Iallreduce(w.MPI.IN_PLACE, buffer, op=w.MPI.SUM), what)
    return buffer


def broadcast(array, root=0, what="a broadcast"):
    """Copy ``array`` (contiguous) from rank ``root`` into every rank's ``array``, in place."""
    w = world()
    if not 0 <= root < w.size:
        raise ValueError(f"root_rank must be from 0 to {w.size - 1}, got {root!r}")
    if w.size == 1:
        return array
    _wait(w.comm.Ibcast(array, root=root), what)
    return array


def allgather_object(value, what="an all-gather"):
    """Every rank's ``value`` (small picklable objects: shapes, names), as a list by rank."""
    w = world()
    if w.size == 1:
        return [value]
    return w.comm.allgather(value)


def barrier():
    w = world()
    if w.size > 1:
        _wait(w.comm.Ibarrier(), "a barrier")
