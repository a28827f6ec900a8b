"""The process-wide speed settings, entered and left in one place around fit/evaluate/predict.

Four settings make the CPU loop fast; each is a switch in
``glassnet.config.set_speed_options`` and each is undone on the way out.
Importing glassnet changes none of them.

==================  =====================================  =================================
setting             what it changes                        whose it is
==================  =====================================  =================================
blas_threads        BLAS's thread count (threadpoolctl)    the process: the first loop to
                                                           enter sets it, the last to leave
                                                           puts it back
batch_splitting     ops split a batch over worker threads  the calling thread
                    (backend/parallel.py)
flush_denormals     subnormal floats as zero (MXCSR,       the calling thread (a CPU
                    backend/denormals.py)                  register is per thread)
keep_freed_memory   malloc thresholds (backend/            the process: counted, the last
                    allocator.py)                          to leave restores and trims
==================  =====================================  =================================

Two threads may enter at once (a server predicting while another thread
trains): per-thread settings cannot meet, and the process-wide ones are
counted under a lock, so neither thread undoes the other's settings while
it still runs, and the process ends with the values it had before.
"""

import contextlib
import threading

from glassnet import config

_blas_lock = threading.Lock()
_blas_users = 0  # loops running inside a BLAS limit, in any thread
_blas_limiter = None  # the threadpoolctl limiter the first of them entered
_blas_controller = None  # threadpoolctl's view of the loaded BLAS libraries, found once (a scan costs ~0.5 ms)


@contextlib.contextmanager
def _limit_blas_threads(count):
    """BLAS on ``count`` threads while any loop runs (None: leave it); the first loop's count holds."""
    global _blas_users, _blas_limiter, _blas_controller
    if count is None:
        yield
        return
    with _blas_lock:
        if _blas_users == 0:
            if _blas_controller is None:
                from threadpoolctl import ThreadpoolController

                _blas_controller = ThreadpoolController()
            _blas_limiter = _blas_controller.limit(limits=count, user_api="blas")
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


@contextlib.contextmanager
def speed_settings(blas_threads, batch_parts, return_memory=True):
    """Apply the four settings (those switched on in ``glassnet.config``) for the block.

    ``blas_threads`` and ``batch_parts`` are the loop's choice for its model
    (trainers/threads.py); ``return_memory`` says whether leaving returns
    freed memory to the system (single-batch calls say False).
    """
    from glassnet.backend.allocator import keep_freed_memory  # imported here: kept out of `import glassnet`
    from glassnet.backend.denormals import flush_denormals
    from glassnet.backend.parallel import use_workers

    options = config.speed_options()
    parts = batch_parts if options["batch_splitting"] else 1
    with contextlib.ExitStack() as stack:
        stack.enter_context(_limit_blas_threads(blas_threads))
        stack.enter_context(use_workers(parts))
        if options["flush_denormals"]:
            stack.enter_context(flush_denormals())
        if options["keep_freed_memory"]:
            stack.enter_context(keep_freed_memory(return_memory))
        yield
