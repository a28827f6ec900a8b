"""Export a model, check the file with onnx's full checker, run it in ONNX Runtime, compare with predict."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

TOLERANCE = 1e-5


def randomize(model, seed=0):
    """Every weight redrawn (variances positive), so that biases and statistics matter in the comparison."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        shape, name = tuple(weight.shape), weight.name
        if "variance" in name:
            value = rng.uniform(0.5, 1.5, shape)
        elif np.dtype(weight.dtype).kind != "f":
            continue
        else:
            value = rng.normal(0.0, 0.5, shape)
        weight.assign(value.astype(weight.dtype))


def run_onnx(proto, inputs):
    """The ONNX model's outputs on ``inputs`` (a list in the graph's input order)."""
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    feed = {i.name: x for i, x in zip(session.get_inputs(), inputs)}
    return session.run(None, feed)


def assert_exports(model, inputs, tolerance=TOLERANCE):
    """Export ``model``; its ONNX outputs equal ``model.predict(inputs)`` within ``tolerance``. Returns the proto."""
    from glassnet.export import to_onnx

    inputs = inputs if isinstance(inputs, list) else [inputs]
    proto = to_onnx(model)
    onnx.checker.check_model(proto, full_check=True)
    assert proto.opset_import[0].version == 17
    for graph_input in proto.graph.input:
        assert graph_input.type.tensor_type.shape.dim[0].dim_param == "batch"
    expected = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    expected = expected if isinstance(expected, list) else [expected]
    got = run_onnx(proto, inputs)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.shape == np.shape(e)
        np.testing.assert_allclose(g, e, rtol=tolerance, atol=tolerance)
    return proto
