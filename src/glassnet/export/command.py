"""``glassnet export MODEL.keras OUT.onnx``: a saved model as an ONNX file.

    $ glassnet export mnist.keras mnist.onnx
    Saved artifact at 'mnist.onnx'. Inputs: ['input_layer'], outputs: ['dense_1'] (ONNX opset 17)

A model file that is missing or cannot be read, an output folder that does
not exist, or a layer with no ONNX mapping ends the command with a message
and exit status 1 (before anything is written).
"""

import os


def fail(message):
    raise SystemExit(f"glassnet export: {message}")


def load_model(path):
    """The model in ``path``, or SystemExit with the reason."""
    import glassnet

    if not os.path.exists(path):
        fail(f"the model file {path!r} does not exist")
    if os.path.isdir(path):
        fail(f"{path!r} is a folder; give a saved model file (.keras, .h5)")
    try:
        return glassnet.models.load_model(path, compile=False)
    except (OSError, ValueError, ImportError, KeyError, TypeError) as error:
        fail(f"cannot load the model {path!r}: {error}")


def run(args):
    """Load, export, report; returns the exit status."""
    from glassnet.export.registry import ExportError

    model = load_model(args.model)
    try:
        model.export(args.output, format="onnx", verbose=True)
    except (ExportError, ImportError, OSError, ValueError) as error:
        fail(str(error))
    return 0


def add_parser(commands):
    """The ``export`` subcommand's arguments."""
    parser = commands.add_parser("export", help="write a saved model as an ONNX file (opset 17) for ONNX Runtime")
    parser.add_argument("model", help="the saved model (.keras, or legacy .h5)")
    parser.add_argument("output", help="the ONNX file to write, e.g. model.onnx")
    parser.set_defaults(handler=run)
    return parser
