"""The ONNX graph under construction: nodes, weights and unique names.

    g = GraphBuilder()
    y = g.op("MatMul", [x, g.const(kernel, "dense/kernel")], "dense")
    model = g.finish(inputs, outputs, "mlp")

Every converter writes through one ``GraphBuilder``: ``op`` adds a node and
returns its output name(s), ``const`` stores an array once as an initializer
(a weight used by two calls of a shared layer is stored once), and every
name it hands out is unique in the graph. ``onnx`` is imported here, and
only when an export runs.
"""

from typing import NamedTuple

import numpy as np

OPSET = 17


def import_onnx():
    """The ``onnx`` module, or an ImportError saying how to install it."""
    try:
        import onnx
    except ImportError:
        raise ImportError("Exporting to ONNX needs the onnx package: pip install glassnet[onnx]") from None
    return onnx


class Value(NamedTuple):
    """A tensor of the ONNX graph: its name, its Keras shape (batch axis None) and its dtype."""

    name: str
    shape: tuple
    dtype: str = "float32"


class GraphBuilder:
    """Collects nodes and initializers; hands out unique names."""

    def __init__(self):
        self.onnx = import_onnx()
        self.nodes, self.initializers = [], []
        self._used, self._consts = set(), {}

    def fresh(self, hint):
        """``hint``, or ``hint_1``, ``hint_2``... : a name not used yet."""
        name, count = hint, 0
        while name in self._used:
            count += 1
            name = f"{hint}_{count}"
        self._used.add(name)
        return name

    def op(self, op_type, inputs, hint, outputs=1, names=None, **attributes):
        """Add one ``op_type`` node; returns its output name (a list when ``outputs`` > 1).

        An empty string in ``inputs`` is ONNX's "optional input left out"; ``names`` are output names
        already reserved with ``fresh``.
        """
        names = names or [self.fresh(hint if outputs == 1 else f"{hint}/out{i}") for i in range(outputs)]
        node = self.onnx.helper.make_node(op_type, list(inputs), names, name=self.fresh(f"{hint}/{op_type}"),
                                          **attributes)
        self.nodes.append(node)
        return names[0] if outputs == 1 else names

    def const(self, array, hint, dtype=None):
        """An initializer holding ``array`` (float32 unless ``dtype``); the same array object is stored once."""
        source = getattr(array, "data", array)  # a Variable or Tensor: its NumPy array
        key = (id(source), dtype)
        if key in self._consts:
            return self._consts[key][0]
        value = np.asarray(source, dtype=dtype or "float32")
        name = self.fresh(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.ascontiguousarray(value), name))
        self._consts[key] = (name, source)  # keeps ``source`` alive, so its id is not reused
        return name

    def ints(self, values, hint):
        """An int64 vector initializer (shapes, axes, pads given as inputs)."""
        return self.const(np.asarray(values, dtype=np.int64), hint, dtype="int64")

    def scalar(self, value, hint):
        """A float32 scalar initializer (one per value)."""
        key = ("scalar", float(value))
        if key not in self._consts:
            self._consts[key] = (self.const(np.float32(value), hint), None)
        return self._consts[key][0]

    def value_info(self, value):
        """The graph input/output declaration of ``value``: dtype and shape, the unknown axes named."""
        element = self.onnx.helper.np_dtype_to_tensor_dtype(np.dtype(value.dtype))
        dims = [f"{value.name}_dim{i}" if d is None else int(d) for i, d in enumerate(value.shape)]
        if dims:
            dims[0] = "batch" if value.shape[0] is None else dims[0]
        return self.onnx.helper.make_tensor_value_info(value.name, element, dims)

    def finish(self, inputs, outputs, name, opset=OPSET):
        """The checked ``onnx.ModelProto``."""
        helper = self.onnx.helper
        graph = helper.make_graph(self.nodes, name, [self.value_info(v) for v in inputs],
                                  [self.value_info(v) for v in outputs], self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                                  producer_name="glassnet")
        model.ir_version = min(model.ir_version, 8)  # opset 17's IR version; readable by older runtimes
        self.onnx.checker.check_model(model, full_check=True)
        return model
