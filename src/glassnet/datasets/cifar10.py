"""CIFAR-10: 50,000 + 10,000 colour images of 32x32 in 10 classes, as ``keras.datasets.cifar10``.

Classes: airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck
(Krizhevsky, 2009). Downloaded once from the University of Toronto (163 MB).
"""

from glassnet.datasets.cifar import load_archive

FILE = "cifar-10-python.tar.gz"
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
MEMBERS = {
    "train": [f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6)],
    "test": ["cifar-10-batches-py/test_batch"],
}


def load_data():
    """``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 32, 32, 3) and uint8 labels (N, 1)."""
    return load_archive(FILE, SHA256, MEMBERS, "labels")
