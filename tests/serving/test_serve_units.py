"""The serving pieces in-process: batching, request parsing, the command without its extra, import cost."""

import asyncio
import subprocess
import sys

import numpy as np
import pytest

from glassnet.serving.batching import Batcher
from glassnet.serving.requests import RequestError, format_answer, parse_predict
from glassnet.serving.signature import TensorSpec


class FakeSignature:
    def __init__(self, *specs):
        self.inputs = list(specs)

    @property
    def input_names(self):
        return [spec.name for spec in self.inputs]


def test_batcher_stacks_requests_in_the_window_and_splits_answers_back():
    calls = []

    def predict(arrays):
        calls.append(arrays["x"].shape)
        return {"y": arrays["x"] * 10}

    async def scenario():
        batcher = Batcher(predict, window=0.05)
        requests = [{"x": np.full((n, 2), n, np.float32)} for n in (1, 2, 3)]
        return await asyncio.gather(*(batcher.submit(r) for r in requests))

    answers = asyncio.run(scenario())
    assert calls == [(6, 2)]  # one predict for the three requests
    for n, answer in zip((1, 2, 3), answers):
        np.testing.assert_array_equal(answer["y"], np.full((n, 2), 10 * n))


def test_batcher_keeps_different_shapes_apart_and_reports_failures_to_each():
    def predict(arrays):
        if arrays["x"].shape[1] == 3:
            raise ValueError("boom")
        return {"y": arrays["x"]}

    async def scenario():
        batcher = Batcher(predict, window=0.01)
        submits = [batcher.submit({"x": np.zeros((1, 2))}), batcher.submit({"x": np.zeros((1, 3))})]
        return await asyncio.gather(*submits, return_exceptions=True)

    good, bad = asyncio.run(scenario())
    assert good["y"].shape == (1, 2)
    assert isinstance(bad, ValueError)


def test_batcher_flushes_at_max_batch_without_waiting():
    async def scenario():
        batcher = Batcher(lambda arrays: {"y": arrays["x"]}, window=30.0, max_batch=4)
        return await asyncio.wait_for(asyncio.gather(*(batcher.submit({"x": np.zeros((2, 1))}) for _ in range(2))), 5)

    assert len(asyncio.run(scenario())) == 2


def test_parse_and_format_rows_and_columns():
    signature = FakeSignature(TensorSpec("x", (None, 2), "float32"))
    request = parse_predict(b'{"instances": [[1, 2], [3, 4]]}', signature)
    assert request.arrays["x"].dtype == np.float32 and request.size == 2 and not request.columnar
    outputs = {"y": np.array([[0.5], [1.5]], np.float32)}
    assert format_answer(outputs, request) == b'{"predictions":[[0.5],[1.5]]}'
    request = parse_predict(b'{"inputs": [[1, 2]]}', signature)
    assert format_answer({"y": np.array([[2.0]])}, request) == b'{"outputs":[[2.0]]}'
    two = {"y": np.array([[1.0]]), "z": np.array([[2.0, 3.0]])}
    assert format_answer(two, request) == b'{"outputs":{"y":[[1.0]],"z":[[2.0,3.0]]}}'
    request = parse_predict(b'{"instances": [[1, 2]]}', signature)
    assert format_answer(two, request) == b'{"predictions":[{"y":[1.0],"z":[2.0,3.0]}]}'


@pytest.mark.parametrize("body, status, words", [
    (b'{"instances": [[1, true]]}', 400, ["numbers"]),
    (b'{"instances": [{"b64": "AAAA"}]}', 400, ["b64"]),
    (b'{"instances": [[1, 2, 3]]}', 400, ["(-1, 2)", "(1, 3)"]),
    (b'{"instances": [1, 2]}', 400, ["(-1, 2)", "(2,)"]),
    (b'{"instances": [[1, 2]], "inputs": [[1, 2]]}', 400, ["exactly one"]),
    (b'\xff\xfe', 400, ["malformed JSON"]),
    (b'{"instances": ' + b"[" * 100000 + b"]" * 100000 + b"}", 400, ["nested too deeply"]),
])
def test_parse_errors(body, status, words):
    signature = FakeSignature(TensorSpec("x", (None, 2), "float32"))
    with pytest.raises(RequestError) as caught:
        parse_predict(body, signature)
    assert caught.value.status == status
    for word in words:
        assert word in str(caught.value)


def test_integer_inputs_refuse_fractions():
    signature = FakeSignature(TensorSpec("ids", (None, 3), "int32"))
    assert parse_predict(b'{"inputs": [[1, 2, 3]]}', signature).arrays["ids"].dtype == np.int32
    with pytest.raises(RequestError, match="whole numbers"):
        parse_predict(b'{"inputs": [[1, 2.5, 3]]}', signature)


def test_import_glassnet_does_not_load_the_server():
    code = "import sys, glassnet; print('starlette' in sys.modules, 'uvicorn' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split() == ["False",
                                                                                                            "False"]


def test_serve_without_the_extra_says_how_to_install_it(monkeypatch, tmp_path):
    from glassnet import cli

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # "import uvicorn" raises ImportError
    with pytest.raises(SystemExit) as caught:
        cli.main(["serve", str(tmp_path / "model.keras")])
    assert "pip install glassnet[serve]" in str(caught.value.code)


def test_serve_refuses_a_missing_model_file(tmp_path):
    from glassnet import cli

    with pytest.raises(SystemExit, match="does not exist"):
        cli.main(["serve", str(tmp_path / "missing.keras")])


def test_ctrl_c_while_the_model_loads_is_one_line_not_a_traceback(monkeypatch, capsys):
    from glassnet import cli
    from glassnet.serving import command

    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "load_model", interrupted)
    assert cli.main(["serve", "model.keras"]) == 130
    assert "interrupted while loading the model" in capsys.readouterr().err
