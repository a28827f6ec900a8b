"""LambdaCallback: a callback made of plain functions, one per hook.

The functions are stored on the instance, so only the hooks given count as
implemented: a LambdaCallback with just ``on_epoch_end`` adds no work to
the training step.
"""

from glassnet.callbacks.callback import Callback


class LambdaCallback(Callback):
    """Build a simple callback on the fly (``keras.callbacks.LambdaCallback``).

    The functions are called with positional arguments, as the hooks are:
    ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch, logs)``,
    ``on_train_begin(logs)``, ``on_train_end(logs)``, and
    ``on_train_batch_begin(batch, logs)`` / ``on_train_batch_end(batch, logs)``
    (``logs`` passed by keyword). Any other hook of ``Callback`` can be given
    by name as a keyword argument, e.g. ``on_test_end=fn``.

    Example:
        >>> print_batch = LambdaCallback(on_train_batch_begin=lambda batch, logs: print(batch))
        >>> log = []
        >>> record = LambdaCallback(on_epoch_end=lambda epoch, logs: log.append(logs["loss"]))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        named = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_train_begin": on_train_begin,
                 "on_train_end": on_train_end, "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        for hook, function in named.items():
            if function is not None:
                setattr(self, hook, function)
