"""Finite-difference gradient checks, in float64.

``gradcheck(fn, inputs)`` compares the gradient autodiff computes for
``sum(fn(*inputs) * w)`` (``w`` a fixed random weighting, so every output
element matters) with central differences
``(f(x + eps) - f(x - eps)) / (2 eps)`` for every input element.
"""

import numpy as np

from glassnet.autodiff.tensor import Tensor


class GradcheckError(AssertionError):
    """Raised when analytic and numeric gradients disagree."""


def _as_outputs(result):
    return result if isinstance(result, (tuple, list)) else (result,)


def _weighted_sum(outputs, weights):
    return sum(float(np.sum(o.data * w)) for o, w in zip(outputs, weights))


def numeric_gradient(fn, arrays, index, weights, eps):
    """Central-difference gradient of the weighted output sum w.r.t. ``arrays[index]``."""
    target = arrays[index]
    if not target.flags.c_contiguous:
        raise ValueError("numeric_gradient perturbs its input in place: pass C-ordered arrays (np.ascontiguousarray)")
    grad = np.zeros_like(target)
    flat, grad_flat = target.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = _weighted_sum(_as_outputs(fn(*[Tensor(a) for a in arrays])), weights)
        flat[i] = original - eps
        minus = _weighted_sum(_as_outputs(fn(*[Tensor(a) for a in arrays])), weights)
        flat[i] = original
        grad_flat[i] = (plus - minus) / (2 * eps)
    return grad


def analytic_gradients(fn, arrays, weights):
    """Gradients autodiff gives for the weighted output sum, one per input."""
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    outputs = _as_outputs(fn(*tensors))
    total = None
    for out, w in zip(outputs, weights):
        if not out.requires_grad:
            continue
        term = (out * Tensor(w)).sum()
        total = term if total is None else total + term
    if total is not None:
        total.backward()
    return [t.grad if t.grad is not None else np.zeros_like(t.data) for t in tensors]


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-4, check=None, seed=0):
    """Check autodiff gradients of ``fn`` against central differences.

    ``fn`` takes Tensors and returns a Tensor (or a tuple of them);
    ``inputs`` are arrays, converted to float64. ``check`` lists the input
    positions to check (default: every floating input). Returns True, or
    raises ``GradcheckError`` naming the input and the worst element.
    """
    # C order: numeric_gradient perturbs elements through a flat view, which a Fortran-ordered copy would not give
    arrays = [np.array(a, dtype=np.float64, order="C") if np.asarray(a).dtype.kind == "f" else np.array(a, order="C")
              for a in inputs]
    outputs = _as_outputs(fn(*[Tensor(a) for a in arrays]))
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(np.shape(o.data)) for o in outputs]
    analytic = analytic_gradients(fn, arrays, weights)
    positions = check if check is not None else [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    for i in positions:
        numeric = numeric_gradient(fn, arrays, i, weights, eps)
        got = analytic[i]
        if got.shape != numeric.shape:
            raise GradcheckError(f"input {i}: gradient shape {got.shape}, expected {numeric.shape}")
        if got.dtype != np.float64:
            raise GradcheckError(f"input {i}: gradient dtype {got.dtype}, expected float64 (a silent cast)")
        if not np.allclose(got, numeric, atol=atol, rtol=rtol):
            worst = np.unravel_index(np.argmax(np.abs(got - numeric)), got.shape)
            raise GradcheckError(
                f"input {i}: analytic and numeric gradients differ; worst at {worst}: "
                f"analytic {got[worst]!r}, numeric {numeric[worst]!r}"
            )
    return True
