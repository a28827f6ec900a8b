"""Initializers: Keras names and defaults, distributions (statistically), seeds, fans, lookup errors."""

import math

import numpy as np
import pytest

import glassnet
from glassnet import initializers

# Standard deviation of a standard normal truncated at +-2 (Keras divides by this constant).
_TRUNC_STD = math.sqrt(1 - 4 * math.exp(-2.0) / math.sqrt(2 * math.pi) / math.erf(2 / math.sqrt(2)))


def test_truncation_constant_is_keras_constant():
    assert _TRUNC_STD == pytest.approx(0.87962566103423978, rel=1e-9)


# --- fans -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,fans", [
    ((), (1, 1)),
    ((7,), (7, 7)),
    ((30, 20), (30, 20)),
    ((3, 8, 16), (3 * 8, 3 * 16)),             # Conv1D kernel (k, in, out)
    ((3, 3, 16, 32), (9 * 16, 9 * 32)),        # Conv2D kernel (kh, kw, in, out)
    ((2, 3, 5, 4, 6), (30 * 4, 30 * 6)),       # Conv3D kernel
])
def test_compute_fans_like_keras(shape, fans):
    assert initializers.compute_fans(shape) == fans


# --- uniform families ------------------------------------------------------------------------------


@pytest.mark.parametrize("name,shape,limit", [
    ("glorot_uniform", (300, 200), math.sqrt(6 / (300 + 200))),
    ("glorot_uniform", (3, 3, 16, 32), math.sqrt(6 / (144 + 288))),
    ("he_uniform", (400, 100), math.sqrt(6 / 400)),
    ("he_uniform", (3, 3, 8, 64), math.sqrt(6 / 72)),
    ("lecun_uniform", (250, 300), math.sqrt(3 / 250)),
    ("random_uniform", (200, 300), 0.05),
    ("uniform", (200, 300), 0.05),
])
def test_uniform_initializers_fill_their_interval(name, shape, limit):
    values = initializers.get(name)(shape)
    assert values.shape == shape and values.dtype == np.float32
    assert np.all(np.abs(values) <= limit * (1 + 1e-6))
    assert np.abs(values).max() > 0.98 * limit  # reaches the ends
    assert values.std() == pytest.approx(limit / math.sqrt(3), rel=0.03)
    assert abs(values.mean()) < 0.03 * limit
    # Roughly flat: each quarter of the interval holds about a quarter of the values.
    counts, _ = np.histogram(values, bins=4, range=(-limit, limit))
    np.testing.assert_allclose(counts / values.size, 0.25, atol=0.02)


def test_random_uniform_custom_bounds():
    values = initializers.RandomUniform(minval=2.0, maxval=3.0)((100, 100))
    assert values.min() >= 2.0 and values.max() <= 3.0
    assert values.mean() == pytest.approx(2.5, abs=0.01)


# --- normal families ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name,shape,stddev", [
    ("glorot_normal", (300, 200), math.sqrt(2 / (300 + 200))),
    ("he_normal", (400, 300), math.sqrt(2 / 400)),
    ("he_normal", (3, 3, 32, 64), math.sqrt(2 / (9 * 32))),
    ("lecun_normal", (250, 300), math.sqrt(1 / 250)),
])
def test_truncated_variance_scaling_normals(name, shape, stddev):
    values = initializers.get(name)(shape).astype("float64")
    # Keras draws from a normal of stddev / 0.8796 truncated at two of its own deviations,
    # so the values have exactly the wanted standard deviation and a known bound.
    bound = 2 * stddev / _TRUNC_STD
    assert np.all(np.abs(values) <= bound * (1 + 1e-6))
    assert np.abs(values).max() > 0.97 * bound
    assert values.std() == pytest.approx(stddev, rel=0.03)
    assert abs(values.mean()) < 0.03 * stddev


def test_random_normal_defaults_and_custom_mean():
    values = initializers.RandomNormal()((300, 300)).astype("float64")
    assert values.std() == pytest.approx(0.05, rel=0.02)
    assert abs(values.mean()) < 0.002
    assert np.abs(values).max() > 3 * 0.05  # untruncated: the tails are there
    values = initializers.get("normal")((100, 100))
    assert values.std() == pytest.approx(0.05, rel=0.03)
    shifted = initializers.RandomNormal(mean=2.0, stddev=0.1)((200, 200))
    assert shifted.mean() == pytest.approx(2.0, abs=0.002)


