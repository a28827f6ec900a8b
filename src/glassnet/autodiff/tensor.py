"""Tensor: an array plus what autodiff needs to differentiate through it.

A Tensor holds ``data`` (a NumPy or CuPy array), ``requires_grad``, and, when
an op produced it while recording, ``creator`` (the Function node) and
``output_index`` (which of that node's outputs it is). Leaves that require
grad (weights) receive ``.grad`` after ``backward()``; intermediate tensors do
not keep gradients. Python operators (``+``, ``@``, ``[...]``) are attached
by ``glassnet.ops.operators``, because they are ops.
"""

import numpy as np


class Tensor:
    """An array in the autodiff graph.

    Example:
        >>> import glassnet as gn
        >>> x = gn.Tensor(np.array([1.0, 2.0]), requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        array([2., 4.])
    """

    __slots__ = ("data", "grad", "requires_grad", "creator", "output_index", "name", "_keras_mask", "__weakref__")
    __array_priority__ = 100  # ndarray <op> Tensor defers to Tensor's reflected operator

    def __init__(self, data, requires_grad=False, name=None):
        if type(data) is not np.ndarray:
            if isinstance(data, Tensor):
                data = data.data
            elif not hasattr(data, "__cuda_array_interface__"):
                data = np.asarray(data)
        self.data = data
        self.grad = None
        self.requires_grad = requires_grad
        self.creator = None
        self.output_index = 0
        self.name = name
        self._keras_mask = None  # which timesteps are real, attached by a layer that computes a mask (Keras' name)

    # --- array-like attributes -------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    def __len__(self):
        return len(self.data)

    def numpy(self):
        """Return the values as a NumPy array (a copy for CuPy data)."""
        data = self.data
        return data.get() if hasattr(data, "get") and not isinstance(data, np.ndarray) else data

    def item(self):
        """Return the value of a one-element tensor as a Python number."""
        return self.data.item()

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def __bool__(self):
        return bool(self.data)

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(np.asarray(self.numpy()), threshold=20)}, dtype={self.dtype}{grad})"

    # --- autodiff -----------------------------------------------------------
    @property
    def is_leaf(self):
        """True for tensors no recorded op produced (inputs and weights)."""
        return self.creator is None

    def backward(self, grad=None, retain_graph=False):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        ``grad`` defaults to 1 for a one-element tensor. The graph is freed
        afterwards unless ``retain_graph=True``.
        """
        from glassnet.autodiff.function import backward

        backward(self, grad, retain_graph=retain_graph)

    def detach(self):
        """Return a tensor with the same data and no history."""
        return Tensor(self.data)

    def zero_grad(self):
        """Forget the accumulated gradient."""
        self.grad = None
