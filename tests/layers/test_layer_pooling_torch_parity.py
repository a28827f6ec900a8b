"""Pooling layers against PyTorch, forward and backward (NHWC <-> NCHW).

"same" padding follows TensorFlow: floor(total/2) before, the rest after (bottom/right). Max
pooling pads with -inf; average pooling averages the real values only, so the torch reference
is (window sums over a zero-padded input) / (window sums over a zero-padded ones image), and,
where the padding happens to be symmetric, torch's own avg_pool with count_include_pad=False.
"""

import importlib
import math
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


def assert_close(got, want, rtol=1e-5, what=""):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale, err_msg=what)


def tf_same_pads(size, kernel, stride):
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def t64(array, requires_grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def glassnet_forward_backward(layer, x, rng):
    xt = glassnet.Tensor(x, requires_grad=True)
    out = layer(xt)
    g = rng.standard_normal(out.shape).astype("float32")
    ops.sum(ops.multiply(out, g)).backward()
    return out.numpy(), g, xt.grad


def torch_pool2d(kind, xt, pool, strides, padding):
    """TF-semantics 2-D pooling of an NCHW float64 tensor."""
    if padding == "same":
        top, bottom = tf_same_pads(xt.shape[2], pool[0], strides[0])
        left, right = tf_same_pads(xt.shape[3], pool[1], strides[1])
        pads = (left, right, top, bottom)
    else:
        pads = (0, 0, 0, 0)
    if kind == "max":
        return F.max_pool2d(F.pad(xt, pads, value=-math.inf), pool, strides)
    sums = F.avg_pool2d(F.pad(xt, pads), pool, strides, divisor_override=1)
    counts = F.avg_pool2d(F.pad(torch.ones_like(xt[:1, :1]), pads), pool, strides, divisor_override=1)
    return sums / counts


POOL2D_CASES = [
    # (id, input shape NHWC, kwargs)
    ("2_valid_even", (2, 6, 8, 3), dict(pool_size=2)),
    ("2_valid_odd_floor", (2, 7, 5, 2), dict(pool_size=2)),
    ("2_same_odd", (2, 7, 5, 2), dict(pool_size=2, padding="same")),
    ("3_valid", (2, 9, 7, 2), dict(pool_size=3)),
    ("3_same_odd", (2, 7, 8, 2), dict(pool_size=3, padding="same")),
    ("3_stride1_same", (1, 5, 6, 3), dict(pool_size=3, strides=1, padding="same")),
    ("3_stride2_same", (2, 7, 6, 2), dict(pool_size=3, strides=2, padding="same")),
    ("3_stride2_valid", (2, 9, 8, 2), dict(pool_size=3, strides=2)),
    ("2_stride3_valid_gaps", (1, 8, 7, 2), dict(pool_size=2, strides=3)),
    ("2_stride1_valid", (1, 5, 4, 2), dict(pool_size=2, strides=1)),
    ("pair_3x2_strides_2x1_same", (2, 7, 6, 2), dict(pool_size=(3, 2), strides=(2, 1), padding="same")),
    ("4_stride3_same", (1, 10, 9, 2), dict(pool_size=4, strides=3, padding="same")),
]


@pytest.mark.parametrize("kind,layer_class", [("max", layers.MaxPooling2D), ("avg", layers.AveragePooling2D)],
                         ids=["MaxPooling2D", "AveragePooling2D"])
@pytest.mark.parametrize("shape,kwargs", [c[1:] for c in POOL2D_CASES], ids=[c[0] for c in POOL2D_CASES])
def test_pooling2d_matches_torch(kind, layer_class, shape, kwargs, rng):
    layer = layer_class(**kwargs)
    x = rng.standard_normal(shape).astype("float32")
    out, g, gx = glassnet_forward_backward(layer, x, rng)
    xt = t64(x.transpose(0, 3, 1, 2), True)
    ref = torch_pool2d(kind, xt, layer.pool_size, layer.strides, layer.padding).permute(0, 2, 3, 1)
    (ref * t64(g)).sum().backward()
    assert_close(out, ref.detach().numpy(), what="output")
    assert_close(gx, xt.grad.numpy().transpose(0, 2, 3, 1), what="input grad")


@pytest.mark.parametrize("shape,pool,strides", [((2, 7, 7, 2), 3, 2), ((1, 6, 5, 3), 3, 1), ((1, 9, 9, 1), 5, 2)])
def test_average_pooling2d_same_matches_torch_count_include_pad_false_when_symmetric(shape, pool, strides, rng):
    top, bottom = tf_same_pads(shape[1], pool, strides)
    left, right = tf_same_pads(shape[2], pool, strides)
    assert top == bottom and left == right
    layer = layers.AveragePooling2D(pool, strides=strides, padding="same")
    x = rng.standard_normal(shape).astype("float32")
    out, g, gx = glassnet_forward_backward(layer, x, rng)
    xt = t64(x.transpose(0, 3, 1, 2), True)
    ref = F.avg_pool2d(xt, pool, strides, padding=(top, left), count_include_pad=False).permute(0, 2, 3, 1)
    (ref * t64(g)).sum().backward()
    assert_close(out, ref.detach().numpy())
    assert_close(gx, xt.grad.numpy().transpose(0, 2, 3, 1))


def test_average_pooling2d_same_edge_window_is_the_mean_of_real_values_only():
    x = np.arange(1, 10, dtype="float32").reshape(1, 3, 3, 1)
    out = layers.AveragePooling2D(2, padding="same")(x).numpy()[0, :, :, 0]
    # TF: output 2x2, padding one row/column at the bottom/right only
    np.testing.assert_allclose(out, [[(1 + 2 + 4 + 5) / 4, (3 + 6) / 2], [(7 + 8) / 2, 9.0]])


def test_max_pooling2d_gradient_goes_to_one_position_per_window_on_ties():
    x = np.ones((1, 4, 4, 1), dtype="float32")
    xt = glassnet.Tensor(x, requires_grad=True)
    ops.sum(layers.MaxPooling2D(2)(xt)).backward()
    grad = xt.grad[0, :, :, 0]
    assert grad.sum() == 4.0  # one unit per window, never duplicated
    for i in range(2):
        for j in range(2):
            assert grad[2 * i:2 * i + 2, 2 * j:2 * j + 2].sum() == 1.0
    # as torch: the first maximum of each window (top-left)
    torch_x = t64(x.transpose(0, 3, 1, 2), True)
    F.max_pool2d(torch_x, 2).sum().backward()
    np.testing.assert_array_equal(grad, torch_x.grad.numpy()[0, 0])


POOL1D_CASES = [
    ("2_valid", (2, 8, 3), dict(pool_size=2)),
    ("2_valid_odd", (2, 9, 2), dict(pool_size=2)),
    ("2_same_odd", (2, 9, 2), dict(pool_size=2, padding="same")),
    ("3_stride1_same", (2, 7, 2), dict(pool_size=3, strides=1, padding="same")),
    ("3_stride2_same", (1, 8, 2), dict(pool_size=3, strides=2, padding="same")),
    ("3_stride2_valid", (1, 9, 3), dict(pool_size=3, strides=2)),
    ("4_stride3_same", (1, 11, 2), dict(pool_size=4, strides=3, padding="same")),
]


@pytest.mark.parametrize("kind,layer_class", [("max", layers.MaxPooling1D), ("avg", layers.AveragePooling1D)],
                         ids=["MaxPooling1D", "AveragePooling1D"])
@pytest.mark.parametrize("shape,kwargs", [c[1:] for c in POOL1D_CASES], ids=[c[0] for c in POOL1D_CASES])
def test_pooling1d_matches_torch(kind, layer_class, shape, kwargs, rng):
    layer = layer_class(**kwargs)
    x = rng.standard_normal(shape).astype("float32")
    out, g, gx = glassnet_forward_backward(layer, x, rng)
    (pool,), (stride,) = layer.pool_size, layer.strides
    xt = t64(x.transpose(0, 2, 1), True)
    pads = tf_same_pads(shape[1], pool, stride) if layer.padding == "same" else (0, 0)
    if kind == "max":
        ref = F.max_pool1d(F.pad(xt, pads, value=-math.inf), pool, stride)
    else:
        sums = F.avg_pool1d(F.pad(xt, pads), pool, stride) * pool
        counts = F.avg_pool1d(F.pad(torch.ones_like(xt[:1, :1]), pads), pool, stride) * pool
        ref = sums / counts
    ref = ref.permute(0, 2, 1)
    (ref * t64(g)).sum().backward()
    assert_close(out, ref.detach().numpy(), what="output")
    assert_close(gx, xt.grad.numpy().transpose(0, 2, 1), what="input grad")


GLOBAL_CASES = [
    (layers.GlobalAveragePooling2D, (2, 5, 7, 3), lambda t, keep: t.mean(dim=(1, 2), keepdim=keep)),
    (layers.GlobalMaxPooling2D, (2, 5, 7, 3), lambda t, keep: t.amax(dim=(1, 2), keepdim=keep)),
    (layers.GlobalAveragePooling1D, (2, 9, 3), lambda t, keep: t.mean(dim=1, keepdim=keep)),
    (layers.GlobalMaxPooling1D, (2, 9, 3), lambda t, keep: t.amax(dim=1, keepdim=keep)),
]


@pytest.mark.parametrize("layer_class,shape,reference", GLOBAL_CASES, ids=[c[0].__name__ for c in GLOBAL_CASES])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_matches_torch(layer_class, shape, reference, keepdims, rng):
    layer = layer_class(keepdims=keepdims)
    x = rng.standard_normal(shape).astype("float32")
    out, g, gx = glassnet_forward_backward(layer, x, rng)
    expected_shape = (shape[0],) + (1,) * (len(shape) - 2) + (shape[-1],) if keepdims else (shape[0], shape[-1])
    assert out.shape == expected_shape
    xt = t64(x, True)
    ref = reference(xt, keepdims)
    (ref * t64(g)).sum().backward()
    assert_close(out, ref.detach().numpy(), what="output")
    assert_close(gx, xt.grad.numpy(), what="input grad")
