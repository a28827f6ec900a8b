"""Ctrl-C during ``fit``: finish the current step, stop, keep the model and history, say so.

Python raises KeyboardInterrupt wherever the program happens to be, possibly
halfway through an optimizer update. Instead, while ``fit`` runs, the first
Ctrl-C only sets a flag that the loop reads between steps; a second Ctrl-C
interrupts at once, as usual. Outside the main thread, where signal handlers
cannot be set, Ctrl-C behaves as usual.
"""

import contextlib
import signal
import threading


class InterruptFlag:
    """Set by the first Ctrl-C; read by the training loop after each step."""

    def __init__(self):
        self.raised = False

    def __bool__(self):
        return self.raised


@contextlib.contextmanager
def graceful_interrupt():
    """Within the block, the first SIGINT sets the yielded flag instead of raising."""
    flag = InterruptFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        if flag.raised:  # a second Ctrl-C: stop right now
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        flag.raised = True

    signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)
