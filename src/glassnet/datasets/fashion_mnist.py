"""Fashion-MNIST: 28x28 grayscale images of 10 kinds of clothing, 60,000 + 10,000, uint8.

``load_data()`` returns the same layout as ``keras.datasets.fashion_mnist``.
Class names: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt,
Sneaker, Bag, Ankle boot. Zalando SE 2017, MIT licence.
"""

import os

import numpy as np

from glassnet.datasets.download import find_file, get_file
from glassnet.datasets.mnist import check_arrays, load_npz

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = {
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]


def read_idx(path):
    """Read a gzipped IDX file (the original MNIST format) into a uint8 array."""
    import gzip

    with gzip.open(path, "rb") as handle:
        data = handle.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_data():
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 28, 28) and uint8 labels (N,)."""
    npz = find_file(("fashion_mnist.npz",))
    if npz:
        return load_npz(npz)
    paths = {}
    for name, sha256 in FILES.items():
        relative = os.path.join("fashion-mnist", name)
        paths[name] = get_file(relative, BASE + name, sha256, alternatives=(os.path.join("raw", "fashion-mnist", name),))
    arrays = {
        "x_train": read_idx(paths["train-images-idx3-ubyte.gz"]),
        "y_train": read_idx(paths["train-labels-idx1-ubyte.gz"]),
        "x_test": read_idx(paths["t10k-images-idx3-ubyte.gz"]),
        "y_test": read_idx(paths["t10k-labels-idx1-ubyte.gz"]),
    }
    check_arrays(arrays, "fashion-mnist IDX files")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
