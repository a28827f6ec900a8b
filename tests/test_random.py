"""glassnet.random as keras.random: distributions, seeding, SeedGenerator, dropout and shuffle."""

import inspect
import os

import numpy as np
import pytest

import glassnet
from glassnet import random as gr
from glassnet.autodiff import Tensor, gradcheck

N = 200_000


def arr(t):
    assert isinstance(t, Tensor)
    return t.numpy()


def test_keras_random_is_this_module():
    import glassnet as keras

    assert keras.random is gr
    assert keras.random.normal is gr.normal and keras.random.SeedGenerator is gr.SeedGenerator


def test_signatures_match_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    for name in ("normal", "uniform", "truncated_normal", "randint", "categorical", "dropout", "shuffle", "gamma",
                 "beta", "binomial"):
        ours = inspect.signature(getattr(gr, name)).parameters
        theirs = inspect.signature(getattr(keras.random, name)).parameters
        assert [(p.name, p.default) for p in ours.values()] == [(p.name, p.default) for p in theirs.values()], name


def test_normal_moments_and_dtypes():
    x = arr(gr.normal((N,), mean=2.0, stddev=3.0, seed=1))
    assert x.dtype == np.float32 and x.shape == (N,)
    assert abs(x.mean() - 2.0) < 0.05 and abs(x.std() - 3.0) < 0.05
    assert arr(gr.normal((2, 3), dtype="float64")).dtype == np.float64
    assert arr(gr.normal(4)).shape == (4,)


def test_uniform_range_and_moments():
    x = arr(gr.uniform((N,), minval=-1.0, maxval=3.0, seed=2))
    assert x.dtype == np.float32 and x.min() >= -1.0 and x.max() < 3.0
    assert abs(x.mean() - 1.0) < 0.02 and abs(x.var() - 16 / 12) < 0.02


def test_uniform_never_reaches_maxval_after_rounding():
    # float32 rounding of values just below 1 + 1e-8 would give maxval itself
    x = arr(gr.uniform((N,), minval=1.0, maxval=1.0 + 1e-7, seed=3))
    assert x.max() < np.float32(1.0 + 1e-7) and x.min() >= 1.0


def test_truncated_normal_stays_within_two_stddev():
    x = arr(gr.truncated_normal((N,), mean=1.0, stddev=2.0, seed=4))
    assert np.abs(x - 1.0).max() <= 4.0 + 1e-6
    # the standard deviation of N(0, 1) truncated to [-2, 2] is 0.8796
    assert abs(x.std() - 2.0 * 0.8796) < 0.02 and abs(x.mean() - 1.0) < 0.02


def test_randint_covers_its_range_and_keeps_dtype():
    x = arr(gr.randint((N,), minval=-3, maxval=4, seed=5))
    assert x.dtype == np.int32 and set(np.unique(x)) == set(range(-3, 4))
    counts = np.bincount(x + 3) / N
    np.testing.assert_allclose(counts, 1 / 7, atol=0.01)
    assert arr(gr.randint((3,), 0, 5, dtype="int64")).dtype == np.int64


def test_categorical_frequencies_follow_softmax():
    logits = np.log(np.array([[0.2, 0.5, 0.3, 0.0], [0.0, 0.0, 0.0, 1.0]]) + 1e-30)
    x = arr(gr.categorical(logits, 50_000, seed=6))
    assert x.shape == (2, 50_000) and x.dtype == np.int32
    np.testing.assert_allclose(np.bincount(x[0], minlength=4) / 50_000, [0.2, 0.5, 0.3, 0.0], atol=0.01)
    assert (x[0] != 3).all() and (x[1] == 3).all()
    y = arr(gr.categorical(np.array([[-np.inf, 0.0, -np.inf]]), 100, seed=1))
    assert (y == 1).all()


def test_gamma_beta_binomial_moments():
    g = arr(gr.gamma((N,), alpha=3.0, seed=7))
    assert g.dtype == np.float32 and g.min() > 0
    assert abs(g.mean() - 3.0) < 0.03 and abs(g.var() - 3.0) < 0.1
    b = arr(gr.beta((N,), alpha=2.0, beta=5.0, seed=8))
    assert 0 < b.min() and b.max() < 1 and abs(b.mean() - 2 / 7) < 0.005
    assert abs(b.var() - 10 / (49 * 8)) < 0.002
    n = arr(gr.binomial((N,), counts=10, probabilities=0.3, seed=9))
    assert n.dtype == np.float32 and set(np.unique(n)) <= set(range(11))
    assert abs(n.mean() - 3.0) < 0.02 and abs(n.var() - 2.1) < 0.05
    rows = arr(gr.binomial((2, 3), counts=np.array([0.0, 5.0, 10.0]), probabilities=1.0))
    np.testing.assert_array_equal(rows, [[0, 5, 10], [0, 5, 10]])


