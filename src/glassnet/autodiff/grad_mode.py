"""Whether operations are recorded for differentiation.

Inside ``with no_grad():`` ops compute their result and record nothing, so
``predict`` and ``evaluate`` build no graph and keep no activations alive.
The switch belongs to the calling thread (``glassnet.state``): a ``predict``
in one thread never stops another thread's ``fit`` from recording.
"""

import functools

from glassnet.state import current


def is_grad_enabled():
    """True when new operations are being recorded on the tape in this thread."""
    return current.grad_enabled


class _GradMode:
    """A context manager and decorator that sets recording on or off in the calling thread."""

    mode = True

    def __enter__(self):
        self._previous = current.grad_enabled
        current.grad_enabled = self.mode
        return self

    def __exit__(self, *exc_info):
        current.grad_enabled = self._previous
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Record nothing: ``with no_grad(): y = model(x)``, or ``@no_grad()``."""

    mode = False


class enable_grad(_GradMode):
    """Record again inside an enclosing ``no_grad`` block."""

    mode = True
