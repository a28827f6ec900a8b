"""keras.backend's helpers that Keras 3 keeps: epsilon, floatx, dtypes, is_keras_tensor, clear_session, get_uid."""

import os

import numpy as np
import pytest

import glassnet as keras
from glassnet import backend


def test_config_helpers_are_reachable_from_backend():
    assert backend.epsilon() == pytest.approx(1e-7)
    assert backend.floatx() == "float32"
    assert backend.image_data_format() == "channels_last"
    backend.set_epsilon(1e-5)
    try:
        assert keras.config.epsilon() == pytest.approx(1e-5)
    finally:
        backend.set_epsilon(1e-7)


def test_is_keras_tensor():
    assert backend.is_keras_tensor(keras.Input((3,)))
    assert not backend.is_keras_tensor(np.zeros(3))


@pytest.mark.parametrize("dtypes", [("int32", "float32"), ("int64", "float32"), ("float16", "float32"),
                                    ("int8", "int16"), ("uint8", "int8"), ("bool", "int32"), ("float16",),
                                    ("float16", "bfloat16"), ("int32", float), ()])
def test_result_type_follows_keras(dtypes):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    k = pytest.importorskip("keras")
    assert backend.result_type(*dtypes) == k.backend.result_type(*dtypes)


def test_standardize_dtype():
    assert backend.standardize_dtype(None) == "float32"
    assert backend.standardize_dtype(np.float32) == "float32"
    assert backend.standardize_dtype(np.dtype("int8")) == "int8"
    assert backend.standardize_dtype(float) == "float32"
    assert backend.is_float_dtype("bfloat16") and backend.is_int_dtype("uint8")
    with pytest.raises(ValueError, match="Invalid dtype.*received 'floaty'"):
        backend.standardize_dtype("floaty")


def test_clear_session_and_get_uid():
    first = backend.get_uid("thing")
    assert backend.get_uid("thing") == first + 1
    keras.layers.Dense(1, name=None)
    backend.clear_session()
    assert backend.get_uid("thing") == 1
    assert keras.layers.Dense(1).name == "dense"
