"""ONNX export: ``model.export("model.onnx")`` or ``glassnet export MODEL.keras OUT.onnx``.

    model.export("mnist.onnx", format="onnx")

    import onnxruntime
    session = onnxruntime.InferenceSession("mnist.onnx", providers=["CPUExecutionProvider"])
    probabilities = session.run(None, {"input_layer": images})[0]   # the same as model.predict(images)

The graph walker (``graph.py``) visits the model's layer calls and hands each
to the converter of its class, one module per family: dense, core, conv,
pool, norm, activations, reshape, merge, recurrent, attention. The file
targets ONNX opset 17, has a dynamic batch axis, and passes
``onnx.checker.check_model(full_check=True)``. ``onnx`` is imported only
when a model is exported (``pip install glassnet[onnx]``).
"""

import importlib

FAMILIES = ("activations", "dense", "core", "conv", "pool", "norm", "reshape", "merge", "recurrent", "attention")


def load_converters():
    """Import every family module, which registers its converters."""
    for family in FAMILIES:
        importlib.import_module(f"glassnet.export.{family}")


def __getattr__(name):
    if name in ("export_model", "to_onnx", "ExportError"):
        module = {"export_model": "api", "to_onnx": "graph", "ExportError": "registry"}[name]
        return getattr(importlib.import_module(f"glassnet.export.{module}"), name)
    raise AttributeError(f"module 'glassnet.export' has no attribute {name!r}")