def test_truncated_normal_bounds_and_spread():
    mean, stddev = 1.0, 0.5
    values = initializers.TruncatedNormal(mean=mean, stddev=stddev)((300, 300)).astype("float64")
    assert values.min() >= mean - 2 * stddev - 1e-6 and values.max() <= mean + 2 * stddev + 1e-6
    assert values.min() < mean - 1.95 * stddev and values.max() > mean + 1.95 * stddev
    assert values.std() == pytest.approx(stddev * _TRUNC_STD, rel=0.02)
    assert values.mean() == pytest.approx(mean, abs=0.005)
    defaults = initializers.get("truncated_normal")((200, 200))
    assert np.abs(defaults).max() <= 0.1 + 1e-6


# --- VarianceScaling ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode,n", [("fan_in", 100), ("fan_out", 400), ("fan_avg", 250)])
def test_variance_scaling_modes_uniform(mode, n):
    scale = 2.0
    values = initializers.VarianceScaling(scale=scale, mode=mode, distribution="uniform")((100, 400))
    limit = math.sqrt(3 * scale / n)
    assert np.all(np.abs(values) <= limit * (1 + 1e-6))
    assert values.var() == pytest.approx(scale / n, rel=0.05)


@pytest.mark.parametrize("mode,n", [("fan_in", 100), ("fan_out", 400), ("fan_avg", 250)])
def test_variance_scaling_modes_truncated_normal(mode, n):
    values = initializers.VarianceScaling(scale=0.5, mode=mode)((100, 400)).astype("float64")
    assert values.var() == pytest.approx(0.5 / n, rel=0.05)
    assert np.abs(values).max() <= 2 * math.sqrt(0.5 / n) / _TRUNC_STD * (1 + 1e-6)


def test_variance_scaling_untruncated_normal_has_tails():
    n = 200
    values = initializers.VarianceScaling(scale=1.0, distribution="untruncated_normal")((n, 300)).astype("float64")
    stddev = math.sqrt(1.0 / n)
    assert values.std() == pytest.approx(stddev, rel=0.03)
    # 60000 normal draws: about 2.7% lie beyond 2.2 sigma, a truncated draw would have none.
    assert np.mean(np.abs(values) > 2.2 * stddev / _TRUNC_STD) > 0.01


def test_variance_scaling_defaults_match_keras():
    init = initializers.VarianceScaling()
    assert (init.scale, init.mode, init.distribution, init.seed) == (1.0, "fan_in", "truncated_normal", None)


@pytest.mark.parametrize("kwargs", [dict(scale=0), dict(scale=-1.0), dict(mode="fan_max"),
                                    dict(distribution="normalish")])
def test_variance_scaling_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        initializers.VarianceScaling(**kwargs)


# --- orthogonal, constant, identity ----------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 5), (3, 3, 4, 8)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    values = initializers.Orthogonal()(shape).astype("float64")
    assert values.shape == shape
    flat = values.reshape(-1, shape[-1])
    if flat.shape[0] >= flat.shape[1]:
        np.testing.assert_allclose(flat.T @ flat, np.eye(flat.shape[1]), atol=1e-5)
    else:
        np.testing.assert_allclose(flat @ flat.T, np.eye(flat.shape[0]), atol=1e-5)


def test_orthogonal_gain_and_shape_check():
    values = initializers.Orthogonal(gain=3.0)((8, 8)).astype("float64")
    np.testing.assert_allclose(values.T @ values, 9.0 * np.eye(8), atol=1e-4)
    with pytest.raises(ValueError):
        initializers.Orthogonal()((5,))


def test_constant_zeros_ones():
    np.testing.assert_array_equal(initializers.Constant(0.3)((2, 3)), np.full((2, 3), 0.3, "float32"))
    np.testing.assert_array_equal(initializers.get("zeros")((4,)), np.zeros(4))
    np.testing.assert_array_equal(initializers.get("ones")((2, 2)), np.ones((2, 2)))
    assert initializers.get("constant")((3,)).tolist() == [0.0, 0.0, 0.0]
    assert initializers.Constant(2)((2,), dtype="float64").dtype == np.float64