SAMPLERS = {
    "normal": lambda seed: gr.normal((5,), seed=seed),
    "uniform": lambda seed: gr.uniform((5,), seed=seed),
    "truncated_normal": lambda seed: gr.truncated_normal((5,), seed=seed),
    "randint": lambda seed: gr.randint((5,), 0, 1000, seed=seed),
    "categorical": lambda seed: gr.categorical(np.zeros((1, 100)), 5, seed=seed),
    "gamma": lambda seed: gr.gamma((5,), 2.0, seed=seed),
    "beta": lambda seed: gr.beta((5,), 2.0, 2.0, seed=seed),
    "binomial": lambda seed: gr.binomial((5,), 1000, 0.5, seed=seed),
    "dropout": lambda seed: gr.dropout(np.ones(50, "float32"), 0.5, seed=seed),
    "shuffle": lambda seed: gr.shuffle(np.arange(50), seed=seed),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_seeding(name):
    draw = SAMPLERS[name]
    np.testing.assert_array_equal(arr(draw(11)), arr(draw(11)))  # an int seed repeats bit for bit
    assert not np.array_equal(arr(draw(11)), arr(draw(12)))
    glassnet.utils.set_random_seed(3)
    first = [arr(draw(None)), arr(draw(None))]
    assert not np.array_equal(*first)  # the global generator advances
    glassnet.utils.set_random_seed(3)
    np.testing.assert_array_equal(np.stack(first), np.stack([arr(draw(None)), arr(draw(None))]))
    seeds = gr.SeedGenerator(5)
    a, b = arr(draw(seeds)), arr(draw(seeds))
    assert not np.array_equal(a, b)  # a SeedGenerator advances on every draw
    again = gr.SeedGenerator(5)
    np.testing.assert_array_equal(np.stack([a, b]), np.stack([arr(draw(again)), arr(draw(again))]))


def test_seed_generator_keeps_the_global_stream_and_config():
    glassnet.utils.set_random_seed(0)
    expected = arr(gr.normal((4,)))
    glassnet.utils.set_random_seed(0)
    gr.normal((4,), seed=gr.SeedGenerator(1))
    gr.normal((4,), seed=99)
    np.testing.assert_array_equal(arr(gr.normal((4,))), expected)
    generator = gr.SeedGenerator(17)
    assert gr.SeedGenerator.from_config(generator.get_config()).seed == 17
    first, second = generator.next(), generator.next()
    assert first.shape == (2,) and not np.array_equal(first, second)


def test_dropout_scales_kept_values_and_is_differentiable():
    x = np.ones((400, 100), "float32")
    y = arr(gr.dropout(x, 0.25, seed=1))
    assert abs((y == 0).mean() - 0.25) < 0.01
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.75], rtol=1e-6)
    z = arr(gr.dropout(x, 0.5, noise_shape=(None, 1), seed=2))  # one decision per row
    assert ((z == 0).all(axis=1) | (z != 0).all(axis=1)).all()
    np.testing.assert_array_equal(arr(gr.dropout(x, 0.0)), x)
    assert gradcheck(lambda t: gr.dropout(t, 0.4, seed=3), [np.random.default_rng(0).standard_normal((4, 5))])


def test_shuffle_permutes_along_an_axis_and_is_differentiable():
    x = np.arange(24).reshape(4, 6)
    rows = arr(gr.shuffle(x, seed=1))
    assert sorted(map(tuple, rows)) == sorted(map(tuple, x))
    cols = arr(gr.shuffle(x, axis=1, seed=1))
    np.testing.assert_array_equal(np.sort(cols, axis=1), x)
    assert not np.array_equal(cols, x)
    assert gradcheck(lambda t: gr.shuffle(t, axis=1, seed=4), [np.random.default_rng(0).standard_normal((3, 5))])


@pytest.mark.parametrize("call, message", [
    (lambda: gr.normal((2, -1)), "`shape` must be a tuple of non-negative integers"),
    (lambda: gr.normal((2, 2), dtype="int32"), "requires a floating point `dtype`"),
    (lambda: gr.uniform((2,), dtype="int32"), "requires a floating point `dtype`"),
    (lambda: gr.randint((2,), 0, 5, dtype="float32"), "requires an integer `dtype`"),
    (lambda: gr.randint((2,), 5, 5), "minval < maxval"),
    (lambda: gr.normal((2,), seed="a"), "`seed` must be None, a non-negative integer or a"),
    (lambda: gr.normal((2,), seed=1.5), "`seed` must be None"),
    (lambda: gr.categorical(np.zeros(3), 2), "should be a 2-D tensor"),
    (lambda: gr.categorical(np.zeros((1, 3)), -1), "`num_samples` must be a non-negative integer"),
    (lambda: gr.gamma((2,), 0.0), "`alpha` must be positive"),
    (lambda: gr.beta((2,), 1.0, -1.0), "must be positive"),
    (lambda: gr.binomial((2,), 3, 1.5), "`probabilities` in \\[0, 1\\]"),
    (lambda: gr.dropout(np.ones(3), 1.0), "`rate` must be a number in \\[0, 1\\)"),
    (lambda: gr.dropout(np.ones((2, 3)), 0.5, noise_shape=(2, 2)), "does not broadcast"),
    (lambda: gr.shuffle(np.ones((2, 3)), axis=2), "`axis` 2 is out of range"),
    (lambda: gr.SeedGenerator("x"), "`seed` must be a non-negative integer or None"),
])
def test_bad_arguments_get_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
