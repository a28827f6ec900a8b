"""BatchNormalization and LayerNormalization against PyTorch, forward and backward.

BatchNormalization, training: torch.nn.functional.batch_norm(training=True) on the channels
axis moved to position 1, momentum 0.01 (torch's momentum is Keras' 1 - momentum), eps 1e-3.
Torch updates its running variance with the UNBIASED batch variance; Keras (and glassnet) with
the BIASED one, so the expected moving variance is built from torch.var(correction=0), and the
torch running variance is shown to differ by exactly the m/(m-1) factor.
Inference: batch_norm(training=False) with the same moving statistics.
LayerNormalization: torch layer_norm over the trailing axes (eps 1e-3); a non-trailing axis is
permuted to the end on the torch side.
"""

import importlib
import os

import numpy as np
import pytest

import glassnet
from glassnet import layers, ops


def _require(module):
    """CI installs torch; there a missing torch is a failure, never a skip."""
    if os.environ.get("CI"):
        return importlib.import_module(module)
    return pytest.importorskip(module)


torch = _require("torch")
F = torch.nn.functional


def assert_close(got, want, rtol=1e-4, what=""):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale, err_msg=what)


def t64(array, requires_grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def forward_backward(layer, x, rng, **call_kwargs):
    xt = glassnet.Tensor(x, requires_grad=True)
    out = layer(xt, **call_kwargs)
    g = rng.standard_normal(out.shape).astype("float32")
    ops.sum(ops.multiply(out, g)).backward()
    return out.numpy(), g, xt.grad


BN_CASES = [
    # (id, input shape, axis)
    ("dense_features", (16, 5), -1),
    ("sequence", (4, 7, 3), -1),
    ("nhwc_odd", (3, 5, 7, 4), -1),
    ("nchw_axis1", (3, 4, 5, 7), 1),
    ("sequence_axis1", (4, 3, 6), 1),
    ("batch_of_two", (2, 3, 3, 2), 3),
]


def _bn_layer(shape, axis, rng, center=True, scale=True, **kwargs):
    layer = layers.BatchNormalization(axis=axis, center=center, scale=scale, **kwargs)
    layer.build((None,) + shape[1:])
    channels = shape[axis]
    values = {
        "gamma": rng.uniform(0.5, 1.5, channels), "beta": rng.standard_normal(channels) * 0.5,
        "moving_mean": rng.standard_normal(channels) * 0.3, "moving_variance": rng.uniform(0.5, 2.0, channels),
    }
    layer.set_weights([values[w.name].astype("float32") for w in layer.weights])
    return layer, {k: v.astype("float32") for k, v in values.items()}


def _channels_second(array, axis):
    """Move the channels axis to position 1 (torch's layout)."""
    return np.moveaxis(array, axis, 1)


@pytest.mark.parametrize("shape,axis", [c[1:] for c in BN_CASES], ids=[c[0] for c in BN_CASES])
@pytest.mark.parametrize("center,scale", [(True, True), (False, True), (True, False), (False, False)],
                         ids=["center_scale", "scale_only", "center_only", "neither"])
def test_batch_normalization_training_matches_torch(shape, axis, center, scale, rng):
    layer, values = _bn_layer(shape, axis, rng, center=center, scale=scale)
    x = (rng.standard_normal(shape) * 2.0 + 0.7).astype("float32")
    out, g, gx = forward_backward(layer, x, rng, training=True)

    xt = t64(_channels_second(x, axis), True)
    gamma = t64(values["gamma"], True) if scale else None
    beta = t64(values["beta"], True) if center else None
    running_mean, running_var = t64(values["moving_mean"]), t64(values["moving_variance"])
    ref = F.batch_norm(xt, running_mean, running_var, gamma, beta, training=True, momentum=0.01, eps=1e-3)
    (ref * t64(_channels_second(g, axis))).sum().backward()

    assert_close(out, np.moveaxis(ref.detach().numpy(), 1, axis), what="output")
    assert_close(gx, np.moveaxis(xt.grad.numpy(), 1, axis), what="input grad")
    if scale:
        assert_close(layer.gamma.grad, gamma.grad.numpy(), what="gamma grad")
    if center:
        assert_close(layer.beta.grad, beta.grad.numpy(), what="beta grad")

    reduce = tuple(d for d in range(xt.ndim) if d != 1)
    count = x.size // shape[axis]
    biased = torch.var(xt.detach(), dim=reduce, correction=0).numpy()
    expected_var = 0.99 * values["moving_variance"] + 0.01 * biased
    assert_close(layer.moving_mean.numpy(), running_mean.numpy(), rtol=1e-5, what="moving mean")
    assert_close(layer.moving_variance.numpy(), expected_var, rtol=1e-5, what="moving variance (biased)")
    # torch's running variance used the unbiased estimate: the two differ by exactly m / (m - 1)
    unbiased_update = running_var.numpy() - 0.99 * values["moving_variance"].astype(np.float64)
    np.testing.assert_allclose(unbiased_update, 0.01 * biased * count / (count - 1), rtol=1e-8)


@pytest.mark.parametrize("shape,axis", [c[1:] for c in BN_CASES], ids=[c[0] for c in BN_CASES])
def test_batch_normalization_inference_matches_torch(shape, axis, rng):
    layer, values = _bn_layer(shape, axis, rng)
    x = (rng.standard_normal(shape) * 2.0 + 0.7).astype("float32")
    out, g, gx = forward_backward(layer, x, rng, training=False)

    xt = t64(_channels_second(x, axis), True)
    gamma, beta = t64(values["gamma"], True), t64(values["beta"], True)
    ref = F.batch_norm(xt, t64(values["moving_mean"]), t64(values["moving_variance"]), gamma, beta,
                       training=False, eps=1e-3)
    (ref * t64(_channels_second(g, axis))).sum().backward()
    assert_close(out, np.moveaxis(ref.detach().numpy(), 1, axis), what="output")
    assert_close(gx, np.moveaxis(xt.grad.numpy(), 1, axis), what="input grad")
    assert_close(layer.gamma.grad, gamma.grad.numpy(), what="gamma grad")
    assert_close(layer.beta.grad, beta.grad.numpy(), what="beta grad")
    # inference leaves the moving statistics alone
    np.testing.assert_array_equal(layer.moving_mean.numpy(), values["moving_mean"])
    np.testing.assert_array_equal(layer.moving_variance.numpy(), values["moving_variance"])


def test_batch_normalization_moving_statistics_over_several_steps_match_torch(rng):
    shape = (8, 3, 3, 2)
    layer, values = _bn_layer(shape, -1, rng, momentum=0.9)
    running_mean, running_var = t64(values["moving_mean"]), t64(values["moving_variance"])
    expected_var = values["moving_variance"].astype(np.float64)
    for step in range(4):
        x = (rng.standard_normal(shape) * (step + 1) + step).astype("float32")
        layer(x, training=True)
        xt = t64(np.moveaxis(x, -1, 1))
        F.batch_norm(xt, running_mean, running_var, None, None, training=True, momentum=0.1, eps=1e-3)
        expected_var = 0.9 * expected_var + 0.1 * torch.var(xt, dim=(0, 2, 3), correction=0).numpy()
    assert_close(layer.moving_mean.numpy(), running_mean.numpy(), rtol=1e-5)
    assert_close(layer.moving_variance.numpy(), expected_var, rtol=1e-5)


LN_CASES = [
    # (id, input shape, axis)
    ("dense_last", (4, 7), -1),
    ("sequence_last", (3, 5, 6), -1),
    ("sequence_two_axes", (3, 5, 6), [-2, -1]),
    ("image_last", (2, 3, 5, 4), -1),
    ("image_hwc", (2, 3, 5, 4), [1, 2, 3]),
    ("sequence_middle_axis", (3, 5, 4), 1),
    ("image_non_trailing", (2, 3, 4, 5), [1, 2]),
]


@pytest.mark.parametrize("shape,axis", [c[1:] for c in LN_CASES], ids=[c[0] for c in LN_CASES])
@pytest.mark.parametrize("center,scale", [(True, True), (False, True), (True, False)],
                         ids=["center_scale", "scale_only", "center_only"])
def test_layer_normalization_matches_torch(shape, axis, center, scale, rng):
    layer = layers.LayerNormalization(axis=axis, center=center, scale=scale)
    layer.build((None,) + shape[1:])
    axes = sorted(a % len(shape) for a in ([axis] if isinstance(axis, int) else axis))
    param_shape = tuple(shape[a] for a in axes)
    gamma_np = rng.uniform(0.5, 1.5, param_shape).astype("float32")
    beta_np = (rng.standard_normal(param_shape) * 0.5).astype("float32")
    layer.set_weights(([gamma_np] if scale else []) + ([beta_np] if center else []))
    x = (rng.standard_normal(shape) * 3.0 - 1.0).astype("float32")
    out, g, gx = forward_backward(layer, x, rng)

    others = [d for d in range(len(shape)) if d not in axes]
    order = others + axes  # normalised axes last, in order
    inverse = np.argsort(order)
    xt = t64(x, True)
    gamma = t64(gamma_np, True) if scale else None
    beta = t64(beta_np, True) if center else None
    ref = F.layer_norm(xt.permute(*order), param_shape, gamma, beta, eps=1e-3).permute(*inverse)
    (ref * t64(g)).sum().backward()
    assert_close(out, ref.detach().numpy(), what="output")
    assert_close(gx, xt.grad.numpy(), what="input grad")
    if scale:
        assert_close(layer.gamma.grad, gamma.grad.numpy(), what="gamma grad")
    if center:
        assert_close(layer.beta.grad, beta.grad.numpy(), what="beta grad")