def test_identity_square_rectangular_and_gain():
    np.testing.assert_array_equal(initializers.Identity()((3, 3)), np.eye(3))
    np.testing.assert_array_equal(initializers.get("identity")((2, 4)), np.eye(2, 4))
    np.testing.assert_array_equal(initializers.Identity(gain=0.5)((3, 2)), 0.5 * np.eye(3, 2))
    with pytest.raises(ValueError):
        initializers.Identity()((2, 2, 2))


# --- seeds -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [initializers.RandomNormal, initializers.RandomUniform, initializers.TruncatedNormal,
                                 initializers.GlorotUniform, initializers.GlorotNormal, initializers.HeNormal,
                                 initializers.HeUniform, initializers.LecunNormal, initializers.Orthogonal])
def test_seeded_initializers_repeat_and_seeds_differ(cls):
    first = cls(seed=11)
    np.testing.assert_array_equal(first((5, 4)), first((5, 4)))  # Keras 3: same values on every call
    np.testing.assert_array_equal(first((5, 4)), cls(seed=11)((5, 4)))
    assert not np.array_equal(first((5, 4)), cls(seed=12)((5, 4)))


def test_unseeded_initializers_follow_the_global_seed():
    glassnet.utils.set_random_seed(3)
    a = initializers.GlorotUniform()((4, 4))
    b = initializers.GlorotUniform()((4, 4))
    glassnet.utils.set_random_seed(3)
    np.testing.assert_array_equal(initializers.GlorotUniform()((4, 4)), a)
    assert not np.array_equal(a, b)


# --- lookup and config ----------------------------------------------------------------------------------


@pytest.mark.parametrize("identifier,cls", [
    ("glorot_uniform", initializers.GlorotUniform), ("GlorotUniform", initializers.GlorotUniform),
    ("he_normal", initializers.HeNormal), ("HeNormal", initializers.HeNormal),
    ("lecun_uniform", initializers.LecunUniform), ("orthogonal", initializers.Orthogonal),
    ("random_normal", initializers.RandomNormal), ("uniform", initializers.RandomUniform),
    ("zeros", initializers.Zeros), ("ones", initializers.Ones), ("identity", initializers.Identity),
    ("variance_scaling", initializers.VarianceScaling),
])
def test_get_by_keras_names(identifier, cls):
    assert type(initializers.get(identifier)) is cls


def test_get_passes_instances_and_callables_and_builds_classes_and_configs():
    instance = initializers.HeUniform(seed=1)
    assert initializers.get(instance) is instance
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)

    def custom(shape, dtype=None):
        return np.full(shape, 7.0, dtype=dtype)

    assert initializers.get(custom) is custom
    built = initializers.get({"class_name": "RandomNormal", "config": {"mean": 1.0, "stddev": 0.0}})
    np.testing.assert_array_equal(built((2,)), [1.0, 1.0])
    assert initializers.get(None) is None


def test_unknown_name_error_lists_valid_names():
    with pytest.raises(ValueError) as info:
        initializers.get("glorot_uniformm")
    message = str(info.value)
    assert "glorot_uniformm" in message
    for name in ("glorot_uniform", "he_normal", "orthogonal", "zeros"):
        assert name in message


@pytest.mark.parametrize("init", [initializers.VarianceScaling(2.0, "fan_out", "uniform", seed=3),
                                  initializers.RandomNormal(0.5, 0.2, seed=1), initializers.Constant(4.0),
                                  initializers.Orthogonal(gain=2.0, seed=5), initializers.HeNormal(seed=2)])
def test_config_round_trip_gives_same_values(init):
    clone = type(init).from_config(init.get_config())
    np.testing.assert_array_equal(clone((6, 5)), init((6, 5)))
    serialized = initializers.serialize(init)
    again = initializers.get(serialized)
    assert type(again) is type(init)
    np.testing.assert_array_equal(again((6, 5)), init((6, 5)))


def test_dtype_argument_is_honoured():
    assert initializers.GlorotUniform()((3, 3), dtype="float64").dtype == np.float64
    assert initializers.Zeros()((2,), dtype="int32").dtype == np.int32
