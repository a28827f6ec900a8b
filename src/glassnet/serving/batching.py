"""Stacking concurrent requests into one ``predict`` (``--batch-window-ms``).

The first request to arrive opens a window; every request that arrives
before it closes (or until ``max_batch`` instances wait) joins it. Requests
whose instances have the same shapes are concatenated along the batch axis,
predicted together in a worker thread, and each gets back its own rows --
the numbers it would get alone (up to float rounding: a matrix product may
sum in another order for another batch size), since inference treats rows
independently. TensorFlow Serving calls these
``batch_timeout_micros`` and ``max_batch_size``.
"""

import asyncio

import numpy as np


class Batcher:
    """Collects ``(arrays, future)`` pairs for ``window`` seconds, then predicts them as one batch."""

    def __init__(self, predict, window, max_batch=256):
        self.predict, self.window, self.max_batch = predict, window, max_batch
        self.pending, self.waiting, self.timer = [], 0, None

    async def submit(self, arrays):
        """The outputs ``{name: array}`` for ``arrays`` ``{name: array}``, predicted with whatever else came."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.pending.append((arrays, future))
        self.waiting += len(next(iter(arrays.values())))
        if self.waiting >= self.max_batch:
            self.flush()
        elif self.timer is None:
            self.timer = loop.call_later(self.window, self.flush)
        return await future

    def flush(self):
        """Close the window: start one predict per group of requests with the same shapes."""
        if self.timer is not None:
            self.timer.cancel()
        pending, self.pending, self.waiting, self.timer = self.pending, [], 0, None
        for group in _group_by_shapes(pending):
            asyncio.ensure_future(self._run(group))

    async def _run(self, group):
        loop = asyncio.get_running_loop()
        names = list(group[0][0])
        stacked = {name: np.concatenate([arrays[name] for arrays, _ in group]) for name in names}
        try:
            outputs = await loop.run_in_executor(None, self.predict, stacked)
        except Exception as error:  # every waiting request hears about it; the server goes on
            for _, future in group:
                if not future.done():
                    future.set_exception(error)
            return
        start = 0
        for arrays, future in group:
            stop = start + len(arrays[names[0]])
            if not future.done():  # a client that went away has a cancelled future
                future.set_result({name: array[start:stop] for name, array in outputs.items()})
            start = stop


def _group_by_shapes(pending):
    groups = {}
    for arrays, future in pending:
        key = tuple((name, array.shape[1:], array.dtype.str) for name, array in arrays.items())
        groups.setdefault(key, []).append((arrays, future))
    return list(groups.values())
