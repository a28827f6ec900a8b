"""A served model's signature: its inputs and outputs by name, shape and dtype.

TensorFlow Serving describes a model by one ``serving_default`` signature;
``Signature.metadata`` writes ours the same way, so clients that read
``GET /v1/models/NAME/metadata`` find the names and shapes where they look.
"""

import numpy as np

TF_DTYPES = {"float16": "DT_HALF", "float32": "DT_FLOAT", "float64": "DT_DOUBLE", "bfloat16": "DT_BFLOAT16",
             "int8": "DT_INT8", "int16": "DT_INT16", "int32": "DT_INT32", "int64": "DT_INT64",
             "uint8": "DT_UINT8", "uint16": "DT_UINT16", "bool": "DT_BOOL", "string": "DT_STRING"}


class TensorSpec:
    """One named input or output: ``shape`` has None for the batch and any free dimension."""

    def __init__(self, name, shape, dtype):
        self.name, self.shape, self.dtype = name, tuple(shape), str(dtype)

    def describe(self):
        """The shape as TensorFlow prints it: -1 for unknown dimensions."""
        return "(" + ", ".join("-1" if d is None else str(d) for d in self.shape) + ")"

    def metadata(self):
        dims = [{"size": str(-1 if d is None else d), "name": ""} for d in self.shape]
        return {"dtype": TF_DTYPES.get(self.dtype, self.dtype), "name": f"serving_default_{self.name}:0",
                "tensor_shape": {"dim": dims, "unknown_rank": False}}


class Signature:
    """The inputs and outputs of ``model``; output names come from one warm-up predict."""

    def __init__(self, model):
        try:
            tensors = list(model.inputs)
        except (AttributeError, ValueError, TypeError):
            tensors = []
        if not tensors:
            raise ValueError("the model has no known inputs; give it an Input(shape=...) before saving it")
        self.inputs = [TensorSpec(_input_name(t, i), t.shape, t.dtype) for i, t in enumerate(tensors)]
        outputs = model.predict(self.as_model_input(self.example()), verbose=0)
        names = _output_names(model, outputs)
        arrays = list(outputs.values()) if isinstance(outputs, dict) else _as_list(outputs)
        shapes = [tuple(t.shape) for t in model.outputs] if len(model.outputs) == len(arrays) else \
            [(None,) + a.shape[1:] for a in arrays]
        self.outputs = [TensorSpec(n, s, a.dtype) for n, s, a in zip(names, shapes, arrays)]

    @property
    def input_names(self):
        return [spec.name for spec in self.inputs]

    def example(self):
        """One zero instance per input (free dimensions as 1), batched: ``{name: array}``."""
        return {spec.name: np.zeros((1,) + tuple(1 if d is None else d for d in spec.shape[1:]), spec.dtype)
                for spec in self.inputs}

    def as_model_input(self, arrays):
        """What ``model.predict`` takes: the array for one input, the dict by name for several."""
        return arrays[self.inputs[0].name] if len(self.inputs) == 1 else arrays

    def split_outputs(self, outputs):
        """``model.predict``'s result as ``{output name: array}`` in signature order."""
        if isinstance(outputs, dict):
            return {spec.name: np.asarray(outputs[spec.name]) for spec in self.outputs}
        return {spec.name: np.asarray(a) for spec, a in zip(self.outputs, _as_list(outputs))}

    def metadata(self, name, version="1"):
        """The body of ``GET /v1/models/NAME/metadata``, shaped like TensorFlow Serving's."""
        signature = {"inputs": {s.name: s.metadata() for s in self.inputs},
                     "outputs": {s.name: s.metadata() for s in self.outputs},
                     "method_name": "tensorflow/serving/predict"}
        return {"model_spec": {"name": name, "signature_name": "", "version": version},
                "metadata": {"signature_def": {"signature_def": {"serving_default": signature}}}}


def _input_name(tensor, index):
    return getattr(tensor, "name", None) or f"input_{index}"


def _output_names(model, outputs):
    if isinstance(outputs, dict):
        return list(outputs)
    count = len(_as_list(outputs))
    names = list(getattr(model, "output_names", None) or [])
    return names if len(names) == count and len(set(names)) == count else [f"output_{i}" for i in range(count)]


def _as_list(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
