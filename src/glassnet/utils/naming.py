"""Names: snake_case of class names and the unique-name counter (``dense``, ``dense_1``)."""

import re
import threading

_name_counts = {}  # process-wide, as in Keras: layers made in any thread get distinct names
_lock = threading.Lock()


def to_snake_case(name):
    """``"BatchNormalization"`` -> ``"batch_normalization"``, ``"Conv2D"`` -> ``"conv2d"``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base):
    """Return ``base`` the first time, then ``base_1``, ``base_2``, ... (as Keras does)."""
    with _lock:
        count = _name_counts.get(base, 0)
        _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def next_uid(prefix):
    """How many times ``prefix`` has been asked for, this time included (``keras.backend.get_uid``)."""
    with _lock:
        _name_counts[prefix] = _name_counts.get(prefix, 0) + 1
        return _name_counts[prefix]


def reset_names():
    """Forget the names handed out (``clear_session``)."""
    with _lock:
        _name_counts.clear()
