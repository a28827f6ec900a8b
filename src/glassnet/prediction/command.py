"""``glassnet predict MODEL FILE [FILE ...]``: the model's top classes for each file.

    $ glassnet predict mnist.keras seven.png
    seven.png: 7 (0.981)  2 (0.011)  3 (0.004)

Each file is read by ``prediction.inputs`` (images as MNIST pictures, or
``.npy`` arrays); ``--json`` prints one JSON document for machines. A file
that cannot be read is reported and skipped, and the exit status is 1.
"""

import json
import sys

import numpy as np

from glassnet.prediction.inputs import InputFileError, read_file


def as_probabilities(outputs):
    """Rows of class probabilities: softmax outputs as they are, one sigmoid unit as two classes, logits softmaxed."""
    outputs = np.asarray(outputs, dtype="float64").reshape(len(outputs), -1)
    if outputs.shape[1] == 1:
        p = outputs[:, 0] if ((outputs >= 0) & (outputs <= 1)).all() else 1 / (1 + np.exp(-outputs[:, 0]))
        return np.stack([1 - p, p], axis=1)
    if ((outputs >= 0) & (outputs <= 1)).all() and np.allclose(outputs.sum(axis=1), 1, atol=1e-3):
        return outputs
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def top_classes(probabilities, count, names=None):
    """The ``count`` most probable classes of one row: ``[{"class", "label", "probability"}]``."""
    order = np.argsort(-probabilities, kind="stable")[:count]
    return [{"class": int(c), "label": names[c] if names and c < len(names) else str(int(c)),
             "probability": float(probabilities[c])} for c in order]


def load_model(path):
    """The model in ``path``, or SystemExit with the reason."""
    import glassnet

    try:
        model = glassnet.models.load_model(path, compile=False)
    except (OSError, ValueError, ImportError) as error:
        raise SystemExit(f"glassnet predict: cannot load the model {path!r}: {error}") from None
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise SystemExit(f"glassnet predict: the model {path!r} has {len(model.inputs)} inputs and "
                         f"{len(model.outputs)} outputs; predict takes models with one of each")
    return model


def run(args):
    """Predict every file; print a line per sample (or JSON); return the exit status."""
    model = load_model(args.model)
    input_shape = tuple(model.inputs[0].shape)
    names = args.class_names.split(",") if args.class_names else None
    results, failed = [], False
    for path in args.files:
        try:
            batch = read_file(path, input_shape, invert=args.invert)
        except InputFileError as error:
            print(f"glassnet predict: {error}", file=sys.stderr)
            failed = True
            continue
        probabilities = as_probabilities(model.predict(batch, verbose=0))
        for index, row in enumerate(probabilities):
            name = path if len(probabilities) == 1 else f"{path}[{index}]"
            results.append({"file": name, "top": top_classes(row, args.top, names)})
    if args.json:
        print(json.dumps({"model": args.model, "predictions": results}, indent=2))
    else:
        for result in results:
            ranked = "  ".join(f"{entry['label']} ({entry['probability']:.3f})" for entry in result["top"])
            print(f"{result['file']}: {ranked}")
    return 1 if failed else 0


def add_parser(commands):
    """The ``predict`` subcommand's arguments."""
    parser = commands.add_parser("predict", help="the top classes a saved model gives images or .npy arrays")
    parser.add_argument("model", help="a saved model (.keras, or a legacy .h5)")
    parser.add_argument("files", nargs="+", help="images (PNG, JPEG, ...) or .npy arrays")
    parser.add_argument("--top", type=int, default=3, help="how many classes to show (default 3)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--class-names", default=None, help="comma-separated names of the classes, in order")
    invert = parser.add_mutually_exclusive_group()
    invert.add_argument("--invert", dest="invert", action="store_const", const=True, default="auto",
                        help="dark digits on white paper: invert (default: decided from the image's border)")
    invert.add_argument("--no-invert", dest="invert", action="store_const", const=False,
                        help="never invert (light digits on a dark background)")
    parser.set_defaults(handler=run)
    return parser
