"""The running state of glassnet: one copy per thread.

Everything that changes while a model runs lives here, in one
``threading.local`` (as Keras 3 keeps its global state): a server predicting
in eight threads while a ninth trains the same model gives every thread what
it would get alone, and no flag set by one thread is seen by another.

    grad_enabled     whether ops are recorded on the tape (``no_grad`` turns it off)
    training         the ``training`` flag of the layer call in progress (None outside calls),
                     handed to nested layers that are called without one, as Keras' call context
    call_depth       how many layer calls are running (0: the next call is an outermost one)
    losses           {layer: [loss tensors]} added with ``add_loss`` in each layer's last outermost call
                     (weak keys: a layer that is gone takes its losses with it)
    forward_hooks    callables ``hook(layer, inputs, outputs)`` run after every layer call
    anomaly_trace    the ``detect_anomaly`` trace in effect, or None
    dropout_masks    {(id(cell), "input" or "recurrent"): mask} drawn by recurrent cells for the call in progress
    plan_trace       the ``autodiff.plan.Tracer`` recording a training step to compile, or None

Process-wide things stay process-wide: layer-name counters (as in Keras),
``glassnet.config`` and the random generator. ``clear_session`` resets the
calling thread's state. This module imports nothing of glassnet, so every
layer of the package may read it.
"""

import threading
import weakref


class RunningState(threading.local):
    """The per-thread fields listed in the module docstring, at their starting values in each new thread."""

    def __init__(self):
        self.grad_enabled = True
        self.training = None
        self.call_depth = 0
        self.losses = weakref.WeakKeyDictionary()
        self.forward_hooks = ()
        self.anomaly_trace = None
        self.dropout_masks = {}
        self.plan_trace = None


current = RunningState()


def reset():
    """Put the calling thread's state back to its starting values (``clear_session``)."""
    current.__init__()
