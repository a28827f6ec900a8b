"""Random numbers, as ``keras.random``: one seeded source for weights, shuffling, dropout and augmentation.

``set_random_seed(seed)`` resets the global generator: the same seed gives the
same initial weights, the same shuffling order and the same dropout masks, so
a CPU run repeats bit for bit. Layers and initializers given their own
``seed`` get a private generator (``SeedGenerator``) and do not disturb the
global one.

The sampling functions take Keras 3's arguments and a ``seed`` that is one of

    None             draw from the global generator (``set_random_seed`` governs it)
    an int           a fresh generator of that seed: the same values on every call
    a SeedGenerator  its own stream: a new draw on every call, repeatable from its seed

and return Tensors of ``dtype`` (floats default to ``config.floatx()``).
The distributions, for reference:

    normal            N(mean, stddev^2)
    truncated_normal  N(mean, stddev^2) with draws beyond 2 stddev drawn again
    uniform           U[minval, maxval)          randint  integers in [minval, maxval)
    gamma             p(x) = x^(alpha-1) e^(-x) / Gamma(alpha), x > 0 (scale 1)
    beta              p(x) = x^(a-1) (1-x)^(b-1) / B(a, b), 0 < x < 1
    binomial          successes in ``counts`` trials of probability ``probabilities``
    categorical       class i with probability softmax(logits)_i
"""

import numbers
import random as _python_random

import numpy as np

from glassnet import config, ops
from glassnet.autodiff.tensor import Tensor

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


def _check_integer_seed(seed, who):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
        raise ValueError(f"{who}: `seed` must be a non-negative integer or None, got seed={seed!r}")


class SeedGenerator:
    """A random source for one layer, initializer or loop of ``keras.random`` calls.

    With ``seed=None`` it draws from the global generator (so
    ``set_random_seed`` governs it); with an integer seed it owns a private
    generator that repeats the same sequence every time it is created. Each
    draw advances it, so passing one SeedGenerator to several
    ``glassnet.random`` calls gives new values every time.
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if kwargs:
            raise ValueError(f"SeedGenerator got unexpected keyword argument(s) {sorted(kwargs)}")
        _check_integer_seed(seed, "SeedGenerator")
        self.seed = seed
        self.name = name or "seed_generator"
        self._generator = None if seed is None else np.random.default_rng(seed)

    @property
    def generator(self):
        """The ``numpy.random.Generator`` to draw from now."""
        return self._generator if self._generator is not None else _global_generator

    def next(self, ordered=True):
        """Advance and return a new seed: two uint32 values (Keras' seed state)."""
        return self.generator.integers(0, 2**32, size=2, dtype=np.uint32)

    def get_config(self):
        return {"seed": self.seed}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def make_generator(seed=None):
    """Return a generator: the global one for None, a SeedGenerator's, or a fresh one for an int."""
    if seed is None:
        return _global_generator
    if isinstance(seed, SeedGenerator):
        return seed.generator
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"`seed` must be None, a non-negative integer or a glassnet.random.SeedGenerator, "
                         f"got seed={seed!r}")
    return np.random.default_rng(int(seed))


# --- argument checks ----------------------------------------------------------


def _shape(shape, who):
    """``shape`` as a tuple of non-negative ints (an int is a 1-D shape)."""
    dims = (shape,) if isinstance(shape, numbers.Integral) else shape
    try:
        dims = tuple(dims)
    except TypeError:
        dims = None
    if dims is None or not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 0
                               for d in dims):
        raise ValueError(f"{who}: `shape` must be a tuple of non-negative integers, got shape={shape!r}")
    return tuple(int(d) for d in dims)


def _float_dtype(dtype, who):
    dtype = np.dtype(config.floatx() if dtype is None else dtype)
    if dtype.kind != "f":
        raise ValueError(f"{who} requires a floating point `dtype`, got dtype={dtype}")
    return dtype


def _int_dtype(dtype, who):
    dtype = np.dtype(dtype)
    if dtype.kind not in "iu":
        raise ValueError(f"{who} requires an integer `dtype`, got dtype={dtype}")
    return dtype


def _values(value):
    """A number, array or Tensor as an array (parameters of a distribution)."""
    return np.asarray(value.data if isinstance(value, Tensor) else value)


def _standard_normal(generator, shape, dtype):
    draw_dtype = dtype if dtype in (np.float32, np.float64) else np.float32
    return generator.standard_normal(shape, dtype=draw_dtype)


