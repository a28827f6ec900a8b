"""``rearrange``: einops' notation for reshaping and transposing in one call.

``"b (h h1) w c -> b h (w h1) c"`` names every elementary axis; parentheses
group axes that are one axis of the tensor. The input is reshaped into its
elementary axes, transposed into the output's order and reshaped into the
output's groups, so the gradient is the one of reshape and transpose.
"""

import re

import numpy as np

from glassnet.ops._convert import as_input, data_of
from glassnet.ops.shaping import reshape, transpose


def _groups(side, pattern):
    """``"b (h h1) c"`` as [["b"], ["h", "h1"], ["c"]]."""
    tokens = re.findall(r"\(|\)|[A-Za-z_]\w*|\S", side)
    groups, current = [], None
    for token in tokens:
        if token == "(" and current is None:
            current = []
        elif token == ")" and current is not None:
            groups.append(current)
            current = None
        elif re.fullmatch(r"[A-Za-z_]\w*", token) and current is None:
            groups.append([token])
        elif re.fullmatch(r"[A-Za-z_]\w*", token):
            current.append(token)
        else:
            raise ValueError(f"rearrange: cannot read {token!r} in the pattern {pattern!r}; use axis names, "
                             f"parentheses and '->'")
    if current is not None:
        raise ValueError(f"rearrange: unbalanced parentheses in the pattern {pattern!r}")
    return groups


def _axis_sizes(groups, shape, axes_lengths, pattern):
    """The size of every elementary input axis, inferring at most one unknown per group."""
    if len(groups) != len(shape):
        raise ValueError(f"rearrange: the pattern {pattern!r} names {len(groups)} input axes, but the tensor "
                         f"has shape {shape}")
    sizes = {}
    for group, size in zip(groups, shape):
        known = {a: int(axes_lengths[a]) for a in group if a in axes_lengths}
        unknown = [a for a in group if a not in known]
        product = int(np.prod(list(known.values()), dtype=np.int64))
        if len(unknown) > 1:
            raise ValueError(f"rearrange: give the lengths of all but one of {group} (pattern {pattern!r})")
        if unknown:
            if product == 0 or size % product:
                raise ValueError(f"rearrange: axis of size {size} cannot be split into {group} with {known}")
            known[unknown[0]] = size // product
        elif product != size:
            raise ValueError(f"rearrange: {group} with lengths {known} has size {product}, but the axis has {size}")
        sizes.update(known)
    return sizes


def rearrange(tensor, pattern, **axes_lengths):
    """Reshape and transpose ``tensor`` as the einops ``pattern`` says ("b h w c -> b (h w) c");
    ``axes_lengths`` give the sizes of split axes (``h1=2``)."""
    if "->" not in pattern:
        raise ValueError(f"rearrange: the pattern must contain '->', got {pattern!r}")
    tensor = as_input(tensor)
    left, right = pattern.split("->", 1)
    inputs, outputs = _groups(left, pattern), _groups(right, pattern)
    names_in = [a for g in inputs for a in g]
    names_out = [a for g in outputs for a in g]
    if sorted(names_in) != sorted(names_out) or len(set(names_in)) != len(names_in):
        raise ValueError(f"rearrange: both sides of {pattern!r} must name the same axes, each once; got "
                         f"{names_in} and {names_out}")
    sizes = _axis_sizes(inputs, tuple(data_of(tensor).shape), axes_lengths, pattern)
    elementary = reshape(tensor, [sizes[a] for a in names_in])
    moved = transpose(elementary, [names_in.index(a) for a in names_out])
    return reshape(moved, [int(np.prod([sizes[a] for a in g], dtype=np.int64)) for g in outputs])
