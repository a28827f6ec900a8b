"""Finding the first operation that produced a NaN or an infinity.

    with glassnet.autodiff.detect_anomaly() as trace:
        loss = model.compute_loss(y=y, y_pred=model(x, training=True))
        loss.backward()
    print(trace.describe())

While a trace is active, every op checks its outputs (forward) and the
gradients it returns (backward); the first non-finite one is remembered with
the op, the layer it ran in, and the range of its inputs. This costs a pass
over every array, so it is for diagnosis, not for every training step.
"""

import contextlib

import numpy as np

from glassnet.state import current


def _finite(array):
    return not (hasattr(array, "dtype") and array.dtype.kind == "f") or bool(np.isfinite(array).all())


def _range(arrays):
    """(min, max) over the float arrays given, ignoring non-finite values."""
    values = [np.asarray(a) for a in arrays if hasattr(a, "dtype") and a.dtype.kind == "f" and a.size]
    finite = [v[np.isfinite(v)] for v in values]
    finite = [v for v in finite if v.size]
    if not finite:
        return None
    return float(min(v.min() for v in finite)), float(max(v.max() for v in finite))


class Anomaly:
    """Where a NaN or infinity first appeared."""

    def __init__(self, phase, op, layer, kind, input_range):
        self.phase, self.op, self.layer, self.kind, self.input_range = phase, op, layer, kind, input_range

    def __repr__(self):
        return f"<Anomaly {self.kind} in {self.phase} of {self.op} (layer {self.layer})>"


class AnomalyTrace:
    """Records the first forward and the first backward op with non-finite results."""

    def __init__(self):
        self.forward = None
        self.backward = None
        self.layers = []  # the layers being called, innermost last

    def enter_layer(self, layer):
        self.layers.append(layer)

    def exit_layer(self):
        self.layers.pop()

    def current_layer(self):
        return self.layers[-1] if self.layers else None

    def after_forward(self, fn, inputs, outputs):
        layer = self.current_layer()
        fn.anomaly_layer = layer
        if self.forward is None:
            results = outputs if isinstance(outputs, tuple) else (outputs,)
            for result in results:
                if not _finite(result):
                    kind = "NaN" if np.isnan(result).any() else "infinity"
                    self.forward = Anomaly("forward", type(fn).__name__, layer, kind, _range(inputs))
                    break

    def after_backward(self, fn, grads):
        if self.backward is not None:
            return
        for grad in grads:
            if grad is not None and not _finite(grad):
                kind = "NaN" if np.isnan(grad).any() else "infinity"
                self.backward = Anomaly("backward", type(fn).__name__, getattr(fn, "anomaly_layer", None), kind,
                                        None)
                return

    @property
    def first(self):
        return self.forward or self.backward

    def describe(self):
        """One sentence: where the first NaN/infinity appeared, or that none did."""
        anomaly = self.first
        if anomaly is None:
            return "No NaN or infinity appeared in the forward or backward pass."
        where = f"in layer '{anomaly.layer.name}' ({type(anomaly.layer).__name__})" if anomaly.layer else "outside any layer"
        text = f"The first {anomaly.kind} appeared in the {anomaly.phase} pass of the {anomaly.op} op {where}"
        if anomaly.input_range:
            low, high = anomaly.input_range
            text += f"; its finite inputs ranged from {low:.3g} to {high:.3g}"
        return text + "."


@contextlib.contextmanager
def detect_anomaly():
    """Trace ops for the first NaN or infinity (forward, then backward) within the block, in this thread.

    The trace is per thread (``glassnet.state``): ops other threads run meanwhile are not traced.
    """
    previous = current.anomaly_trace
    trace = current.anomaly_trace = AnomalyTrace()
    try:
        yield trace
    finally:
        current.anomaly_trace = previous
