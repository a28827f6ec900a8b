"""An uncaught exception on any rank ends the whole job, with a clear message, instead of a hang.

Without this, a rank that raises exits while the others wait forever in
their next all-reduce. ``install()`` (called by ``init()``) chains
``sys.excepthook``: the traceback is printed as usual, then one line naming
the rank, and ``MPI.COMM_WORLD.Abort(1)`` makes ``mpirun`` end every rank.
"""

import sys
import traceback

_installed = False


def _hook(previous):
    def hook(kind, value, tb):
        from glassnet.distributed import communicator

        try:
            if kind is KeyboardInterrupt:
                previous(kind, value, tb)
            else:
                traceback.print_exception(kind, value, tb)
        finally:
            w = communicator._world
            where = f"rank {w.rank} of {w.size}" if w is not None else "a rank"
            print(f"glassnet.distributed: {where} raised {kind.__name__}: {value}. Ending the whole job "
                  "(MPI_Abort).", file=sys.stderr, flush=True)
            sys.stdout.flush()
            if w is not None:
                w.comm.Abort(1)
    return hook


def install():
    """Chain the abort onto ``sys.excepthook`` (once)."""
    global _installed
    if not _installed:
        sys.excepthook = _hook(sys.excepthook)
        _installed = True
