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

import numpy as np

from glassnet.backend import get_array_module
from glassnet.layers.keras_tensor import KerasTensor, Node
from glassnet.layers.layer import Layer


def _array(value):
    return value.data if hasattr(value, "data") else value


class OperationNode(Layer):
    """A weightless node computing ``compute(*arrays, **options)``; subclasses name the options."""

    def __init__(self, name=None, **options):
        super().__init__(name=name)
        self.options = options

    def call(self, *inputs):
        arrays = [[_array(v) for v in value] if isinstance(value, (list, tuple)) else _array(value)
                  for value in inputs]
        flat = [a for value in arrays for a in (value if isinstance(value, list) else [value])]
        xp = get_array_module(*[a for a in flat if hasattr(a, "dtype")])
        return self.compute(xp, *arrays, **self.options)

    def compute(self, xp, *arrays, **options):
        raise NotImplementedError

    def _symbolic_call(self, inputs, args, kwargs):
        """A node whose output shape follows from the shapes of every argument (not only the first)."""
        shapes = [_shape_of(value) for value in (inputs, *args)]
        outputs = KerasTensor(self.symbolic_shape(*shapes), dtype=self._output_dtype(inputs))
        Node(self, inputs, outputs, args, kwargs)
        return outputs

    def symbolic_shape(self, *shapes):
        """The output shape for these argument shapes: by default NumPy's broadcasting (None: unknown)."""
        return _broadcast(*[s for s in shapes if s is not None])

    def compute_output_shape(self, input_shape):
        return self.symbolic_shape(tuple(input_shape))

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

    def symbolic_shape(self, input_shape, *others):
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

    def symbolic_shape(self, input_shape, *others):
        shape = list(input_shape)
        axis = self.options["axis"]
        shape.insert(axis % (len(shape) + 1), 1)
        return tuple(shape)


class ZerosLike(OperationNode):
    """Zeros of x's shape, of ``dtype`` (x's own when None)."""

    def __init__(self, dtype=None, *, name=None):
        super().__init__(name=name, dtype=_dtype_name(dtype))

    def compute(self, xp, x, dtype=None):
        return xp.zeros(x.shape, dtype=dtype or x.dtype)

    def symbolic_shape(self, input_shape, *others):
        return tuple(input_shape)

    def _output_dtype(self, inputs):
        return self.options["dtype"] or inputs.dtype


class OnesLike(ZerosLike):
    """Ones of x's shape, of ``dtype`` (x's own when None)."""

    def compute(self, xp, x, dtype=None):
        return xp.ones(x.shape, dtype=dtype or x.dtype)


class Concatenate(OperationNode):
    """The arrays of a list joined along ``axis``."""

    def __init__(self, axis=0, *, name=None):
        super().__init__(name=name, axis=axis)

    def compute(self, xp, arrays, axis=0):
        return xp.concatenate(arrays, axis=axis)

    def symbolic_shape(self, shapes, *others):
        shape = list(shapes[0])
        axis = self.options["axis"] % len(shape)
        sizes = [s[axis] for s in shapes]
        shape[axis] = None if None in sizes else sum(sizes)
        return tuple(shape)

    def _output_dtype(self, inputs):
        return inputs[0].dtype


def _shape_of(value):
    if isinstance(value, KerasTensor):
        return value.shape
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, KerasTensor) for v in value):
        return [v.shape for v in value]
    return tuple(np.shape(value)) if isinstance(value, (int, float, bool, np.ndarray, np.generic)) else None


