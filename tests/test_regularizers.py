"""Regularizers: L1, L2, L1L2 values and gradients against their formulas."""

import numpy as np
import pytest

import glassnet
from glassnet import layers, regularizers


def _value(penalty):
    return float(np.asarray(penalty.numpy() if hasattr(penalty, "numpy") else penalty))


def _weight(rng, shape=(4, 3)):
    return glassnet.Variable(rng.standard_normal(shape).astype("float32"))


@pytest.mark.parametrize("reg,formula", [
    (regularizers.L1(0.3), lambda w: 0.3 * np.abs(w).sum()),
    (regularizers.L2(0.2), lambda w: 0.2 * np.square(w).sum()),
    (regularizers.L1L2(l1=0.1, l2=0.4), lambda w: 0.1 * np.abs(w).sum() + 0.4 * np.square(w).sum()),
    (regularizers.L1(), lambda w: 0.01 * np.abs(w).sum()),
    (regularizers.L2(), lambda w: 0.01 * np.square(w).sum()),
    (regularizers.l1_l2(), lambda w: 0.01 * np.abs(w).sum() + 0.01 * np.square(w).sum()),
])
def test_penalty_value(reg, formula, rng):
    w = _weight(rng)
    np.testing.assert_allclose(_value(reg(w)), formula(w.numpy().astype("float64")), rtol=1e-5)


@pytest.mark.parametrize("reg,gradient", [
    (regularizers.L1(0.3), lambda w: 0.3 * np.sign(w)),
    (regularizers.L2(0.2), lambda w: 0.4 * w),
    (regularizers.L1L2(l1=0.1, l2=0.4), lambda w: 0.1 * np.sign(w) + 0.8 * w),
])
def test_penalty_gradient(reg, gradient, rng):
    w = _weight(rng, (5, 2))
    reg(w).backward()
    np.testing.assert_allclose(w.grad, gradient(w.numpy()), rtol=1e-5, atol=1e-7)


def test_penalty_gradient_matches_torch(rng):
    torch = pytest.importorskip("torch")
    w = _weight(rng, (3, 4))
    regularizers.L1L2(l1=0.05, l2=0.7)(w).backward()
    wt = torch.tensor(w.numpy().astype("float64"), requires_grad=True)
    (0.05 * wt.abs().sum() + 0.7 * (wt ** 2).sum()).backward()
    np.testing.assert_allclose(w.grad, wt.grad.numpy(), rtol=1e-5)


def test_l1l2_defaults_are_zero_like_keras(rng):
    reg = regularizers.L1L2()
    assert (reg.l1, reg.l2) == (0.0, 0.0)
    assert _value(reg(_weight(rng))) == 0.0
    assert _value(regularizers.get("l1_l2")(_weight(rng))) == 0.0


def test_get_by_name_instance_callable_and_config(rng):
    assert isinstance(regularizers.get("l1"), regularizers.L1) and regularizers.get("l1").l1 == pytest.approx(0.01)
    assert isinstance(regularizers.get("L2"), regularizers.L2) and regularizers.get("l2").l2 == pytest.approx(0.01)
    reg = regularizers.L2(0.5)
    assert regularizers.get(reg) is reg
    custom = lambda w: 0.0  # noqa: E731
    assert regularizers.get(custom) is custom
    assert regularizers.get(None) is None
    rebuilt = regularizers.get({"class_name": "L1L2", "config": {"l1": 0.2, "l2": 0.3}})
    assert (rebuilt.l1, rebuilt.l2) == (pytest.approx(0.2), pytest.approx(0.3))
    with pytest.raises(ValueError) as info:
        regularizers.get("l3")
    assert "l1" in str(info.value) and "l2" in str(info.value)


@pytest.mark.parametrize("reg", [regularizers.L1(0.2), regularizers.L2(0.3), regularizers.L1L2(0.1, 0.2)])
def test_config_round_trip(reg, rng):
    clone = type(reg).from_config(reg.get_config())
    w = _weight(rng)
    assert _value(clone(w)) == pytest.approx(_value(reg(w)))


def test_layer_penalty_goes_into_layer_losses_and_gradient(rng):
    layer = layers.Dense(2, kernel_regularizer=regularizers.L1(0.5), use_bias=False)
    layer.build((None, 3))
    (penalty,) = layer.losses
    np.testing.assert_allclose(_value(penalty), 0.5 * np.abs(layer.kernel.numpy()).sum(), rtol=1e-5)
    penalty.backward()
    np.testing.assert_allclose(layer.kernel.grad, 0.5 * np.sign(layer.kernel.numpy()))