# --- the distributions ----------------------------------------------------------


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of N(mean, stddev^2): ``mean + stddev * z`` with z standard normal."""
    shape, dtype = _shape(shape, "normal"), _float_dtype(dtype, "normal")
    z = _standard_normal(make_generator(seed), shape, dtype)
    return Tensor((z * _values(stddev) + _values(mean)).astype(dtype, copy=False))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """N(mean, stddev^2) restricted to two standard deviations: draws with |z| > 2 are drawn again."""
    shape, dtype = _shape(shape, "truncated_normal"), _float_dtype(dtype, "truncated_normal")
    generator = make_generator(seed)
    z = _standard_normal(generator, shape, dtype)
    outside = np.abs(z) > 2.0
    while outside.any():  # about 4.6% of the draws per round
        z[outside] = _standard_normal(generator, (int(outside.sum()),), dtype)
        outside = np.abs(z) > 2.0
    return Tensor((z * _values(stddev) + _values(mean)).astype(dtype, copy=False))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of U[minval, maxval): ``minval + (maxval - minval) * u`` with u in [0, 1)."""
    shape, dtype = _shape(shape, "uniform"), _float_dtype(dtype, "uniform")
    low, high = _values(minval), _values(maxval)
    u = make_generator(seed).random(shape, dtype=np.float64)
    values = (low + (high - low) * u).astype(dtype)
    # rounding to float32 can land on maxval itself; keep the upper bound excluded
    values = np.where(values >= high, np.nextafter(high.astype(dtype), low.astype(dtype)), values)
    return Tensor(values.astype(dtype, copy=False))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from [minval, maxval)."""
    shape, dtype = _shape(shape, "randint"), _int_dtype(dtype, "randint")
    low, high = _values(minval), _values(maxval)
    if np.any(high <= low):
        raise ValueError(f"randint needs minval < maxval, got minval={minval!r}, maxval={maxval!r}")
    return Tensor(make_generator(seed).integers(low, high, size=shape).astype(dtype))


def categorical(logits, num_samples, dtype="int32", seed=None):
    """For each row of (batch, classes) ``logits``, ``num_samples`` class indices drawn from softmax(logits).

    Inverse-CDF sampling, all rows at once: row r's cumulative probabilities
    are shifted by r, so one sorted search serves the whole batch.
    """
    logits = _values(logits).astype(np.float64)
    if logits.ndim != 2:
        raise ValueError(f"categorical: `logits` should be a 2-D tensor of shape (batch_size, num_classes), got "
                         f"shape {logits.shape}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, numbers.Integral) or num_samples < 0:
        raise ValueError(f"categorical: `num_samples` must be a non-negative integer, got {num_samples!r}")
    dtype = _int_dtype(dtype, "categorical")
    batch, classes = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted)
    cdf = np.cumsum(probabilities, axis=1) / probabilities.sum(axis=1, keepdims=True)
    cdf[:, -1] = 1.0
    offsets = np.arange(batch, dtype=np.float64)[:, None]
    u = make_generator(seed).random((batch, int(num_samples)))
    found = np.searchsorted((cdf + offsets).ravel(), (u + offsets).ravel(), side="right")
    samples = found.reshape(batch, int(num_samples)) - np.arange(batch)[:, None] * classes
    return Tensor(np.minimum(samples, classes - 1).astype(dtype))


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples of the Gamma(alpha, 1) distribution (``alpha`` > 0, broadcast against ``shape``)."""
    shape, dtype = _shape(shape, "gamma"), _float_dtype(dtype, "gamma")
    alpha = _values(alpha)
    if np.any(alpha <= 0):
        raise ValueError(f"gamma: `alpha` must be positive, got alpha={alpha}")
    return Tensor(make_generator(seed).standard_gamma(alpha, size=shape).astype(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples of the Beta(alpha, beta) distribution on (0, 1) (both parameters positive)."""
    shape, dtype = _shape(shape, "beta"), _float_dtype(dtype, "beta")
    a, b = _values(alpha), _values(beta)
    if np.any(a <= 0) or np.any(b <= 0):
        raise ValueError(f"beta: `alpha` and `beta` must be positive, got alpha={a}, beta={b}")
    return Tensor(make_generator(seed).beta(a, b, size=shape).astype(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Successes in ``counts`` independent trials each of probability ``probabilities``, as floats."""
    shape, dtype = _shape(shape, "binomial"), _float_dtype(dtype, "binomial")
    n, p = _values(counts), _values(probabilities)
    if np.any(n < 0) or np.any((p < 0) | (p > 1)):
        raise ValueError(f"binomial: `counts` must be >= 0 and `probabilities` in [0, 1], got counts={n}, "
                         f"probabilities={p}")
    return Tensor(make_generator(seed).binomial(np.rint(n).astype(np.int64), p, size=shape).astype(dtype))


# --- functions of a tensor --------------------------------------------------------


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Inverted dropout: each value zeroed with probability ``rate``, the rest scaled by 1 / (1 - rate).

    Differentiable with respect to ``inputs`` (the gradient is the same mask).
    ``noise_shape`` draws one decision per entry of a smaller shape, broadcast
    over the axes where it is 1 (None entries take the input's size).
    """
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"dropout: `rate` must be a number in [0, 1), got rate={rate!r}")
    inputs = ops.convert_to_tensor(inputs)
    if noise_shape is not None:
        noise_shape = tuple(noise_shape)
        if len(noise_shape) != inputs.ndim or any(
                n is not None and n not in (1, d) for n, d in zip(noise_shape, inputs.shape)):
            raise ValueError(f"dropout: `noise_shape` {noise_shape} does not broadcast to the input shape "
                             f"{tuple(inputs.shape)}")
    if rate == 0:
        return inputs
    return ops.dropout(inputs, float(rate), make_generator(seed), noise_shape=noise_shape)


def shuffle(x, axis=0, seed=None):
    """``x`` with its entries along ``axis`` in a random order (one permutation; differentiable)."""
    x = ops.convert_to_tensor(x)
    if x.ndim == 0 or not -x.ndim <= axis < x.ndim:
        raise ValueError(f"shuffle: `axis` {axis!r} is out of range for an input of shape {tuple(x.shape)}")
    order = make_generator(seed).permutation(x.shape[axis])
    return ops.take(x, order, axis=axis)
