"""Names: snake_case of class names and the unique-name counter (``dense``, ``dense_1``)."""

import re

_name_counts = {}


def to_snake_case(name):
    """``"BatchNormalization"`` -> ``"batch_normalization"``, ``"Conv2D"`` -> ``"conv2d"``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base):
    """Return ``base`` the first time, then ``base_1``, ``base_2``, ... (as Keras does)."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def reset_names():
    """Forget the names handed out (``clear_session``)."""
    _name_counts.clear()
