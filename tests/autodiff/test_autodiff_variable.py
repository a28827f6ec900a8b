"""Variable: in-place assignment, shape checks, trainable <-> requires_grad."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import ops
from glassnet.autodiff import Variable


def test_variable_is_float32_by_default_and_trainable():
    v = Variable(np.array([1.0, 2.0]), name="w")  # float64 value
    assert v.dtype == np.float32
    assert v.trainable and v.requires_grad
    assert v.is_leaf


def test_variable_from_initializer_and_shape():
    v = Variable(lambda shape, dtype: np.full(shape, 0.5, dtype=dtype), shape=(2, 3), name="k")
    assert v.shape == (2, 3) and v.dtype == np.float32
    np.testing.assert_array_equal(v.numpy(), np.full((2, 3), 0.5))


def test_variable_initializer_without_shape_is_refused():
    with pytest.raises(ValueError, match="shape"):
        Variable(lambda shape, dtype: np.zeros(shape, dtype), name="k")


def test_variable_initial_value_with_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="shape"):
        Variable(np.zeros((2, 2)), shape=(3,), name="k")


def test_variable_does_not_alias_its_initial_array():
    init = np.zeros(3, dtype=np.float32)
    v = Variable(init, name="v")
    v.assign(np.ones(3))
    np.testing.assert_array_equal(init, np.zeros(3))


def test_assign_writes_in_place_and_keeps_dtype():
    v = Variable(np.zeros((2, 2)), name="v")
    buffer = v.data
    v.assign(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float64))
    assert v.data is buffer
    assert v.dtype == np.float32
    np.testing.assert_array_equal(v.numpy(), [[1, 2], [3, 4]])
    v.assign(gn.Tensor(np.full((2, 2), 7.0)))
    np.testing.assert_array_equal(v.numpy(), np.full((2, 2), 7.0))


@pytest.mark.parametrize("bad", [np.zeros(4), np.zeros((4, 1)), np.zeros((1, 4)), 3.0, [[1.0, 2.0]]])
def test_assign_with_wrong_shape_raises_and_leaves_value(bad):
    v = Variable(np.arange(4.0).reshape(2, 2), name="kernel")
    with pytest.raises(ValueError, match="shape"):
        v.assign(bad)
    np.testing.assert_array_equal(v.numpy(), np.arange(4.0).reshape(2, 2))


def test_assign_add_and_sub_in_place():
    v = Variable(np.array([1.0, 2.0]), name="v")
    buffer = v.data
    v.assign_add(np.array([0.5, 0.5]))
    v.assign_sub(gn.Tensor(np.array([1.0, 0.0], dtype=np.float32)))
    assert v.data is buffer
    np.testing.assert_allclose(v.numpy(), [0.5, 2.5])


def test_numpy_returns_a_copy():
    v = Variable(np.array([1.0, 2.0]), name="v")
    out = v.numpy()
    out[0] = 100.0
    assert v.data[0] == 1.0


def test_trainable_toggles_requires_grad():
    v = Variable(np.array([1.0, 2.0]), name="v", trainable=False)
    assert not v.requires_grad
    assert not (v * 2.0).requires_grad
    v.trainable = True
    assert v.requires_grad
    y = (v * v).sum()
    assert y.requires_grad
    y.backward()
    np.testing.assert_allclose(v.grad, [2.0, 4.0])
    v.trainable = False
    assert not v.requires_grad and not v.trainable
    assert (v * 2.0).creator is None


def test_variable_gradient_through_ops_is_float32():
    v = Variable(np.array([[1.0, -2.0]]), name="w")
    x = np.array([[3.0], [4.0]], dtype=np.float32)
    ops.matmul(x, v).sum().backward()
    assert v.grad.dtype == np.float32
    np.testing.assert_allclose(v.grad, [[7.0, 7.0]])
