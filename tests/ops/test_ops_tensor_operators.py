"""Python operators and methods on Tensor route to the ops and differentiate."""

import numpy as np
import pytest

from glassnet import ops
from glassnet.autodiff import Tensor, gradcheck
from glassnet.ops import linalg, math, reduce, shaping

A = np.array([[0.5, -1.5, 2.0], [1.0, 0.25, -0.75]])
B = np.array([[1.5, 2.0, -0.5], [-1.0, 0.5, 3.0]])
P = np.array([[0.5, 1.5, 2.0], [1.0, 0.25, 0.75]])  # positive, for powers


def leaves(*arrays):
    return [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]


# (id, expression on Tensors, the same expression on NumPy arrays, the op class expected at the root, inputs)
BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, math.Add, (A, B)),
    ("radd_number", lambda a, b: 2.0 + a, lambda a, b: 2.0 + a, math.Add, (A, B)),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, math.Subtract, (A, B)),
    ("rsub_number", lambda a, b: 1.0 - a, lambda a, b: 1.0 - a, math.Subtract, (A, B)),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, math.Multiply, (A, B)),
    ("rmul_number", lambda a, b: 3.0 * a, lambda a, b: 3.0 * a, math.Multiply, (A, B)),
    ("truediv", lambda a, b: a / b, lambda a, b: a / b, math.Divide, (A, B)),
    ("rtruediv_number", lambda a, b: 1.0 / b, lambda a, b: 1.0 / b, math.Divide, (A, B)),
    ("pow_tensor", lambda a, b: a ** b, lambda a, b: a ** b, math.Power, (P, B)),
    ("pow_number", lambda a, b: a ** 2, lambda a, b: a ** 2, math.Power, (A, B)),
    ("rpow_number", lambda a, b: 2.0 ** a, lambda a, b: 2.0 ** a, math.Power, (A, B)),
    ("matmul", lambda a, b: a @ b.T, lambda a, b: a @ b.T, linalg.MatMul, (A, B)),
    ("rmatmul_array", lambda a, b: B.T @ a, lambda a, b: B.T @ a, linalg.MatMul, (A, B)),
    ("neg", lambda a, b: -a, lambda a, b: -a, math.Negative, (A, B)),
    ("abs", lambda a, b: abs(a), lambda a, b: np.abs(a), math.Abs, (A, B)),
    ("getitem_int", lambda a, b: a[1], lambda a, b: a[1], shaping.GetItem, (A, B)),
    ("getitem_slice", lambda a, b: a[:, 1:], lambda a, b: a[:, 1:], shaping.GetItem, (A, B)),
    ("getitem_fancy_repeats", lambda a, b: a[[0, 0, 1], [2, 2, 0]], lambda a, b: a[[0, 0, 1], [2, 2, 0]],
     shaping.GetItem, (A, B)),
    ("getitem_mask", lambda a, b: a[B > 0], lambda a, b: a[B > 0], shaping.GetItem, (A, B)),
    ("getitem_tensor_mask", lambda a, b: a[b > 0], lambda a, b: a[b > 0], shaping.GetItem, (A, B)),
    ("sum_method", lambda a, b: a.sum(), lambda a, b: a.sum(), reduce.Sum, (A, B)),
    ("sum_axis_method", lambda a, b: a.sum(axis=0), lambda a, b: a.sum(axis=0), reduce.Sum, (A, B)),
    ("mean_method", lambda a, b: a.mean(axis=1, keepdims=True), lambda a, b: a.mean(axis=1, keepdims=True),
     reduce.Mean, (A, B)),
    ("max_method", lambda a, b: a.max(axis=1), lambda a, b: a.max(axis=1), reduce.Max, (A, B)),
    ("min_method", lambda a, b: a.min(), lambda a, b: a.min(), reduce.Min, (A, B)),
    ("reshape_tuple", lambda a, b: a.reshape((3, 2)), lambda a, b: a.reshape((3, 2)), shaping.Reshape, (A, B)),
    ("reshape_args", lambda a, b: a.reshape(3, 2), lambda a, b: a.reshape(3, 2), shaping.Reshape, (A, B)),
    ("reshape_minus_one", lambda a, b: a.reshape(-1), lambda a, b: a.reshape(-1), shaping.Reshape, (A, B)),
    ("T", lambda a, b: a.T, lambda a, b: a.T, shaping.Transpose, (A, B)),
    ("transpose_method", lambda a, b: a.transpose(1, 0), lambda a, b: a.transpose(1, 0), shaping.Transpose, (A, B)),
    ("exp_method", lambda a, b: a.exp(), lambda a, b: np.exp(a), math.Exp, (A, B)),
    ("log_method", lambda a, b: a.clip(0.1, 5.0).log(),
     lambda a, b: np.log(np.clip(a, 0.1, 5.0)), math.Log, (P, B)),
    ("sqrt_method", lambda a, b: a.sqrt(), lambda a, b: np.sqrt(a), math.Sqrt, (P, B)),
]


