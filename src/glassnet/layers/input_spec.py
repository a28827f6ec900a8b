"""What a layer accepts, checked on every call with an error that says what to fix."""

import math


class InputSpec:
    """Constraints on a layer input: rank (``ndim``, ``min_ndim``, ``max_ndim``),
    fixed sizes on some axes (``axes={-1: 784}``) or a whole ``shape``."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None):
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = dict(axes or {})
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name


def _rank_phrase(spec):
    if spec.ndim is not None:
        return f"{spec.ndim} dimensions"
    if spec.min_ndim is not None and spec.max_ndim is not None:
        return f"{spec.min_ndim} to {spec.max_ndim} dimensions"
    if spec.min_ndim is not None:
        return f"at least {spec.min_ndim} dimensions"
    return f"at most {spec.max_ndim} dimensions"


def _rank_hint(layer, spec, shape):
    expected = spec.ndim or spec.min_ndim
    if expected == 4 and len(shape) == 3:
        return (" Images need a channels axis: x[..., None] turns (N, 28, 28) into (N, 28, 28, 1). "
                "(If this is a single image, add the batch axis instead: x[None].)")
    if expected is not None and len(shape) == expected - 1:
        return " Did you pass a single sample? Add the batch axis, e.g. x[None] or x.reshape(1, ...)."
    return ""


def _axis_hint(spec, shape, axis, expected):
    if axis in (-1, len(shape) - 1) and len(shape) > 2 and math.prod(shape[1:]) == expected:
        return " Did you forget Flatten()?"
    return ""


def check_input(layer, spec, shape, index=0):
    """Raise a ValueError naming ``layer`` if an input of ``shape`` breaks ``spec``."""
    shape = tuple(shape)
    who = f"{type(layer).__name__} '{layer.name}'"
    which = f" input {index}" if index else ""
    rank = len(shape)
    if (spec.ndim is not None and rank != spec.ndim) or (spec.min_ndim is not None and rank < spec.min_ndim) or (
        spec.max_ndim is not None and rank > spec.max_ndim
    ):
        raise ValueError(
            f"{who}{which} expects inputs with {_rank_phrase(spec)} (batch axis included), "
            f"got shape {shape}.{_rank_hint(layer, spec, shape)}"
        )
    for axis, expected in spec.axes.items():
        if expected is None:
            continue
        size = shape[axis] if -rank <= axis < rank else None
        if size is not None and size != expected:
            position = "last dimension" if axis in (-1, rank - 1) else f"dimension {axis}"
            raise ValueError(
                f"{who}{which} expects inputs with {position} {expected}, got {shape}."
                f"{_axis_hint(spec, shape, axis, expected)}"
            )
    if spec.shape is not None:
        for axis, (size, expected) in enumerate(zip(shape, spec.shape)):
            if expected is not None and size is not None and size != expected:
                raise ValueError(f"{who}{which} expects inputs of shape {spec.shape}, got {shape}.")
