"""Test setup: datasets from ../shared/data when present, fresh names and seeds per test."""

import os

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data"))

if "GLASSNET_DATASETS" not in os.environ and os.path.isdir(SHARED_DATA):
    os.environ["GLASSNET_DATASETS"] = SHARED_DATA


@pytest.fixture(autouse=True)
def fresh_session():
    """Each test starts with layer names from scratch and a fixed seed."""
    import glassnet

    glassnet.utils.clear_session()
    glassnet.utils.set_random_seed(1234)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def mnist_available():
    from glassnet.datasets.download import find_file

    return find_file(("mnist.npz",)) is not None


requires_mnist = pytest.mark.skipif(not mnist_available(), reason="MNIST is not on disk (set GLASSNET_DATASETS)")