@pytest.mark.parametrize("name, expr, reference, op_class, inputs", BINARY, ids=[b[0] for b in BINARY])
def test_operator_routes_to_op_and_matches_numpy(name, expr, reference, op_class, inputs):
    a, b = leaves(*inputs)
    out = expr(a, b)
    assert isinstance(out, Tensor)
    assert isinstance(out.creator, op_class), f"{name} did not go through {op_class.__name__}"
    np.testing.assert_allclose(out.data, reference(*inputs))


@pytest.mark.parametrize("name, expr, reference, op_class, inputs", BINARY, ids=[b[0] for b in BINARY])
def test_operator_gradcheck(name, expr, reference, op_class, inputs):
    check = [0, 1] if name in ("add", "sub", "mul", "truediv", "pow_tensor", "matmul") else [0]
    if name == "rtruediv_number":
        check = [1]
    assert gradcheck(expr, list(inputs), check=check)


def test_operators_match_hand_gradients():
    # f = sum((a * b - a / b) ** 2) ; df/da = 2 r (b - 1/b), df/db = 2 r (a + a/b^2), r = a b - a/b
    a, b = leaves(A, B)
    ((a * b - a / b) ** 2).sum().backward()
    r = A * B - A / B
    np.testing.assert_allclose(a.grad, 2 * r * (B - 1 / B))
    np.testing.assert_allclose(b.grad, 2 * r * (A + A / B**2))


def test_matmul_operator_gradient_by_hand():
    a, b = leaves(A, B.T)  # (2, 3) @ (3, 2)
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    (a @ b).backward(grad=g)
    np.testing.assert_allclose(a.grad, g @ B)
    np.testing.assert_allclose(b.grad, A.T @ g)


def test_getitem_with_repeated_indices_accumulates():
    a = Tensor(np.arange(5.0), requires_grad=True)
    a[[1, 1, 1, 3]].sum().backward()
    np.testing.assert_array_equal(a.grad, [0.0, 3.0, 0.0, 1.0, 0.0])


def test_comparisons_return_plain_boolean_arrays():
    a = Tensor(A)
    assert isinstance(a > 0, np.ndarray) and (a > 0).dtype == bool
    np.testing.assert_array_equal(a <= Tensor(B), A <= B)


def test_operators_work_in_float32_and_keep_dtype():
    a = Tensor(A.astype(np.float32), requires_grad=True)
    b = Tensor(B.astype(np.float32), requires_grad=True)
    out = ((-a + 1) * b / 2.0 - abs(a) ** 2 + (a @ b.T).sum() + a[0].mean()).sum()
    assert out.dtype == np.float32
    out.backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float32


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((5, 2, 3), (3,))])
def test_matmul_of_vectors_follows_numpy(shapes):
    a, b = (np.arange(np.prod(s), dtype="float32").reshape(s) for s in shapes)
    result = ops.matmul(Tensor(a), Tensor(b))
    np.testing.assert_allclose(result.numpy(), np.matmul(a, b))
    assert result.dtype == np.float32
