"""ONNX export time and file size, against the .keras file, for the MNIST MLP and a small convnet.

The MLP is the beginner tutorial's (Flatten -> Dense(128, relu) ->
Dense(10, softmax)); the convnet is Conv2D(32) -> MaxPool -> Conv2D(64) ->
MaxPool -> Flatten -> Dropout -> Dense(10) on 28x28x1. Both are compiled with
Adam and fitted one step, so the .keras file also holds Adam's moments (the
ONNX file holds the inference weights only). The first export includes
importing onnx; the median of the repeats shows the steady state. Also
reports ONNX Runtime's largest difference from ``predict`` on 256 images.

    python benchmarks/export.py
    python benchmarks/export.py --repeats 10
"""

import argparse
import os
import statistics
import tempfile
import time

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")


def mlp(keras):
    return keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(128, activation="relu"),
                             keras.layers.Dense(10, activation="softmax")], name="mnist_mlp")


def convnet(keras):
    layers = keras.layers
    return keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(), layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ], name="mnist_convnet")


def measure(keras, model, x, folder, repeats):
    import onnxruntime

    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x[:32], np.zeros(32, "int64"), epochs=1, verbose=0)
    keras_path, onnx_path = os.path.join(folder, f"{model.name}.keras"), os.path.join(folder, f"{model.name}.onnx")
    model.save(keras_path)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.export(onnx_path, verbose=False)
        times.append(time.perf_counter() - start)
    session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    batch = x[:256]
    error = np.abs(session.run(None, {session.get_inputs()[0].name: batch})[0] - model.predict(batch, verbose=0)).max()
    return {"first": times[0], "median": statistics.median(times), "onnx": os.path.getsize(onnx_path),
            "keras": os.path.getsize(keras_path), "params": model.count_params(), "error": float(error)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    import glassnet as keras

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).random((256, 28, 28), dtype="float32")
    print(f"{'model':<16}{'params':>9}{'export 1st':>12}{'median':>9}{'.onnx':>11}{'.keras':>11}{'ratio':>7}"
          f"{'max |diff|':>12}")
    with tempfile.TemporaryDirectory() as folder:
        for build, inputs in ((mlp, x), (convnet, x[..., None])):
            r = measure(keras, build(keras), inputs, folder, args.repeats)
            name = build.__name__
            print(f"{name:<16}{r['params']:>9,}{r['first']:>11.3f}s{r['median']:>8.3f}s{r['onnx'] / 1024:>9.1f}KB"
                  f"{r['keras'] / 1024:>9.1f}KB{r['onnx'] / r['keras']:>7.2f}{r['error']:>12.1e}")


if __name__ == "__main__":
    main()
