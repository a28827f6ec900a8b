"""``glassnet serve MODEL.keras``: the model behind TensorFlow Serving's REST API.

    $ glassnet serve mnist.keras --port 8501
    Serving 'mnist' (inputs input_layer (-1, 28, 28); outputs output_0 (-1, 10))
      page:    http://127.0.0.1:8501/
      predict: POST http://127.0.0.1:8501/v1/models/mnist:predict

Needs the ``serve`` extra (``pip install glassnet[serve]``: starlette and
uvicorn). SIGTERM or Ctrl-C finish the requests in flight and exit with 0.
"""

import os
import re
import signal
import sys

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def fail(message):
    raise SystemExit(f"glassnet serve: {message}")


def import_server():
    """uvicorn and the app module, or SystemExit saying how to install them."""
    try:
        import uvicorn

        from glassnet.serving import app
    except ImportError as error:
        fail(f"{error}. The server needs the serve extra: pip install glassnet[serve]")
    return uvicorn, app


def load_model(path):
    """The model in ``path`` and its signature, or SystemExit with the reason."""
    import glassnet
    from glassnet.serving.signature import Signature

    if not os.path.isfile(path):
        fail(f"the model file {path!r} does not exist" if not os.path.exists(path) else
             f"{path!r} is not a file; give a saved model (.keras, .h5)")
    try:
        model = glassnet.models.load_model(path, compile=False)
        return model, Signature(model)
    except (OSError, ValueError, ImportError, KeyError, TypeError) as error:
        fail(f"cannot load the model {path!r}: {error}")


def model_name(args):
    name = args.name or os.path.splitext(os.path.basename(args.model))[0]
    if not NAME.match(name):
        fail(f"the model name {name!r} must be letters, digits, '_', '.' or '-' (give one with --name)")
    return name


def run(args):
    """Load the model, serve until SIGTERM or Ctrl-C; returns 0 after a graceful shutdown."""
    uvicorn, app = import_server()
    name = model_name(args)
    try:
        model, signature = load_model(args.model)
    except KeyboardInterrupt:  # Ctrl-C before the server runs: a line, not a traceback
        print("glassnet serve: interrupted while loading the model; nothing was served", file=sys.stderr)
        return 130
    application = app.make_app(model, signature, name, args.max_body, args.batch_window_ms)
    describe = lambda specs: ", ".join(f"{s.name} {s.describe()}" for s in specs)  # noqa: E731
    base = f"http://{args.host}:{args.port}"
    print(f"Serving {name!r} (inputs {describe(signature.inputs)}; outputs {describe(signature.outputs)})\n"
          f"  page:    {base}/\n  predict: POST {base}/v1/models/{name}:predict", flush=True)
    config = uvicorn.Config(application, host=args.host, port=args.port, log_level=args.log_level,
                            timeout_graceful_shutdown=10)
    server = uvicorn.Server(config)
    _exit_quietly_on_signals()
    server.run()
    return 0 if server.started else 1


def _exit_quietly_on_signals():
    """After its graceful shutdown uvicorn re-raises SIGTERM/SIGINT to the handlers it found: these exit with 0."""
    def exit_zero(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, exit_zero)
    signal.signal(signal.SIGINT, exit_zero)


def _positive_number(text):
    value = float(text)
    if value < 0:
        raise ValueError(text)
    return value


def add_parser(commands):
    """The ``serve`` subcommand's arguments."""
    parser = commands.add_parser("serve", help="serve a saved model over TensorFlow Serving's REST API, "
                                               "with a page to draw digits on")
    parser.add_argument("model", help="the saved model (.keras, or legacy .h5)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; "
                                                            "0.0.0.0 for every interface)")
    parser.add_argument("--port", type=int, default=8501, help="port (default 8501, as TensorFlow Serving)")
    parser.add_argument("--name", default=None, help="the model's name in URLs (default: the file name's stem)")
    parser.add_argument("--max-body", type=int, default=4 << 20, metavar="BYTES",
                        help="largest request body accepted; larger ones get 413 (default 4 MiB)")
    parser.add_argument("--batch-window-ms", type=_positive_number, default=0.0, metavar="MS",
                        help="stack predict requests arriving within MS milliseconds into one batch (default 0: off)")
    parser.add_argument("--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug"),
                        help="uvicorn's log level (default warning; info logs every request)")
    parser.set_defaults(handler=run)
    return parser
