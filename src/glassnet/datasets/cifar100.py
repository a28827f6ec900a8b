"""CIFAR-100: 50,000 + 10,000 colour images of 32x32 in 100 classes (20 superclasses), as ``keras.datasets.cifar100``.

Downloaded once from the University of Toronto (161 MB).
"""

from glassnet.datasets.cifar import load_archive

FILE = "cifar-100-python.tar.gz"
SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
MEMBERS = {"train": ["cifar-100-python/train"], "test": ["cifar-100-python/test"]}


def load_data(label_mode="fine"):
    """``(x_train, y_train), (x_test, y_test)``; labels of the 100 classes ("fine") or 20 superclasses ("coarse")."""
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'cifar100.load_data: label_mode must be "fine" or "coarse", got {label_mode!r}')
    return load_archive(FILE, SHA256, MEMBERS, f"{label_mode}_labels")
