"""The ``glassnet`` command.

    glassnet train                      # the tutorial network on MNIST (or the bundled digits)
    glassnet train --dataset digits --epochs 20 --output digits.weights.h5
    glassnet predict mnist.keras seven.png  # the top classes for images or .npy arrays
    glassnet export mnist.keras mnist.onnx  # the model as ONNX (opset 17), for ONNX Runtime
    glassnet serve mnist.keras              # TensorFlow Serving's REST API and a draw-a-digit page on :8501

``train`` builds Flatten -> Dense(128, relu) -> Dense(10, softmax), trains it
with Adam, prints the test accuracy and saves the trained weights (or, with
``--output NAME.keras``, the whole model). ``--output`` is checked before the
data is loaded, so a bad name fails at once, not after the training.
"""

import argparse
import sys

DATASETS = ("auto", "mnist", "fashion_mnist", "digits")


def _load(dataset):
    """Return (name, (x_train, y_train), (x_test, y_test)); "auto" falls back to digits."""
    from glassnet import datasets

    if dataset in ("auto", "mnist", "fashion_mnist"):
        name = "mnist" if dataset == "auto" else dataset
        try:
            return name, *getattr(datasets, name).load_data()
        except (OSError, ValueError) as error:
            if dataset != "auto":
                raise SystemExit(f"glassnet train: could not load {name}: {error}") from None
            print(f"MNIST is not available ({str(error).splitlines()[0]}); using the bundled digits set instead.")
    return "digits", *datasets.digits.load_data()


def build_model(image_shape):
    """The tutorial network for images of ``image_shape``."""
    import glassnet as keras
    from glassnet import layers

    return keras.Sequential([
        keras.Input(shape=image_shape),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])


OUTPUT_SUFFIXES = (".weights.h5", ".keras")


def check_output(output):
    """The reason ``output`` cannot receive the trained model, or None; checked before any training."""
    import os

    if not output.endswith(OUTPUT_SUFFIXES):
        return (f"--output {output!r}: the file name must end in '.weights.h5' (the trained weights) or '.keras' "
                "(the whole model)")
    if os.path.isdir(output):
        return f"--output {output!r} is a folder; give a file name ending in '.weights.h5' or '.keras'"
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        return f"--output {output!r}: the folder {folder!r} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"--output {output!r}: the folder {folder!r} is not writable"
    if os.path.exists(output) and not os.access(output, os.W_OK):
        return f"--output {output!r}: the file exists and is read-only"
    return None


def train(args):
    import glassnet as keras

    hvd, chief = None, True
    if getattr(args, "distributed", False):  # under mpirun: each rank trains on its part of every global batch
        import glassnet.distributed as hvd

        hvd.init()
        chief = hvd.rank() == 0
    if args.seed is not None:
        keras.utils.set_random_seed(args.seed)
    name, (x_train, y_train), (x_test, y_test) = _load(args.dataset)
    x_train = x_train.astype("float32") / 255.0
    x_test = x_test.astype("float32") / 255.0
    say = print if chief else (lambda *a, **k: None)
    say(f"Dataset: {name} ({len(x_train)} training and {len(x_test)} test images of {x_train.shape[1:]})")
    model = build_model(x_train.shape[1:])
    optimizer, callbacks, batch_size = "adam", [], args.batch_size
    if hvd is not None:
        optimizer = hvd.DistributedOptimizer("adam")
        callbacks = [hvd.callbacks.BroadcastGlobalVariablesCallback(0), hvd.callbacks.MetricAverageCallback()]
        x_train, y_train = hvd.shard(x_train, y_train, batch_size=args.batch_size)
        batch_size = args.batch_size // hvd.size()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    if args.verbose and chief:
        model.summary()
    callbacks += [keras.callbacks.Diagnostics()] if args.diagnose else []
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=batch_size, verbose=args.verbose,
              callbacks=callbacks, shuffle=hvd is None)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    say(f"Test accuracy: {accuracy:.4f} (test loss {loss:.4f})")
    output = args.output or f"{name}_mlp.weights.h5"
    if not chief:
        return accuracy
    if output.endswith(".keras"):
        model.save(output)
        print(f"Saved the trained model to {output}")
    else:
        model.save_weights(output)
        print(f"Saved the trained weights to {output}")
    return accuracy


def make_parser():
    parser = argparse.ArgumentParser(prog="glassnet", description="glassnet: Keras-style deep learning on NumPy")
    commands = parser.add_subparsers(dest="command", required=True)
    train_parser = commands.add_parser("train", help="train the tutorial network (Flatten-Dense128-Dense10)")
    train_parser.add_argument("--dataset", choices=DATASETS, default="auto",
                              help="auto: MNIST when available or downloadable, else the bundled digits")
    train_parser.add_argument("--epochs", type=_positive, default=5)
    train_parser.add_argument("--batch-size", type=_positive, default=32)
    train_parser.add_argument("--seed", type=int, default=None, help="make the run repeat exactly")
    train_parser.add_argument("--output", default=None,
                              help="where to save: NAME.weights.h5 for the weights (default: DATASET_mlp.weights.h5 "
                                   "here), NAME.keras for the whole model")
    train_parser.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1)
    train_parser.add_argument("--diagnose", action="store_true",
                              help="report per-layer health each epoch and explain NaNs (callbacks.Diagnostics)")
    train_parser.add_argument("--distributed", action="store_true",
                              help="data-parallel over MPI: run as 'mpirun -np N glassnet train --distributed'; "
                                   "--batch-size is the global batch (divisible by N), rank 0 prints and saves")
    train_parser.set_defaults(handler=train)
    from glassnet.prediction.command import add_parser as add_predict_parser

    add_predict_parser(commands)
    from glassnet.export.command import add_parser as add_export_parser

    add_export_parser(commands)
    from glassnet.serving.command import add_parser as add_serve_parser

    add_serve_parser(commands)
    return parser


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def main(argv=None):
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command == "train":
        default = f"{'mnist' if args.dataset == 'auto' else args.dataset}_mlp.weights.h5"
        problem = check_output(args.output or default)
        if problem is not None:
            parser.error(problem)  # before loading data or training: exits with status 2
    status = args.handler(args)
    return status if args.command != "train" else 0


if __name__ == "__main__":
    sys.exit(main())
