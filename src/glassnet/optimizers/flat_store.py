"""Weights and optimizer slots stored back to back in one array per dtype.

An optimizer's update is a dozen element-wise NumPy calls per array. Done
per weight, a model with a few small biases pays those calls (and the
Python around them) for every bias. Stored back to back, the weights of a
model are one array: each call runs once, over everything.

``FlatStore`` copies the weights into one buffer and makes each Variable's
``data`` a view of its part, so layers, ``assign`` and ``set_weights`` keep
working on the same memory. Slots (Adam's moments) get buffers of the same
length, gradients are gathered into one more. If a Variable's ``data`` was
replaced from outside, ``intact()`` notices and the optimizer rebuilds.
"""

import numpy as np


class FlatVariable:
    """The whole buffer posing as one variable, for ``Optimizer.update_step``."""

    constraint = None
    path = "<all weights>"

    def __init__(self, data):
        self.data = data


class FlatStore:
    """The weights of one dtype, their gradients and their slots, each in one array."""

    def __init__(self, variables, build_slots, previous=None):
        self.variables = list(variables)
        dtype = self.variables[0].data.dtype
        sizes = [v.data.size for v in self.variables]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        total = int(self.offsets[-1])
        self.params = np.empty(total, dtype=dtype)
        self.grads = np.zeros(total, dtype=dtype)
        self.views = []
        for i, variable in enumerate(self.variables):
            view = self.params[self.offsets[i]:self.offsets[i + 1]].reshape(variable.data.shape)
            view[...] = variable.data
            variable.data = view
            self.views.append(view)
        self.grad_views = [self._part(self.grads, i) for i in range(len(self.variables))]
        self.flat = FlatVariable(self.params)
        self.slots = build_slots(self.flat)
        if previous is not None:
            self._copy_slots_from(previous)

    def _part(self, array, i):
        return array[self.offsets[i]:self.offsets[i + 1]].reshape(self.views[i].shape)

    def slot_views(self, i):
        """``{slot name: view}`` of the i-th variable's slots."""
        return {name: self._part(array, i) for name, array in self.slots.items()}

    def _copy_slots_from(self, previous):
        old = {id(v): i for i, v in enumerate(previous.variables)}
        for i, variable in enumerate(self.variables):
            j = old.get(id(variable))
            if j is None:
                continue
            new_views, old_views = self.slot_views(i), previous.slot_views(j)
            for name, view in new_views.items():
                if name in old_views:
                    view[...] = old_views[name]

    def intact(self):
        """True while every Variable still lives in this store's buffer."""
        return all(v.data is view for v, view in zip(self.variables, self.views))

    def gather(self, grads):
        """Copy the per-variable gradients into the flat gradient buffer."""
        for view, grad in zip(self.grad_views, grads):
            np.copyto(view, grad)
        return self.grads
