"""Every route and error of `glassnet serve`, against a server started as a subprocess."""

import json

import httpx
import numpy as np
import pytest


def images(count, seed=0):
    return np.random.default_rng(seed).random((count, 28, 28), dtype=np.float32)


def post(server, body, path=None):
    content = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return httpx.post(path or server.predict_url(), content=content, timeout=30)


def test_status_says_available(mnist_server):
    for path in ("", "/versions/1"):
        answer = httpx.get(f"{mnist_server.url}/v1/models/mnist{path}")
        assert answer.status_code == 200
        assert answer.json() == {"model_version_status": [
            {"version": "1", "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}]}


def test_metadata_names_shapes_and_dtypes(mnist_server):
    answer = httpx.get(f"{mnist_server.url}/v1/models/mnist/metadata")
    assert answer.status_code == 200
    body = answer.json()
    assert body["model_spec"] == {"name": "mnist", "signature_name": "", "version": "1"}
    signature = body["metadata"]["signature_def"]["signature_def"]["serving_default"]
    (name, spec), = signature["inputs"].items()
    assert name == "image" and spec["dtype"] == "DT_FLOAT"
    assert [d["size"] for d in spec["tensor_shape"]["dim"]] == ["-1", "28", "28"]
    (out_spec,) = signature["outputs"].values()
    assert [d["size"] for d in out_spec["tensor_shape"]["dim"]] == ["-1", "10"]


@pytest.mark.parametrize("path", [":predict", "/versions/1:predict"])
def test_row_format_matches_predict(mnist_server, mnist_model, path):
    x = images(3)
    answer = post(mnist_server, {"instances": x.tolist()}, f"{mnist_server.url}/v1/models/mnist{path}")
    assert answer.status_code == 200, answer.text
    np.testing.assert_allclose(answer.json()["predictions"], mnist_model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_columnar_format_matches_predict(mnist_server, mnist_model):
    x = images(2, seed=1)
    answer = post(mnist_server, {"inputs": x.tolist()})
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"outputs"}
    np.testing.assert_allclose(answer.json()["outputs"], mnist_model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_instances_as_objects_for_one_input(mnist_server, mnist_model):
    x = images(2, seed=2)
    answer = post(mnist_server, {"instances": [{"image": row} for row in x.tolist()]})
    assert answer.status_code == 200, answer.text
    np.testing.assert_allclose(answer.json()["predictions"], mnist_model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_several_inputs_and_outputs_by_name(two_way_server, two_way_model_file):
    import glassnet

    model = glassnet.models.load_model(two_way_model_file, compile=False)
    a, b = np.random.default_rng(3).random((2, 4, 3), dtype=np.float32)[0], np.ones((4, 2), np.float32)
    expected = model.predict({"a": a, "b": b}, verbose=0)
    rows = post(two_way_server, {"instances": [{"a": x.tolist(), "b": y.tolist()} for x, y in zip(a, b)]})
    assert rows.status_code == 200, rows.text
    predictions = rows.json()["predictions"]
    assert len(predictions) == 4 and all(set(p) == {"o1", "o2"} for p in predictions)
    np.testing.assert_allclose([p["o1"] for p in predictions], expected[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose([p["o2"] for p in predictions], expected[1], rtol=1e-5, atol=1e-6)
    columns = post(two_way_server, {"inputs": {"a": a.tolist(), "b": b.tolist()}})
    assert columns.status_code == 200, columns.text
    outputs = columns.json()["outputs"]
    np.testing.assert_allclose(outputs["o1"], expected[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outputs["o2"], expected[1], rtol=1e-5, atol=1e-6)
    metadata = httpx.get(f"{two_way_server.url}/v1/models/two/metadata").json()
    signature = metadata["metadata"]["signature_def"]["signature_def"]["serving_default"]
    assert sorted(signature["inputs"]) == ["a", "b"] and sorted(signature["outputs"]) == ["o1", "o2"]


@pytest.mark.parametrize("body, words", [
    (b'{"instances": [[1, 2', ["malformed JSON"]),
    (b"[1, 2, 3]", ["JSON object"]),
    ({"examples": [[0.0]]}, ['"instances"', '"inputs"']),
    ({"instances": [[0.0] * 784]}, ["(-1, 28, 28)", "(1, 784)"]),
    ({"inputs": [[[0.0] * 27] * 28]}, ["(-1, 28, 28)", "(1, 28, 27)"]),
    ({"instances": [[["a"] * 28] * 28]}, ["numbers"]),
    ({"instances": [[[None] * 28] * 28]}, ["numbers"]),
    ({"instances": [[[0.0] * 28] * 28, [[0.0] * 28] * 27]}, ["ragged"]),
    ({"instances": []}, ["empty"]),
    ({"instances": {"image": 1}}, ["list"]),
    ({"instances": [{"pixels": [[0.0] * 28] * 28}]}, ["missing ['image']", "unknown ['pixels']"]),
])
def test_bad_requests_get_400_and_the_server_goes_on(mnist_server, body, words):
    answer = post(mnist_server, body)
    assert answer.status_code == 400, answer.text
    message = answer.json()["error"]
    for word in words:
        assert word in message
    assert httpx.get(f"{mnist_server.url}/v1/models/mnist").status_code == 200


def test_two_way_model_refuses_bare_instances(two_way_server):
    answer = post(two_way_server, {"instances": [[1.0, 2.0, 3.0]]})
    assert answer.status_code == 400 and "by input name" in answer.json()["error"]


@pytest.mark.parametrize("path, method", [
    ("/v1/models/other:predict", "POST"), ("/v1/models/other", "GET"), ("/v1/models/other/metadata", "GET"),
    ("/v1/models/mnist/versions/2:predict", "POST"), ("/v1/models/mnist/versions/2", "GET"), ("/nowhere", "GET"),
])
def test_unknown_models_get_404(mnist_server, path, method):
    answer = httpx.request(method, mnist_server.url + path, content=b'{"instances": []}')
    assert answer.status_code == 404
    assert "error" in answer.json()


def test_wrong_method_is_an_error_in_json(mnist_server):
    answer = httpx.get(mnist_server.predict_url())
    assert answer.status_code == 405 and "POST" in answer.json()["error"]


@pytest.mark.parametrize("size", [(1 << 20) + 1, 3 << 20, 40 << 20])
def test_body_over_max_body_gets_413(mnist_server, size):
    answer = post(mnist_server, b" " * size)  # JSON-valid padding: only the size is wrong
    assert answer.status_code == 413
    assert "--max-body" in answer.json()["error"]
    assert httpx.get(f"{mnist_server.url}/v1/models/mnist").status_code == 200


def test_body_over_max_body_without_content_length_gets_413(mnist_server):
    def chunks():
        for _ in range(40):
            yield b" " * 65536

    answer = httpx.post(mnist_server.predict_url(), content=chunks(), timeout=30)  # chunked transfer encoding
    assert answer.status_code == 413


def test_body_under_max_body_is_parsed(mnist_server):
    body = json.dumps({"instances": images(1).tolist()}).encode()
    answer = post(mnist_server, body + b" " * ((1 << 20) - len(body)))
    assert answer.status_code == 200, answer.text


def test_the_page_is_served(mnist_server):
    answer = httpx.get(mnist_server.url + "/")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert '<canvas id="pad"' in answer.text and 'const MODEL = "mnist";' in answer.text
    assert "http://" not in answer.text and "https://" not in answer.text  # no CDN: everything is in the page
