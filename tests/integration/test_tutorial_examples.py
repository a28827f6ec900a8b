"""The tutorial programs of examples/, run end to end on a small part of MNIST, and the same
network trained to a good accuracy on the bundled digits."""

import math
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from _shared_data import requires_mnist

import glassnet as keras
from glassnet import layers

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(ROOT, "examples")
SAMPLES = 2000


def run_example(name, samples=SAMPLES, epochs=2):
    env = dict(os.environ, GLASSNET_EXAMPLE_SAMPLES=str(samples), GLASSNET_EXAMPLE_EPOCHS=str(epochs))
    result = subprocess.run([sys.executable, os.path.join(EXAMPLES, name)], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


@requires_mnist
def test_mnist_mlp_example():
    out = run_example("mnist_mlp.py")
    lines = out.splitlines()
    steps = math.ceil(SAMPLES / 32)
    assert lines[0] == "Epoch 1/2" and "Epoch 2/2" in lines and "Epoch 3/2" not in out
    train_lines = [line for line in lines if line.startswith(f"{steps}/{steps} ")]
    assert len(train_lines) == 2
    evaluate_line = lines[-1]
    test_steps = math.ceil(10000 / 32)
    assert evaluate_line.startswith(f"{test_steps}/{test_steps} ━")
    accuracy = float(re.search(r"- accuracy: (\d\.\d{4})", evaluate_line).group(1))
    loss = float(re.search(r"- loss: (\d+\.\d{4})", evaluate_line).group(1))
    assert 0.8 < accuracy <= 1.0
    assert loss < 0.7
    first_epoch_loss = float(re.search(r"- loss: (\d+\.\d{4})", train_lines[0]).group(1))
    second_epoch_loss = float(re.search(r"- loss: (\d+\.\d{4})", train_lines[1]).group(1))
    assert second_epoch_loss < first_epoch_loss


@requires_mnist
def test_mnist_mlp_categorical_example():
    out = run_example("mnist_mlp_categorical.py")
    lines = out.splitlines()
    steps = math.ceil(math.floor(SAMPLES * 0.8) / 32)  # validation_split=0.2 holds out the last 400 images
    train_lines = [line for line in lines if line.startswith(f"{steps}/{steps} ")]
    assert len(train_lines) == 2
    for line in train_lines:
        assert re.search(r" - val_accuracy: \d\.\d{4} - val_loss: \d+\.\d{4}$", line), line
    match = re.fullmatch(r"Test accuracy: (\S+)", lines[-1])
    assert match, lines[-1]
    assert 0.75 < float(match.group(1)) <= 1.0  # unseeded: about 0.85 on 2000 images


@requires_mnist
def test_mnist_mlp_example_on_all_of_mnist():
    out = run_example("mnist_mlp.py", samples=0, epochs=1)
    lines = out.splitlines()
    assert lines[1].startswith("1875/1875 ━")  # 60000 images / 32 per step, the number tutorial readers know
    accuracy = float(re.search(r"- accuracy: (\d\.\d{4})", lines[-1]).group(1))
    assert accuracy > 0.93


def test_examples_use_only_glassnet():
    for name in ("mnist_mlp.py", "mnist_mlp_categorical.py"):
        source = open(os.path.join(EXAMPLES, name)).read()
        imports = [line for line in source.splitlines() if re.match(r"\s*(import|from) ", line)]
        assert imports and all(re.match(r"(import (os|glassnet)\b|from glassnet[. ])", line) for line in imports), imports
        assert "keras" not in "\n".join(imports).replace("glassnet as keras", "")


def test_tutorial_network_learns_the_digits():
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.astype("float32") / 255.0
    x_test = x_test.astype("float32") / 255.0

    model = keras.Sequential([
        keras.Input(shape=(8, 8)),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=50, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert history.history["accuracy"][-1] > 0.98
    assert accuracy > 0.9
    predictions = model.predict(x_test, verbose=0)
    assert float(np.mean(predictions.argmax(axis=1) == y_test)) == pytest.approx(accuracy)


def _fashion_available():
    from glassnet.datasets.download import find_file

    return find_file(("fashion_mnist.npz", os.path.join("raw", "fashion-mnist", "t10k-labels-idx1-ubyte.gz"))) \
        is not None


@pytest.mark.skipif(not _fashion_available(), reason="Fashion-MNIST is not on disk (set GLASSNET_DATASETS)")
def test_fashion_mnist_cnn_example_runs_with_batch_norm_and_augmentation():
    out = run_example("fashion_mnist_cnn.py", samples=1024, epochs=1)
    assert "BatchNormalization" in out and "RandomFlip" in out
    accuracy = float(re.search(r"Test accuracy: (\d\.\d{4})", out).group(1))
    assert 0.25 < accuracy <= 1.0  # one epoch on 1,024 images: well above chance (0.1)
