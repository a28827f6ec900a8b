"""Test setup: datasets from ../shared/data when present, fresh names and seeds per test."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # the parity tests' Keras runs on torch; set before any test imports it

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import _shared_data  # noqa: F401, E402 - points GLASSNET_DATASETS at ../shared/data when it is there


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
