"""``keras.config.set_max_epochs`` and ``set_max_steps_per_epoch`` applied to fit, evaluate and predict.

For quick debugging runs: the caps shorten every loop, with a warning, as
Keras does; a loop already shorter than the cap is left alone.
"""

import warnings

from glassnet import config


def limited_epochs(epochs):
    """``epochs``, or the ``max_epochs`` cap when that is smaller."""
    cap = config.max_epochs()
    if cap and cap < epochs:
        warnings.warn(f"Limiting epochs to {cap} (keras.config.set_max_epochs)", stacklevel=3)
        return cap
    return epochs


def limited_steps(steps, available):
    """The steps one epoch runs: ``steps`` (or all ``available`` batches), at most the ``max_steps_per_epoch`` cap."""
    cap = config.max_steps_per_epoch()
    planned = steps if steps is not None else available
    if cap and (planned is None or cap < planned):
        warnings.warn(f"Limiting steps_per_epoch to {cap} (keras.config.set_max_steps_per_epoch)", stacklevel=3)
        return cap
    return steps
