"""Checking the integer arguments of padding, cropping and upsampling layers, with errors naming the layer."""

import numbers


def _who(layer):
    return f"{type(layer).__name__} '{layer.name}'"


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def int_tuple(layer, value, n, name, allow_zero=True):
    """``2 -> (2, 2)``; ``(1, 3) -> (1, 3)``; each entry a non-negative (or positive) integer."""
    values = (value,) * n if _is_int(value) else value
    try:
        values = tuple(values)
    except TypeError:
        values = None
    smallest = 0 if allow_zero else 1
    if values is None or len(values) != n or not all(_is_int(v) and v >= smallest for v in values):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{_who(layer)}: `{name}` must be a {kind} integer or a tuple of {n} {kind} integers, "
                         f"got {name}={value!r}")
    return tuple(int(v) for v in values)


def pairs_2d(layer, value, name):
    """Keras' 2-D padding/cropping forms: ``1``, ``(h, w)`` or ``((top, bottom), (left, right))``."""
    return pairs_nd(layer, value, name, 2)


def pairs_nd(layer, value, name, rank):
    """Keras' padding/cropping forms over ``rank`` spatial axes: ``1``, ``(a, b, ...)`` (symmetric per axis)
    or ``((a_before, a_after), (b_before, b_after), ...)``."""
    if _is_int(value):
        if value < 0:
            raise ValueError(f"{_who(layer)}: `{name}` cannot be negative, got {name}={value!r}")
        return ((int(value), int(value)),) * rank
    if not hasattr(value, "__len__") or len(value) != rank:
        raise ValueError(f"{_who(layer)}: `{name}` must be an integer, a tuple of {rank} integers (one per spatial "
                         f"axis) or a tuple of {rank} (before, after) pairs, got {name}={value!r}")
    return tuple(int_tuple(layer, item, 2, f"{name}[{axis}]") for axis, item in enumerate(value))


def check_data_format(layer, data_format):
    """glassnet images are channels_last (NHWC): accept None or "channels_last" only."""
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{_who(layer)}: only data_format='channels_last' (NHWC) is supported, "
                         f"got data_format={data_format!r}")
    return "channels_last"
