"""Variable: a Tensor that is state — a weight, a bias, a moving statistic.

Variables are leaves of the graph. A trainable variable requires grad; a
non-trainable one (BatchNormalization's moving mean) never does. ``assign``
writes in place, so optimizers and views that hold the buffer stay valid.
"""

import numpy as np

from glassnet.autodiff.tensor import Tensor


class Variable(Tensor):
    """A named, possibly trainable, in-place-updated tensor (``keras.Variable``)."""

    __slots__ = ("_trainable", "regularizer", "constraint", "path")

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None,
                 regularizer=None, constraint=None):
        from glassnet import config

        dtype = dtype or config.floatx()
        if callable(initializer):
            if shape is None:
                raise ValueError(f"Variable {name!r}: an initializer needs a shape")
            value = initializer(tuple(shape), dtype=dtype)
        else:
            value = initializer
        value = np.array(value, dtype=dtype) if not hasattr(value, "dtype") else value.astype(dtype, copy=True)
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ValueError(
                f"Variable {name!r}: expected shape {tuple(shape)}, the initial value has {value.shape}"
            )
        super().__init__(value, requires_grad=bool(trainable), name=name)
        self._trainable = bool(trainable)
        self.regularizer = regularizer
        self.constraint = constraint
        self.path = name

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        self.requires_grad = self._trainable

    @property
    def value(self):
        """The variable as a backend tensor, as in Keras 3: ``v.value.grad`` is its gradient (``v.numpy()``
        or ``v.data`` give the array)."""
        return self

    def assign(self, value):
        """Overwrite the values in place; the shape must match exactly."""
        value = value.data if isinstance(value, Tensor) else value
        if np.shape(value) != self.data.shape:
            raise ValueError(
                f"Variable {self.name!r} has shape {self.data.shape}, cannot assign a value of shape "
                f"{np.shape(value)}"
            )
        self.data[...] = value
        return self

    def assign_add(self, delta):
        self.data += delta.data if isinstance(delta, Tensor) else delta
        return self

    def assign_sub(self, delta):
        self.data -= delta.data if isinstance(delta, Tensor) else delta
        return self

    def numpy(self):
        """Return a copy of the values as a NumPy array."""
        return np.array(super().numpy(), copy=True)

    def __repr__(self):
        return f"<Variable path={self.path!r}, shape={self.shape}, dtype={self.dtype}, trainable={self.trainable}>"
