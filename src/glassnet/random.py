"""One seeded source of randomness for weights, shuffling, dropout and augmentation.

``set_random_seed(seed)`` resets it: the same seed gives the same initial
weights, the same shuffling order and the same dropout masks, so a CPU run
repeats bit for bit. Layers and initializers given their own ``seed`` get a
private generator (``SeedGenerator``) and do not disturb the global one.
"""

import random as _python_random

import numpy as np

_global_generator = np.random.default_rng()


def set_random_seed(seed):
    """Seed glassnet, NumPy's legacy global state and Python's ``random``."""
    global _global_generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError(f"set_random_seed expects an integer seed, got {seed!r}")
    seed = int(seed)
    _python_random.seed(seed)
    np.random.seed(seed % (2**32))
    _global_generator = np.random.default_rng(seed)


def global_generator():
    """Return the process-wide ``numpy.random.Generator`` glassnet draws from."""
    return _global_generator


class SeedGenerator:
    """A random source for one layer or initializer.

    With ``seed=None`` it draws from the global generator (so
    ``set_random_seed`` governs it); with an integer seed it owns a private
    generator that repeats the same sequence every time it is created.
    """

    def __init__(self, seed=None):
        self.seed = seed
        self._generator = None if seed is None else np.random.default_rng(seed)

    @property
    def generator(self):
        """The ``numpy.random.Generator`` to draw from now."""
        return self._generator if self._generator is not None else _global_generator


def make_generator(seed=None):
    """Return a generator: private when ``seed`` is an int, else the global one."""
    if seed is None:
        return _global_generator
    if isinstance(seed, SeedGenerator):
        return seed.generator
    return np.random.default_rng(seed)
