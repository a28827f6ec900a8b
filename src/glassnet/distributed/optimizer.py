"""``DistributedOptimizer(optimizer)``: average the gradients over ranks, then the wrapped optimizer's update.

As Horovod does, the result is an instance of a subclass of the given
optimizer's class (``isinstance(opt, Adam)`` holds), sharing its state, so
that everything that reads an optimizer -- saving, ``learning_rate``
schedules, callbacks, ``LossScaleOptimizer`` -- sees the wrapped one. Only
``apply`` differs: every step

    buffer = [g_1, ..., g_n, has_1, ..., has_n]       one float32 array, reused
    Allreduce(IN_PLACE, buffer, SUM);  buffer /= size  (one collective per step)
    wrapped.apply([views of buffer])

``has_i`` counts the ranks where weight ``i`` got a gradient this step: a
weight with none anywhere stays ``None`` (untouched), as on one process.
Saved models and ``get_config`` name the wrapped class (a saved model loads
as a plain ``Adam``; wrap it again to go on training).
"""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.optimizers.optimizer import Optimizer

_classes = {}  # wrapped class -> its distributed subclass


class _Distributed:
    """The mix-in placed before the wrapped optimizer's class."""

    _distributed = True

    def apply(self, grads, trainable_variables=None):
        from glassnet.distributed import communicator

        grads = list(grads)
        if trainable_variables is None:
            trainable_variables = self._trainable_variables
        variables = list(trainable_variables)
        if communicator.size() == 1:
            return super().apply(grads, variables)
        arrays = [None if g is None else (g.data if isinstance(g, Tensor) else np.asarray(g)) for g in grads]
        buffer, views = self._gradient_buffer(variables, arrays)
        count = len(views)
        for view, array in zip(views, arrays):
            if array is None:
                view[...] = 0
            else:
                view[...] = array
        present = buffer[-count:] if count else buffer[:0]
        present[...] = [array is not None for array in arrays]
        communicator.allreduce_sum(buffer)
        buffer *= buffer.dtype.type(1.0 / communicator.size())
        averaged = [view if has > 0 else None for view, has in zip(views, present)]
        return super().apply(averaged, variables)

    def _gradient_buffer(self, variables, arrays):
        """One buffer for all gradients (float32 unless a weight is wider) and a view per weight, reused."""
        dtype = np.result_type(np.float32, *(v.data.dtype for v in variables)) if variables else np.float32
        layout = (dtype, tuple(v.data.shape for v in variables))
        cached = self.__dict__.get("_allreduce_buffer")
        if cached is not None and cached[0] == layout:
            return cached[1], cached[2]
        sizes = [int(np.prod(shape)) for shape in layout[1]]
        buffer = np.zeros(sum(sizes) + len(sizes), dtype=dtype)
        views, start = [], 0
        for shape, size in zip(layout[1], sizes):
            views.append(buffer[start:start + size].reshape(shape))
            start += size
        self.__dict__["_allreduce_buffer"] = (layout, buffer, views)
        return buffer, views

    def broadcast_state(self, root_rank=0):
        """Give every rank ``root_rank``'s optimizer state (step count and slots), in place."""
        from glassnet.distributed import communicator

        count = np.array([self.iterations, int(self.built)], dtype=np.int64)
        communicator.broadcast(count, root_rank, "the optimizer's step count")
        self.iterations = int(count[0])
        store = self.__dict__.get("_store")
        inner = getattr(self, "inner_optimizer", None)  # a LossScaleOptimizer's
        if inner is not None:
            store = inner._store
            inner.iterations = int(count[0])
            scale = np.array([self.dynamic_scale, self.step_counter], dtype=np.float64)
            communicator.broadcast(scale, root_rank, "the loss scale")
            self.dynamic_scale, self.step_counter = np.float32(scale[0]), int(scale[1])
        if store is not None:
            for array in store.slots.values():
                _broadcast_into(array, root_rank, "the optimizer's slots")


def _broadcast_into(array, root_rank, what):
    """Broadcast into ``array`` in place, through a contiguous copy when it is a strided view."""
    from glassnet.distributed import communicator

    if array.flags.c_contiguous:
        communicator.broadcast(array, root_rank, what)
    else:
        copy = np.ascontiguousarray(array)
        communicator.broadcast(copy, root_rank, what)
        array[...] = copy


def DistributedOptimizer(optimizer, **kwargs):
    """``optimizer`` (an Optimizer instance, or a name such as "adam") made to average gradients over all ranks."""
    from glassnet import optimizers

    if kwargs:
        raise TypeError(f"DistributedOptimizer got unexpected keyword argument(s) {sorted(kwargs)} (Horovod's "
                        "compression and sparse options do not apply here)")
    optimizer = optimizers.get(optimizer)
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"DistributedOptimizer expects an optimizer, got {optimizer!r}")
    if getattr(optimizer, "_distributed", False):
        return optimizer
    base = type(optimizer)
    cls = _classes.get(base)
    if cls is None:
        cls = type(f"Distributed{base.__name__}", (_Distributed, base), {
            "__module__": base.__module__, "__doc__": base.__doc__,
            "keras_class_name": base.__dict__.get("keras_class_name", base.__name__),
        })
        _classes[base] = cls
    distributed = object.__new__(cls)
    distributed.__dict__ = optimizer.__dict__  # one state: the wrapped optimizer and this one stay in step
    return distributed
