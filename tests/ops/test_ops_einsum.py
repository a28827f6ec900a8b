"""ops.einsum: values against numpy.einsum, gradients against central differences (float64), float32 kept,
and clear errors for bad subscripts."""

import numpy as np
import pytest

from glassnet import ops
from glassnet.autodiff import Tensor, gradcheck

RNG = np.random.default_rng(7)

CASES = [
    ("ij,jk->ik", [(3, 4), (4, 2)]),
    ("bqm,muh->bquh", [(2, 5, 6), (6, 3, 4)]),
    ("bquh,bkuh->buqk", [(2, 5, 3, 4), (2, 6, 3, 4)]),
    ("buqk,bkuh->bquh", [(2, 3, 5, 6), (2, 6, 3, 4)]),
    ("bquh,uhm->bqm", [(2, 5, 3, 4), (3, 4, 7)]),
    ("...ij,jk->...ik", [(2, 3, 4, 5), (5, 2)]),
    ("ab...,bc->ac...", [(3, 4, 2), (4, 5)]),
    ("ij->", [(3, 4)]),
    ("ij->j", [(3, 4)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]),
    ("ij,jk", [(3, 4), (4, 2)]),
    ("ij,jk,kl->il", [(3, 4), (4, 2), (2, 5)]),
    ("ijk,k->ij", [(2, 3, 4), (4,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,ij->ij", [(1, 4), (3, 4)]),  # a size-1 axis broadcast against 3
    ("abc->cba", [(2, 3, 4)]),
]


@pytest.mark.parametrize("subscripts, shapes", CASES)
def test_einsum_matches_numpy(subscripts, shapes):
    arrays = [RNG.standard_normal(s).astype("float32") for s in shapes]
    got = ops.einsum(subscripts, *arrays)
    expected = np.einsum(subscripts, *arrays)
    assert got.dtype == np.float32
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("subscripts, shapes", CASES)
def test_einsum_gradcheck(subscripts, shapes):
    arrays = [RNG.standard_normal(s) for s in shapes]
    assert gradcheck(lambda *xs: ops.einsum(subscripts, *xs), arrays)


def test_einsum_float32_gradients():
    a = Tensor(RNG.standard_normal((3, 4)).astype("float32"), requires_grad=True)
    b = Tensor(RNG.standard_normal((4, 2)).astype("float32"), requires_grad=True)
    ops.sum(ops.einsum("ij,jk->ik", a, b)).backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float32
    np.testing.assert_allclose(a.grad, np.ones((3, 2)) @ b.numpy().T, rtol=1e-6)


def test_einsum_gradient_only_where_needed():
    a = Tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    b = RNG.standard_normal((4, 2))
    ops.sum(ops.einsum("ij,jk->ik", a, b)).backward()
    np.testing.assert_allclose(a.grad, np.ones((3, 2)) @ b.T)


@pytest.mark.parametrize("subscripts, shapes, message", [
    ("ij,jk->ik", [(3, 4)], "describe 2 operand"),
    ("ijk,jk->ik", [(3, 4), (4, 2)], "name 3 axes"),
    ("ij,jk->iz", [(3, 4), (4, 2)], "appear in no operand"),
    ("i1,jk->ik", [(3, 4), (4, 2)], "must be letters"),
])
def test_einsum_bad_subscripts(subscripts, shapes, message):
    arrays = [np.ones(s, "float32") for s in shapes]
    with pytest.raises(ValueError, match=message):
        ops.einsum(subscripts, *arrays)


def test_einsum_needs_a_string_and_operands():
    with pytest.raises(TypeError, match="must be a string"):
        ops.einsum(3, np.ones(2))
    with pytest.raises(ValueError, match="at least one operand"):
        ops.einsum("i->i")
