"""Where the test datasets are, and the marker for tests that need MNIST on disk.

Imported as ``from _shared_data import ...`` (tests/ is on the path through its conftest); not from
``conftest`` itself, whose name other test folders' conftest files share.
"""

import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data"))


def mnist_available():
    from glassnet.datasets.download import find_file

    return find_file(("mnist.npz",)) is not None


if "GLASSNET_DATASETS" not in os.environ and os.path.isdir(SHARED_DATA):
    os.environ["GLASSNET_DATASETS"] = SHARED_DATA

requires_mnist = pytest.mark.skipif(not mnist_available(), reason="MNIST is not on disk (set GLASSNET_DATASETS)")
