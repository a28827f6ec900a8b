"""keras.ops functions as nodes of a functional graph.

Keras 3 records an op called on symbolic tensors as a node of the graph, and
writes it to ``.keras`` files among the layers (module ``keras.src.ops...``,
class ``NotEqual``, ``Any``...). Its own masking writes such nodes: a
functional model with ``Masking`` or ``Embedding(mask_zero=True)`` computes
the mask it hands to the next layer with ``NotEqual`` and ``Any``. These
classes replay those nodes: each is a weightless layer whose ``call``
computes the op, and whose config is the op's options, as Keras writes them.

The ops here compute masks and other non-differentiable values; they work on
the arrays directly and record nothing for autodiff.
"""

from glassnet.backend import get_array_module
from glassnet.layers.layer import Layer


def _array(value):
    return value.data if hasattr(value, "data") else value


class OperationNode(Layer):
    """A weightless node computing ``compute(*arrays, **options)``; subclasses name the options."""

    def __init__(self, name=None, **options):
        super().__init__(name=name)
        self.options = options

    def call(self, *inputs):
        arrays = [_array(value) for value in inputs]
        xp = get_array_module(*[a for a in arrays if hasattr(a, "dtype")])
        return self.compute(xp, *arrays, **self.options)

    def compute(self, xp, *arrays, **options):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_build_config(self):
        return None  # Keras' operations have no build step, and refuse a build_config

    def get_config(self):
        """Keras' Operation config: the name and the options (no trainable or dtype entries)."""
        return {"name": self.name, **self.options}


class _Comparison(OperationNode):
    def __init__(self, *, name=None):
        super().__init__(name=name)

    def _output_dtype(self, inputs):
        return "bool"


class NotEqual(_Comparison):
    """x1 != x2, element by element."""

    def compute(self, xp, x1, x2):
        return xp.not_equal(x1, x2)


class Equal(_Comparison):
    """x1 == x2, element by element."""

    def compute(self, xp, x1, x2):
        return xp.equal(x1, x2)


class LogicalAnd(_Comparison):
    def compute(self, xp, x1, x2):
        return xp.logical_and(x1, x2)


class LogicalOr(_Comparison):
    def compute(self, xp, x1, x2):
        return xp.logical_or(x1, x2)


class LogicalNot(_Comparison):
    def compute(self, xp, x):
        return xp.logical_not(x)


class _Reduction(OperationNode):
    def __init__(self, axis=None, keepdims=False, *, name=None):
        super().__init__(name=name, axis=axis, keepdims=keepdims)

    def compute_output_shape(self, input_shape):
        axis, rank = self.options["axis"], len(input_shape)
        axes = range(rank) if axis is None else [a % rank for a in ((axis,) if isinstance(axis, int) else axis)]
        if self.options["keepdims"]:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def _output_dtype(self, inputs):
        return "bool"

    def _axis(self):
        axis = self.options["axis"]
        return tuple(axis) if isinstance(axis, list) else axis


class Any(_Reduction):
    """Whether any element along ``axis`` is true."""

    def compute(self, xp, x, axis=None, keepdims=False):
        return xp.any(x, axis=self._axis(), keepdims=keepdims)


class All(_Reduction):
    """Whether every element along ``axis`` is true."""

    def compute(self, xp, x, axis=None, keepdims=False):
        return xp.all(x, axis=self._axis(), keepdims=keepdims)


class Cast(OperationNode):
    """x as ``dtype``."""

    def __init__(self, dtype=None, *, name=None):
        super().__init__(name=name, dtype=_dtype_name(dtype))

    def compute(self, xp, x, dtype=None):
        return x.astype(dtype)

    def _output_dtype(self, inputs):
        return self.options["dtype"]


class ExpandDims(OperationNode):
    """x with a new axis of size 1 at ``axis``."""

    def __init__(self, axis=-1, *, name=None):
        super().__init__(name=name, axis=axis)

    def compute(self, xp, x, axis=-1):
        return xp.expand_dims(x, axis)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        axis = self.options["axis"]
        shape.insert(axis % (len(shape) + 1), 1)
        return tuple(shape)


def _dtype_name(dtype):
    if isinstance(dtype, dict):  # a DTypePolicy entry
        dtype = (dtype.get("config") or {}).get("name")
    return None if dtype is None else str(getattr(dtype, "name", dtype))


OPERATION_NODES = {cls.__name__: cls for cls in (NotEqual, Equal, LogicalAnd, LogicalOr, LogicalNot, Any, All, Cast,
                                                  ExpandDims)}
