"""Keep freed array memory in the process while glassnet trains (glibc Linux).

Every training step allocates the same large arrays (window copies, outputs,
gradients) and frees them at the end of the step. glibc's malloc hands
blocks above 128 KB straight back to the kernel and asks for them again,
fresh, on the next step: each step then pays for the system calls and a page
fault for every 4 KB page it touches. On the MNIST convnet that was a third
of the step (measured: 33-41 ms per step with 2.3 s of system time, against
25-30 ms and 0.1 s with freed memory kept).

``keep_freed_memory()`` raises, for the duration of the block, the size
below which blocks come from malloc's own heap (``M_MMAP_THRESHOLD``, to its
32 MB maximum) and the free space it keeps before returning memory
(``M_TRIM_THRESHOLD``). On exit it returns the unused memory
(``malloc_trim``), so the process does not stay at its peak, and leaves the
thresholds where glibc's own adaptive rule takes them once a program has
freed a 32 MB block (32 MB and twice that). Setting them switches that rule
off for the rest of the process (glibc cannot read the old values back), and
glibc's starting values (128 KB) measured 45-51 ms per step.
Elsewhere (other C libraries) it does nothing.
"""

import contextlib
import sys
import threading

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
KEPT_MMAP_THRESHOLD = 32 * 1024 * 1024  # the largest glibc accepts on 64-bit machines
KEPT_TRIM_THRESHOLD = 1024 * 1024 * 1024  # while training
AFTER_TRIM_THRESHOLD = 2 * KEPT_MMAP_THRESHOLD  # glibc's adaptive rule: twice the mmap threshold

_libc = None
_depth = 0  # how many keep_freed_memory blocks are open, in any thread
_lock = threading.Lock()


def _load_libc():
    global _libc
    if _libc is None:
        import ctypes
        import platform

        _libc = False
        if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
            try:
                libc = ctypes.CDLL(None)
                if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim"):
                    _libc = libc
            except OSError:
                _libc = False
    return _libc


@contextlib.contextmanager
def keep_freed_memory(return_unused=True):
    """Within the block, freed blocks of up to 32 MB stay with the process for reuse.

    Blocks nest (a ``predict`` inside a callback of ``fit``): only the
    outermost exit lowers the trim threshold again, and returns unused memory
    if ``return_unused`` (single-batch calls such as ``train_on_batch`` say
    False: a loop of them would otherwise give the memory back every step).
    """
    global _depth
    libc = _load_libc()
    if not libc:
        yield False
        return
    with _lock:
        if _depth == 0:
            if not libc.mallopt(M_MMAP_THRESHOLD, KEPT_MMAP_THRESHOLD):
                libc = None
            else:
                libc.mallopt(M_TRIM_THRESHOLD, KEPT_TRIM_THRESHOLD)
        if libc:
            _depth += 1
    if not libc:
        yield False
        return
    try:
        yield True
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                libc.mallopt(M_TRIM_THRESHOLD, AFTER_TRIM_THRESHOLD)
                if return_unused:
                    libc.malloc_trim(0)
