"""The finite-difference checker itself must be able to fail."""

import numpy as np
import pytest

import glassnet.testing
from glassnet.autodiff import Function, GradcheckError, gradcheck


class WrongSquare(Function):
    """x^2 with a deliberately wrong derivative (x instead of 2x)."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, gy):
        return gy * self.x


class CastingSquare(Function):
    """x^2 with a correct derivative returned in float32."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, gy):
        return (gy * 2 * self.x).astype(np.float32)


class RightSquare(Function):
    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, gy):
        return gy * 2 * self.x


def test_gradcheck_accepts_a_correct_backward():
    assert gradcheck(RightSquare.apply, [np.array([0.5, -1.5, 2.0])])


def test_gradcheck_rejects_a_wrong_backward():
    with pytest.raises(GradcheckError, match="differ"):
        gradcheck(WrongSquare.apply, [np.array([0.5, -1.5, 2.0])])


def test_gradcheck_rejects_a_silent_cast():
    with pytest.raises(GradcheckError, match="dtype"):
        gradcheck(CastingSquare.apply, [np.array([0.5, -1.5])])


def test_gradcheck_is_public_in_glassnet_testing():
    assert glassnet.testing.gradcheck is gradcheck
    with pytest.raises(AssertionError):  # GradcheckError is an AssertionError, so pytest reports it well
        glassnet.testing.gradcheck(WrongSquare.apply, [np.array([1.0])])


def test_fortran_ordered_inputs_are_perturbed_too():
    """A transposed (Fortran-ordered) input, such as an orthogonal initializer's, is still differenced."""
    import numpy as np

    from glassnet import ops
    from glassnet.autodiff import gradcheck

    weight = np.asfortranarray(np.random.default_rng(0).standard_normal((3, 4)))
    assert gradcheck(lambda w: ops.multiply(w, w), [weight])
