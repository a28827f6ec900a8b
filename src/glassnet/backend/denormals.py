"""Treat subnormal floats as zero while glassnet computes (x86-64 Linux).

Numbers below 1.2e-38 in float32 ("subnormals") are handled by slow
microcode: an element-wise op on them runs 15 to 50 times slower. Training
makes them: Adam's first moment decays by 0.9 per step, so the moments of
rarely used weights (MNIST's border pixels) sink into that range within a
thousand steps and every later Adam update slows down several-fold.

TensorFlow runs with flush-to-zero for this reason. ``flush_denormals()``
sets the FTZ and DAZ bits of the SSE control register (MXCSR) of the calling
thread through the C library's ``fegetenv``/``fesetenv``, and restores the
previous state on exit. Elsewhere (other CPUs or C libraries) it does
nothing. Results change only for values below 1.2e-38, which become 0.
The register belongs to one thread: ops that split their batch over threads
set it in their worker threads too while ``is_flushing()`` (backend/parallel.py).
"""

import contextlib
import sys
import threading

_FTZ_DAZ = 0x8040  # MXCSR bits 15 (flush to zero) and 6 (denormals are zero)
_MXCSR_OFFSET = 28  # where glibc's x86-64 fenv_t keeps the MXCSR copy
_FENV_SIZE = 32

_libm = None
_state = threading.local()  # .flushing: whether this thread's innermost flush_denormals block flushes


def is_flushing():
    """Whether this thread runs with subnormals flushed now (inside ``flush_denormals``)."""
    return getattr(_state, "flushing", False)


def _load_libm():
    global _libm
    if _libm is None:
        import ctypes
        import ctypes.util
        import platform

        _libm = False
        if sys.platform.startswith("linux") and platform.machine() in ("x86_64", "AMD64"):
            name = ctypes.util.find_library("m")
            if name:
                try:
                    _libm = ctypes.CDLL(name)
                except OSError:
                    _libm = False
    return _libm


@contextlib.contextmanager
def flush_denormals(flush=True):
    """Within the block, subnormal float inputs and results are taken as zero in this thread.

    ``flush=False`` clears the two bits instead (a worker thread following a
    caller that does not flush). Yields whether the register was set.
    """
    import ctypes
    import struct

    libm = _load_libm()
    saved = ctypes.create_string_buffer(_FENV_SIZE) if libm else None
    if not libm or libm.fegetenv(saved) != 0:
        yield False
        return
    changed = ctypes.create_string_buffer(saved.raw, _FENV_SIZE)
    mxcsr = struct.unpack_from("<I", saved.raw, _MXCSR_OFFSET)[0]
    struct.pack_into("<I", changed, _MXCSR_OFFSET, mxcsr | _FTZ_DAZ if flush else mxcsr & ~_FTZ_DAZ)
    libm.fesetenv(changed)
    previous, _state.flushing = is_flushing(), flush
    try:
        yield True
    finally:
        _state.flushing = previous
        libm.fesetenv(saved)
