"""Constraints: max_norm, non_neg, unit_norm, min_max_norm against Keras' formulas."""

import numpy as np
import pytest

from glassnet import constraints

EPS = 1e-7  # keras.config.epsilon()


def _norms(w, axis):
    return np.sqrt(np.sum(w.astype("float64") ** 2, axis=axis, keepdims=True))


@pytest.fixture
def w(rng):
    return (rng.standard_normal((5, 4)) * np.array([0.1, 1.0, 3.0, 10.0])).astype("float32")


def test_non_neg(w):
    out = constraints.NonNeg()(w)
    np.testing.assert_array_equal(out, np.where(w < 0, 0.0, w))
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)


@pytest.mark.parametrize("max_value,axis", [(2.0, 0), (1.0, 0), (0.5, 1), (3.0, [0, 1])])
def test_max_norm(w, max_value, axis):
    out = constraints.MaxNorm(max_value=max_value, axis=axis)(w)
    norms = _norms(w, tuple(axis) if isinstance(axis, list) else axis)
    expected = w * (np.minimum(norms, max_value) / (EPS + norms))
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    # Columns (axis 0) already small are unchanged; the others end at max_value.
    new_norms = _norms(out, tuple(axis) if isinstance(axis, list) else axis)
    assert np.all(new_norms <= max_value * (1 + 1e-5))
    small = norms < max_value
    np.testing.assert_allclose(new_norms[small], norms[small], rtol=1e-5)


def test_max_norm_defaults_match_keras(w):
    constraint = constraints.get("max_norm")
    assert (constraint.max_value, constraint.axis) == (2.0, 0)


@pytest.mark.parametrize("axis", [0, 1])
def test_unit_norm(w, axis):
    out = constraints.UnitNorm(axis=axis)(w)
    np.testing.assert_allclose(out, w / (EPS + _norms(w, axis)), rtol=1e-5)
    np.testing.assert_allclose(_norms(out, axis), 1.0, rtol=1e-5)


@pytest.mark.parametrize("min_value,max_value,rate", [(0.5, 2.0, 1.0), (1.0, 1.5, 0.5), (0.0, 1.0, 1.0)])
def test_min_max_norm(w, min_value, max_value, rate):
    out = constraints.MinMaxNorm(min_value=min_value, max_value=max_value, rate=rate)(w)
    norms = _norms(w, 0)
    desired = rate * np.clip(norms, min_value, max_value) + (1 - rate) * norms
    np.testing.assert_allclose(out, w * (desired / (EPS + norms)), rtol=1e-5)
    if rate == 1.0:
        new = _norms(out, 0)
        assert np.all(new >= min_value * (1 - 1e-5)) and np.all(new <= max_value * (1 + 1e-5))


def test_min_max_norm_defaults_match_keras():
    c = constraints.get("min_max_norm")
    assert (c.min_value, c.max_value, c.rate, c.axis) == (0.0, 1.0, 1.0, 0)


def test_zero_column_stays_zero_and_finite():
    w = np.zeros((3, 2), "float32")
    for constraint in (constraints.MaxNorm(), constraints.UnitNorm(), constraints.MinMaxNorm(1.0, 2.0)):
        out = constraint(w)
        assert np.all(np.isfinite(out)) and np.all(out == 0)


def test_get_and_config_round_trip(w):
    c = constraints.MaxNorm(max_value=1.5, axis=1)
    assert constraints.get(c) is c
    rebuilt = constraints.get({"class_name": "MaxNorm", "config": c.get_config()})
    np.testing.assert_allclose(rebuilt(w), c(w))
    assert constraints.get(None) is None
    custom = lambda x: x * 0  # noqa: E731
    assert constraints.get(custom) is custom
    with pytest.raises(ValueError) as info:
        constraints.get("maxnorm2")
    assert "max_norm" in str(info.value) and "unit_norm" in str(info.value)


def test_max_norm_per_filter_of_a_conv_kernel(rng):
    # Keras' docstring: axis=[0, 1, 2] constrains each filter of a (rows, cols, in, out) kernel.
    kernel = (rng.standard_normal((3, 3, 2, 4)) * 2).astype("float32")
    out = constraints.MaxNorm(max_value=1.0, axis=[0, 1, 2])(kernel)
    filter_norms = np.sqrt((out.astype("float64") ** 2).sum(axis=(0, 1, 2)))
    np.testing.assert_allclose(filter_norms, 1.0, rtol=1e-5)
    rebuilt = constraints.MaxNorm.from_config(constraints.MaxNorm(1.0, axis=[0, 1, 2]).get_config())
    np.testing.assert_allclose(rebuilt(kernel), out)
