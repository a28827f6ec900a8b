"""MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28, uint8.

``load_data()`` returns ``(x_train, y_train), (x_test, y_test)`` exactly as
``keras.datasets.mnist.load_data()`` does. Yann LeCun and Corinna Cortes,
CC BY-SA 3.0.
"""


import numpy as np

from glassnet.datasets.download import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}


def check_arrays(arrays, source, shapes=SHAPES, classes=10):
    """Raise a clear error if the arrays are not the dataset's keys, shapes, dtypes and label range."""
    for key, shape in shapes.items():
        if key not in arrays:
            raise ValueError(f"{source} has no array '{key}' (found {sorted(arrays)}); is it the right file?")
        array = arrays[key]
        if array.shape != shape or array.dtype != np.uint8:
            raise ValueError(
                f"{source}: '{key}' should be uint8 of shape {shape}, got {array.dtype} of shape {array.shape}"
            )
    for key in (k for k in shapes if k.startswith("y")):
        if arrays[key].max() >= classes:
            raise ValueError(f"{source}: labels in '{key}' go up to {arrays[key].max()}, expected 0..{classes - 1}")


def load_npz(path, shapes=SHAPES):
    """Read the four arrays of a Keras-layout .npz (never unpickling) and check them."""
    import zipfile

    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(
            f"{path} is not a readable .npz file ({type(error).__name__}: {error}); it may be corrupt or "
            "incomplete. Delete it so that it is downloaded again, or replace it with a good copy"
        ) from None
    check_arrays(arrays, path, shapes)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_data(path="mnist.npz"):
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 28, 28) and uint8 labels (N,)."""
    return load_npz(get_file(path, ORIGIN, SHA256))
