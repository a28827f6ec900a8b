"""TerminateOnNaN: stop training as soon as a batch's loss is NaN or infinite.

It looks at ``logs["loss"]`` after every training batch (a float comparison,
so it costs next to nothing per step). By default it prints the batch and
sets ``model.stop_training``, so the epoch ends and every callback's
``on_train_end`` still runs; ``raise_error=True`` raises a RuntimeError at
once instead.
"""

import numpy as np

from glassnet.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Terminate training when a NaN or inf loss is met (``keras.callbacks.TerminateOnNaN``).

    Args:
        raise_error: False (default) stops gracefully through ``model.stop_training``;
            True raises a RuntimeError, skipping the other callbacks' ``on_train_end``.

    Example:
        >>> callback = TerminateOnNaN()
        >>> # model.fit(x, y, callbacks=[callback]) ends at the first non-finite loss
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        """Check the loss of the batch just trained (``on_train_batch_end`` forwards here, as in Keras)."""
        loss = logs.get("loss") if logs else None
        if loss is None:
            return
        if type(loss) is float:  # the usual case, in one float operation: nan - nan and inf - inf are nan
            if loss - loss == 0.0:
                return
        elif not (np.isnan(loss) or np.isinf(loss)):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                "Terminating training immediately."
            )
        print(f"Batch {batch}: Invalid loss, terminating training", flush=True)
        self.model.stop_training = True
