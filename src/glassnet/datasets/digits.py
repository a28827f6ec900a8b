"""The UCI optical-recognition handwritten digits, bundled: no network needed.

1,797 images of 8x8 pixels, classes 0-9 (Alpaydin & Kaynak, UCI Machine
Learning Repository, CC BY 4.0; converted once from scikit-learn's copy by
``tools/make_digits.py``). The source's pixel values 0-16 are scaled to
0-255 (``round(v * 255 / 16)``), so ``x / 255.0`` gives [0, 1] as with MNIST.
The first 1,437 images are the training set and the last 360 the test set.
"""

import os

import numpy as np

from glassnet.datasets.mnist import check_arrays

PATH = os.path.join(os.path.dirname(__file__), "data", "digits.npz")
TRAIN_SIZE = 1437
SHAPES = {"x_train": (1437, 8, 8), "y_train": (1437,), "x_test": (360, 8, 8), "y_test": (360,)}


def load_data():
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 8, 8) and uint8 labels (N,)."""
    with np.load(PATH, allow_pickle=False) as data:
        images, labels = data["images"], data["labels"]
    arrays = {"x_train": images[:TRAIN_SIZE], "y_train": labels[:TRAIN_SIZE],
              "x_test": images[TRAIN_SIZE:], "y_test": labels[TRAIN_SIZE:]}
    check_arrays(arrays, PATH, SHAPES)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
