"""Einstein summation, differentiable in every operand.

For ``y = einsum("ij,jk->ik", a, b)`` each operand's gradient is itself an
einsum: the output's gradient contracted with the other operands, written
back onto the operand's own subscripts,

    da = einsum("ik,jk->ij", dy, b),   db = einsum("ij,ik->jk", a, dy).

In general, for operand i with subscripts s_i:

    d x_i = einsum(out, s_1, .., s_{i-1}, s_{i+1}, .. -> s_i)(dy, x_1, ..).

Two cases need more than one einsum: a letter that appears only in x_i (it
was summed away, so its gradient is dy broadcast along it), and a letter
repeated inside s_i (``"ii->i"``, a diagonal: the gradient fills that
diagonal of a zero array). Ellipses are expanded into explicit letters
first, so the rules above cover them too.
"""

import string

import numpy as np

from glassnet import config
from glassnet.autodiff.function import Function
from glassnet.backend import get_array_module
from glassnet.ops._convert import as_input

_LETTERS = string.ascii_letters


def _expand_ellipsis(spec, ndim, letters):
    """``spec`` with its ``...`` replaced by the last ``ndim - len(spec) + 3`` of ``letters``."""
    if "..." not in spec:
        if len(spec) != ndim:
            raise ValueError(f"einsum: the subscripts {spec!r} name {len(spec)} axes, but the operand has {ndim} "
                             "(add '...' to stand for the others)")
        return spec
    count = ndim - (len(spec) - 3)
    if count < 0:
        raise ValueError(f"einsum: the subscripts {spec!r} name more axes than the operand's {ndim}")
    return spec.replace("...", letters[len(letters) - count:] if count else "")


def parse_subscripts(subscripts, ndims):
    """``(input specs, output spec)`` with every ellipsis expanded into explicit letters.

    Without ``->`` the output is NumPy's implicit one: the ellipsis axes, then
    the letters used exactly once, in alphabetical order.
    """
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: subscripts must be a string such as 'ij,jk->ik', got {subscripts!r}")
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    specs = inputs.split(",")
    if len(specs) != len(ndims):
        raise ValueError(f"einsum: the subscripts {subscripts!r} describe {len(specs)} operand(s), "
                         f"got {len(ndims)}")
    used = set(subscripts) - set(".,->")
    bad = sorted(c for c in used if c not in _LETTERS)
    if bad:
        raise ValueError(f"einsum: subscripts must be letters, got {bad} in {subscripts!r}")
    free = [c for c in _LETTERS if c not in used]
    widest = max([nd - (len(s) - 3) for s, nd in zip(specs, ndims) if "..." in s] or [0])
    ellipsis = "".join(free[:widest])
    expanded = [_expand_ellipsis(s, nd, ellipsis) for s, nd in zip(specs, ndims)]
    if arrow:
        out = output.replace("...", ellipsis)
    else:
        counts = {c: "".join(expanded).count(c) for c in set("".join(expanded))}
        out = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ellipsis))
    unknown = sorted(set(out) - set("".join(expanded)))
    if unknown:
        raise ValueError(f"einsum: output subscripts {unknown} of {subscripts!r} appear in no operand")
    return expanded, out


class Einsum(Function):
    """y = einsum(subscripts, x_1, .., x_n);  dx_i = einsum(out, others -> s_i)(dy, others)"""

    def __init__(self, subscripts):
        self.subscripts = subscripts

    def forward(self, *operands):
        xp = get_array_module(*operands)
        self.specs, self.out = parse_subscripts(self.subscripts, [x.ndim for x in operands])
        self.operands = operands
        self.shapes = [x.shape for x in operands]
        equation = ",".join(self.specs) + "->" + self.out
        return xp.einsum(equation, *operands, optimize=True)  # BLAS (tensordot) where it can: 30x on attention

    def backward(self, gy):
        return tuple(self._operand_grad(i, gy) if need else None
                     for i, need in enumerate(self.needs_input_grad))

    def _operand_grad(self, i, gy):
        xp = get_array_module(gy)
        spec = self.specs[i]
        others = [(s, x) for j, (s, x) in enumerate(zip(self.specs, self.operands)) if j != i]
        elsewhere = set(self.out).union(*[set(s) for s, _ in others])
        unique = "".join(dict.fromkeys(spec))
        kept = "".join(c for c in unique if c in elsewhere)
        equation = ",".join([self.out] + [s for s, _ in others]) + "->" + kept
        grad = xp.einsum(equation, gy, *[x for _, x in others], optimize=True)
        sizes = {c: n for c, n in zip(spec, self.shapes[i])}
        if kept != unique:  # letters summed away inside x_i alone: broadcast the gradient along them
            grad = grad.reshape([grad.shape[kept.index(c)] if c in kept else 1 for c in unique])
            grad = xp.broadcast_to(grad, [grad.shape[k] if c in kept else sizes[c] for k, c in enumerate(unique)])
        if unique != spec:  # a repeated letter: write into the diagonal of a zero array
            full = xp.zeros(self.shapes[i], dtype=gy.dtype)
            diagonal = xp.einsum(spec + "->" + unique, full)
            diagonal[...] = grad
            return full
        return xp.ascontiguousarray(grad)


def einsum(subscripts, *operands):
    """Einstein summation over ``operands`` as ``numpy.einsum`` (``"ij,jk->ik"``, ``"...ij->...ji"``)."""
    if not operands:
        raise ValueError("einsum needs at least one operand after the subscripts")
    operands = [as_input(x) for x in operands]
    operands = [np.asarray(x, dtype=config.floatx()) if isinstance(x, (int, float)) else x for x in operands]
    return Einsum.apply(*operands, subscripts=subscripts)
