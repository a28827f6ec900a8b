"""The Starlette application: TensorFlow Serving's REST routes and the drawing page.

    GET  /                                      the page (draw a digit, or a JSON form)
    GET  /v1/models/NAME[/versions/1]           {"model_version_status": [...AVAILABLE...]}
    GET  /v1/models/NAME[/versions/1]/metadata  the signature: input/output names, shapes, dtypes
    POST /v1/models/NAME[/versions/1]:predict   {"instances"|"inputs": ...} -> {"predictions"|"outputs": ...}

Every error is ``{"error": "..."}`` with its status; none of them stops the
server. Parsing and ``predict`` run in worker threads (``predict`` keeps its
running state per thread), so the event loop keeps accepting connections.
"""

import json
import re
from importlib import resources

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from glassnet.serving.batching import Batcher
from glassnet.serving.requests import RequestError, error_body, format_answer, parse_predict

MODEL_PATH = re.compile(r"^(?P<name>[^/:]+)(?:/versions/(?P<version>[^/:]+))?(?P<action>:[a-z]+|/metadata)?$")
VERSION = "1"


class ModelServer:
    """One model under one name: answers the REST routes."""

    def __init__(self, model, signature, name, max_body=4 << 20, batch_window_ms=0.0):
        self.model, self.signature, self.name, self.max_body = model, signature, name, max_body
        self.batcher = Batcher(self.predict, batch_window_ms / 1000.0) if batch_window_ms > 0 else None

    def predict(self, arrays):
        """``{input name: array}`` -> ``{output name: array}``, in the calling thread."""
        size = len(next(iter(arrays.values())))
        outputs = self.model.predict(self.signature.as_model_input(arrays), batch_size=min(size, 256), verbose=0)
        return self.signature.split_outputs(outputs)

    def answer(self, body):
        """Parse, predict and write one request's answer (bytes); in a worker thread."""
        request = parse_predict(body, self.signature)
        return format_answer(self.predict(request.arrays), request)

    async def models(self, request):
        match = MODEL_PATH.match(request.path_params["path"])
        if not match:
            raise RequestError(f"no such route: {request.url.path}", 404)
        self.check_model(match["name"], match["version"])
        action = match["action"]
        if request.method == "POST" and action == ":predict":
            return json_response(await self.predict_body(await self.read_body(request)))
        if action in (":classify", ":regress"):
            raise RequestError(f"{action[1:]} is not supported by glassnet serve; use :predict", 400)
        if request.method == "GET" and action is None:
            return json_response(json.dumps(self.status()).encode())
        if request.method == "GET" and action == "/metadata":
            return json_response(json.dumps(self.signature.metadata(self.name, VERSION)).encode())
        raise RequestError(f"{request.method} {request.url.path} is not supported: POST .../models/{self.name}"
                           f":predict, GET .../models/{self.name} or GET .../models/{self.name}/metadata", 405)

    def check_model(self, name, version):
        if name != self.name:
            raise RequestError(f"Servable not found for request: Latest({name}); this server serves "
                               f"{self.name!r}", 404)
        if version is not None and version != VERSION:
            raise RequestError(f"Servable not found for request: Specific({name}, {version}); version "
                               f"{VERSION} is the only one", 404)

    async def predict_body(self, body):
        """The answer (bytes) to one predict body; a model that fails answers 500 and the server goes on."""
        try:
            if self.batcher is None:
                return await run_in_threadpool(self.answer, body)
            request = await run_in_threadpool(parse_predict, body, self.signature)
            return format_answer(await self.batcher.submit(request.arrays), request)
        except RequestError:
            raise
        except Exception as error:
            raise RequestError(f"prediction failed: {type(error).__name__}: {error}", 500) from error

    async def read_body(self, request):
        """The body, refused with 413 past ``max_body`` bytes while it is read (the rest is drained unread)."""
        limit = self.max_body
        declared = request.headers.get("content-length", "")
        too_big = RequestError(f"the request body is larger than the limit of {limit} bytes (--max-body)", 413)
        if declared.isdigit() and int(declared) > max(4 * limit, 16 << 20):
            raise too_big  # not worth draining: the connection is closed
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size <= limit:
                chunks.append(chunk)
            elif size > max(4 * limit, 16 << 20):
                break
        if size > limit:
            raise too_big
        return b"".join(chunks)

    def status(self):
        return {"model_version_status": [{"version": VERSION, "state": "AVAILABLE",
                                          "status": {"error_code": "OK", "error_message": ""}}]}


def json_response(body, status=200):
    return Response(body, status_code=status, media_type="application/json")


def page(model_name):
    """The drawing page with the model's name filled in."""
    html = resources.files("glassnet.serving").joinpath("static/index.html").read_text(encoding="utf-8")
    return html.replace('"__GLASSNET_MODEL_NAME__"', json.dumps(model_name).replace("<", "\\u003c"))


def make_app(model, signature, name, max_body=4 << 20, batch_window_ms=0.0):
    """The ASGI application serving ``model`` as ``name``."""
    server = ModelServer(model, signature, name, max_body, batch_window_ms)
    html = page(name)

    async def index(request):
        return HTMLResponse(html)

    async def request_error(request, error):
        return json_response(error_body(str(error)), error.status)

    async def http_error(request, error):
        return json_response(error_body(error.detail or "error"), error.status_code)

    async def server_error(request, error):
        return json_response(error_body(f"prediction failed: {type(error).__name__}: {error}"), 500)

    routes = [Route("/", index), Route("/v1/models/{path:path}", server.models, methods=["GET", "POST"])]
    handlers = {RequestError: request_error, HTTPException: http_error, Exception: server_error}
    return Starlette(routes=routes, exception_handlers=handlers)