def _broadcast(*shapes):
    """NumPy's broadcasting of shapes that may hold None (unknown sizes)."""
    rank = max(len(s) for s in shapes)
    result = []
    for sizes in zip(*[(1,) * (rank - len(s)) + tuple(s) for s in shapes]):
        known = {d for d in sizes if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(f"Shapes {shapes} cannot be broadcast together")
        result.append(known.pop() if known else (None if None in sizes else 1))
    return tuple(result)


def _dtype_name(dtype):
    if isinstance(dtype, dict):  # a DTypePolicy entry
        dtype = (dtype.get("config") or {}).get("name")
    return None if dtype is None else str(getattr(dtype, "name", dtype))


OPERATION_NODES = {cls.__name__: cls for cls in (NotEqual, Equal, LogicalAnd, LogicalOr, LogicalNot, Any, All, Cast,
                                                  ExpandDims, ZerosLike, OnesLike, Concatenate)}


# --- any keras.ops function called on symbolic tensors ---------------------------------


class KerasOperation(OperationNode):
    """A ``keras.ops`` function recorded in a functional graph; replaying it runs the glassnet op on
    Tensors, so gradients flow through it. The class is named as Keras names the op ("Add", "Reshape")."""

    function = None

    def __init__(self, name=None, **options):
        super().__init__(name=name, **options)

    def call(self, *inputs, training=None, mask=None, **kwargs):
        return type(self).function(*inputs, **self.options, **kwargs)

    def _symbolic_call(self, inputs, args, kwargs):
        """Replayed on KerasTensors (a saved graph being rebuilt): shapes from two concrete runs, as when recorded."""
        from glassnet.autodiff.grad_mode import no_grad

        with no_grad():
            runs = [self.call(*_concrete((inputs, *args), size), **_concrete(kwargs, size))
                    for size in _PLACEHOLDER_SIZES]
        outputs = _symbolic_outputs(*runs)
        Node(self, inputs, outputs, args, kwargs)
        return outputs



_OPERATION_CLASSES = {}
_PLACEHOLDER_SIZES = (2, 3)  # two runs with different sizes for the unknown axes tell which outputs are unknown


def _operation_class(name, function):
    """The KerasOperation subclass for the op ``name``, named as Keras' class (one per op)."""
    key = (name, function)
    if key not in _OPERATION_CLASSES:
        class_name = "".join(part[:1].upper() + part[1:] for part in name.split("_"))
        _OPERATION_CLASSES[key] = type(class_name, (KerasOperation,), {"function": staticmethod(function),
                                                                        "__module__": __name__})
    return _OPERATION_CLASSES[key]


def _concrete(structure, size):
    """``structure`` with every KerasTensor replaced by zeros (unknown sizes set to ``size``)."""
    from glassnet.autodiff.tensor import Tensor

    if isinstance(structure, KerasTensor):
        shape = tuple(size if d is None else d for d in structure.shape)
        return Tensor(np.zeros(shape, dtype=structure.dtype))
    if isinstance(structure, (list, tuple)):
        return type(structure)(_concrete(v, size) for v in structure)
    if isinstance(structure, dict):
        return {k: _concrete(v, size) for k, v in structure.items()}
    return structure


def _symbolic_outputs(first, second):
    """KerasTensors for the outputs of two concrete runs (axes whose sizes differ are unknown)."""
    if isinstance(first, (list, tuple)):
        return type(first)(_symbolic_outputs(a, b) for a, b in zip(first, second))
    a, b = np.asarray(_array(first)), np.asarray(_array(second))
    if a.ndim != b.ndim:
        raise ValueError("this op's output rank depends on the unknown sizes of its inputs; "
                         "give keras.Input a full shape")
    shape = tuple(None if m != n else m for m, n in zip(a.shape, b.shape))
    return KerasTensor(shape, dtype=a.dtype.name)


def record_operation(name, function, args, kwargs):
    """Record ``function(*args, **kwargs)`` on symbolic tensors as a node; return its symbolic outputs."""
    from glassnet.autodiff.grad_mode import no_grad

    args, kwargs = _as_constants(args), _as_constants(kwargs)
    with no_grad():
        runs = [function(*_concrete(args, size), **_concrete(kwargs, size)) for size in _PLACEHOLDER_SIZES]
    outputs = _symbolic_outputs(*runs)
    # keyword options that are not tensors go into the node's config, as Keras' op classes take them
    options = {k: v for k, v in kwargs.items() if not _has_symbolic(v)}
    tensor_kwargs = {k: v for k, v in kwargs.items() if k not in options}
    node = _operation_class(name, function)(**options)
    node.built = True
    first, rest = (args[0], args[1:]) if args else (tensor_kwargs, ())
    Node(node, first, outputs, tuple(rest), dict(tensor_kwargs))
    return outputs


def _as_constants(value):
    """Concrete tensors among an op's arguments as plain arrays: constants of the graph, cut from any tape
    (``Embedding(...)(ops.arange(n)) + x`` computed the left side once; replaying must not backpropagate into it)."""
    from glassnet.autodiff.tensor import Tensor

    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, (list, tuple)):
        return type(value)(_as_constants(v) for v in value)
    if isinstance(value, dict):
        return {k: _as_constants(v) for k, v in value.items()}
    return value


def _has_symbolic(value):
    if isinstance(value, KerasTensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_symbolic(v) for v in value)
    if isinstance(value, dict):
        return any(_has_symbolic(v) for v in value.values())
    return False


def operation_class_for(class_name):
    """The node class replaying Keras' op ``class_name`` ("Multiply", "ExpandDims") with glassnet's op, or None."""
    import re

    from glassnet import ops

    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()
    function = getattr(ops, snake, None)
    if not callable(function) or isinstance(function, type):
        return None
    return _operation_class(snake, getattr(function, "__wrapped__", function))


def _register():
    from glassnet.ops import symbolic

    symbolic.register(KerasTensor, record_operation)


_register()
