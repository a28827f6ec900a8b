"""float32 discipline with Python numbers and NumPy scalars mixed in.

NumPy 2 treats Python numbers as weak (float32 array * 2.0 stays float32) but NumPy scalars as
strong (float32 array * np.float64(2.0) becomes float64). glassnet turns NumPy scalars into Python
numbers at the op boundary, so neither the result nor the gradient is silently upcast.
(The every-op float32 check is test_float32_in_float32_out_and_float32_gradients in test_ops_gradcheck.py.)
"""

import numpy as np
import pytest

from glassnet import ops
from glassnet.autodiff import Tensor

F64 = np.float64


def x32(values=(0.5, 1.25, 2.0)):
    return Tensor(np.array(values, dtype=np.float32), requires_grad=True)


MIXED = [
    ("add_py", lambda x: ops.add(x, 1.5), lambda v: np.ones_like(v)),
    ("add_np64", lambda x: ops.add(x, F64(1.5)), lambda v: np.ones_like(v)),
    ("add_npint", lambda x: ops.add(np.int64(3), x), lambda v: np.ones_like(v)),
    ("subtract_np64_left", lambda x: ops.subtract(F64(1.0), x), lambda v: -np.ones_like(v)),
    ("multiply_np64", lambda x: ops.multiply(x, F64(2.0)), lambda v: np.full_like(v, 2.0)),
    ("multiply_np64_left", lambda x: ops.multiply(F64(2.0), x), lambda v: np.full_like(v, 2.0)),
    ("multiply_py", lambda x: ops.multiply(x, 2.0), lambda v: np.full_like(v, 2.0)),
    ("divide_np64", lambda x: ops.divide(x, F64(4.0)), lambda v: np.full_like(v, 0.25)),
    ("divide_np64_numerator", lambda x: ops.divide(F64(1.0), x), lambda v: -1.0 / v**2),
    ("power_np64_exponent", lambda x: ops.power(x, F64(2.0)), lambda v: 2 * v),
    ("power_py_exponent", lambda x: ops.power(x, 3), lambda v: 3 * v**2),
    ("power_py_base", lambda x: ops.power(2.0, x), lambda v: np.log(2.0) * 2.0**v),
    ("power_int_base", lambda x: ops.power(3, x), lambda v: np.log(3.0) * 3.0**v),
    ("power_np64_base", lambda x: ops.power(F64(2.0), x), lambda v: np.log(2.0) * 2.0**v),
    ("maximum_np64", lambda x: ops.maximum(x, F64(1.0)), lambda v: (v >= 1.0).astype(float)),
    ("minimum_np64", lambda x: ops.minimum(F64(1.0), x), lambda v: (v < 1.0).astype(float)),
    ("where_np64", lambda x: ops.where(np.array([True, False, True]), x, F64(0.0)),
     lambda v: np.array([1.0, 0.0, 1.0])),
    ("clip_np64_bounds", lambda x: ops.clip(x, F64(0.75), F64(1.5)), lambda v: ((v >= 0.75) & (v <= 1.5)) * 1.0),
    ("clip_np32_bounds", lambda x: ops.clip(x, np.float32(0.75), np.float32(1.5)),
     lambda v: ((v >= 0.75) & (v <= 1.5)) * 1.0),
    ("operator_mul_np64", lambda x: x * F64(2.0), lambda v: np.full_like(v, 2.0)),
    ("operator_rmul_np64", lambda x: F64(2.0) * x, lambda v: np.full_like(v, 2.0)),
    ("operator_radd_np64", lambda x: F64(2.0) + x, lambda v: np.ones_like(v)),
    ("operator_rsub_np64", lambda x: F64(2.0) - x, lambda v: -np.ones_like(v)),
    ("operator_truediv_np64", lambda x: x / F64(2.0), lambda v: np.full_like(v, 0.5)),
    ("operator_rtruediv_py", lambda x: 1.0 / x, lambda v: -1.0 / v**2),
    ("operator_pow_np64", lambda x: x ** F64(2.0), lambda v: 2 * v),
    ("operator_rpow_py", lambda x: 2 ** x, lambda v: np.log(2.0) * 2.0**v),
    ("operator_rpow_np64", lambda x: F64(2.0) ** x, lambda v: np.log(2.0) * 2.0**v),
    ("operator_radd_float32_array", lambda x: np.ones(3, dtype=np.float32) + x, lambda v: np.ones_like(v)),
]


@pytest.mark.parametrize("name, fn, derivative", MIXED, ids=[m[0] for m in MIXED])
def test_mixed_scalar_keeps_float32(name, fn, derivative):
    x = x32()
    y = fn(x)
    assert isinstance(y, Tensor), f"{name}: the result left the graph ({type(y).__name__})"
    assert y.dtype == np.float32, f"{name}: output upcast to {y.dtype}"
    y.sum().backward()
    assert x.grad.dtype == np.float32, f"{name}: gradient upcast to {x.grad.dtype}"
    np.testing.assert_allclose(x.grad, derivative(x.data.astype(np.float64)), rtol=1e-6)


@pytest.mark.parametrize(
    "reduce",
    [
        lambda x: ops.max(x, axis=0), lambda x: ops.min(x), lambda x: ops.mean(x, axis=1),
        lambda x: ops.sum(x), lambda x: ops.var(x, axis=0), lambda x: ops.std(x), lambda x: ops.logsumexp(x, axis=1),
        lambda x: x.max(), lambda x: x.mean(), lambda x: x.sum(axis=1),
    ],
)
def test_reductions_keep_float32(reduce):
    x = Tensor(np.arange(12, dtype=np.float32).reshape(3, 4) / 7.0, requires_grad=True)
    y = reduce(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_dense_with_float64_input_computes_in_the_weights_dtype():
    rng = np.random.default_rng(0)
    kernel = Tensor(rng.standard_normal((3, 2)).astype(np.float32), requires_grad=True)
    bias = Tensor(np.zeros(2, dtype=np.float32), requires_grad=True)
    x = rng.standard_normal((4, 3))  # a float64 batch straight from NumPy
    y = ops.dense(x, kernel, bias, "relu")
    assert y.dtype == np.float32
    y.sum().backward()
    assert kernel.grad.dtype == np.float32 and bias.grad.dtype == np.float32


def test_float32_losses_on_logits_stay_float32():
    z = Tensor(np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    labels = np.array([0, 2, 1, 1])
    onehot = np.eye(3, dtype=np.float32)[labels]
    for loss in (ops.sparse_softmax_cross_entropy(z, labels), ops.softmax_cross_entropy(z, onehot),
                 ops.sigmoid_cross_entropy(z, onehot)):
        assert loss.dtype == np.float32
        z.zero_grad()
        loss.sum().backward()
        assert z.grad.dtype == np.float32


@pytest.mark.parametrize(
    "activation",
    [lambda x: ops.leaky_relu(x, negative_slope=np.float64(0.1)), lambda x: ops.elu(x, alpha=np.float64(0.5))],
    ids=["leaky_relu", "elu"],
)
def test_activation_numpy_scalar_hyperparameter_keeps_float32(activation):
    x = Tensor(np.array([-1.0, 2.0], dtype=np.float32), requires_grad=True)
    y = activation(x)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
