"""Convolution layers against PyTorch, forward and backward, with the same weights.

glassnet is NHWC with Keras kernels; torch is NCHW. The references transpose:

    Conv1D/Conv2D kernel (kh, kw, in, out)      -> torch conv weight (out, in, kh, kw)
    Conv2DTranspose kernel (kh, kw, out, in)    -> torch conv_transpose weight (in, out, kh, kw)
    DepthwiseConv2D kernel (kh, kw, C, M)       -> torch conv weight (C*M, 1, kh, kw), groups=C

"same" padding follows TensorFlow: total = max((ceil(n/s) - 1) s + (k - 1) d + 1 - n, 0),
floor(total/2) before and the rest after; torch gets it as an explicit F.pad. Causal Conv1D is an
explicit left pad of (k - 1) d. A transposed convolution follows TensorFlow's
conv2d_backprop_input: the full torch transposed convolution, cropped by the "same" padding
of the output size (extra zeros past its end where output_padding asks for them).

The torch side runs in float64; glassnet runs in float32 and must agree to ~1e-4 relative.
Gradients are of sum(output * g) for a fixed random g: input, kernel(s) and bias.
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

TORCH_ACT = {None: lambda z: z, "relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
             "elu": F.elu, "softplus": F.softplus}


def assert_close(got, want, rtol=1e-4, what=""):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale, err_msg=what)


def tf_same_pads(size, kernel, stride, dilation=1):
    span = (kernel - 1) * dilation + 1
    total = max((math.ceil(size / stride) - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def t64(array, requires_grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def run_glassnet(layer, x, upstream_fn):
    """Forward on a float32 input that requires grad, backward of sum(out * g); returns (out, g, x.grad)."""
    xt = glassnet.Tensor(x, requires_grad=True)
    out = layer(xt)
    g = upstream_fn(out.shape)
    ops.sum(ops.multiply(out, g)).backward()
    return out.numpy(), g, xt.grad


def upstream_maker(rng):
    return lambda shape: rng.standard_normal(shape).astype("float32")


def init_weights(layer, rng, scale=0.4):
    """Random weights (biases included, so a zero bias cannot hide a wrong bias layout)."""
    layer.set_weights([(rng.standard_normal(w.shape) * scale).astype("float32") for w in layer.weights])
    return [w.numpy().copy() for w in layer.weights]


# ------------------------------------------------------------------------------------------ Conv2D
CONV2D_CASES = [
    # (id, input shape NHWC, kwargs)
    ("3x3_valid", (2, 7, 6, 3), dict(filters=4, kernel_size=3)),
    ("3x3_same_odd", (2, 7, 5, 2), dict(filters=3, kernel_size=3, padding="same")),
    ("stride2_valid", (2, 9, 8, 2), dict(filters=3, kernel_size=3, strides=2)),
    ("stride2_same_odd", (2, 7, 6, 3), dict(filters=4, kernel_size=3, strides=2, padding="same")),
    ("stride2_same_even_kernel", (1, 8, 7, 2), dict(filters=2, kernel_size=4, strides=2, padding="same")),
    ("stride3_same", (2, 10, 7, 2), dict(filters=3, kernel_size=(3, 2), strides=3, padding="same")),
    ("stride3_valid", (1, 11, 9, 2), dict(filters=3, kernel_size=3, strides=3)),
    ("stride_pair_same", (2, 7, 9, 2), dict(filters=3, kernel_size=(2, 3), strides=(1, 2), padding="same")),
    ("dilation2_valid", (2, 9, 8, 2), dict(filters=3, kernel_size=3, dilation_rate=2)),
    ("dilation2_same", (1, 7, 6, 2), dict(filters=3, kernel_size=3, dilation_rate=2, padding="same")),
    ("dilation_pair_same", (1, 8, 9, 2), dict(filters=2, kernel_size=(3, 2), dilation_rate=(2, 3),
                                             padding="same")),
    ("5x5_nonsquare_input", (1, 11, 6, 1), dict(filters=2, kernel_size=5, padding="same")),
    ("1x1", (2, 5, 4, 3), dict(filters=2, kernel_size=1)),
    ("relu", (2, 6, 7, 2), dict(filters=3, kernel_size=3, activation="relu")),
    ("sigmoid_same", (2, 6, 7, 2), dict(filters=3, kernel_size=3, activation="sigmoid", padding="same")),
    ("tanh_stride2", (2, 7, 7, 2), dict(filters=3, kernel_size=3, activation="tanh", strides=2)),
    ("elu_unfused", (1, 6, 5, 2), dict(filters=2, kernel_size=3, activation="elu", padding="same")),
    ("no_bias", (2, 6, 5, 2), dict(filters=3, kernel_size=3, use_bias=False, padding="same", strides=2)),
]


@pytest.mark.parametrize("shape,kwargs", [c[1:] for c in CONV2D_CASES], ids=[c[0] for c in CONV2D_CASES])
def test_conv2d_matches_torch(shape, kwargs, rng):
    layer = layers.Conv2D(**kwargs)
    layer.build((None,) + shape[1:])
    weights = init_weights(layer, rng)
    x = rng.standard_normal(shape).astype("float32")
    out, g, gx = run_glassnet(layer, x, upstream_maker(rng))

    kh, kw = layer.kernel_size
    (sh, sw), (dh, dw) = layer.strides, layer.dilation_rate
    xt = t64(x.transpose(0, 3, 1, 2), True)
    wt = t64(weights[0].transpose(3, 2, 0, 1), True)
    bt = t64(weights[1], True) if layer.use_bias else None
    padded = xt
    if layer.padding == "same":
        top, bottom = tf_same_pads(shape[1], kh, sh, dh)
        left, right = tf_same_pads(shape[2], kw, sw, dw)
        padded = F.pad(xt, (left, right, top, bottom))
    ref = TORCH_ACT[kwargs.get("activation")](F.conv2d(padded, wt, bt, stride=(sh, sw), dilation=(dh, dw)))
    ref = ref.permute(0, 2, 3, 1)
    (ref * t64(g)).sum().backward()

    assert_close(out, ref.detach().numpy(), what="output")
    assert_close(gx, xt.grad.numpy().transpose(0, 2, 3, 1), what="input grad")
    assert_close(layer.kernel.grad, wt.grad.numpy().transpose(2, 3, 1, 0), what="kernel grad")
    if layer.use_bias:
        assert_close(layer.bias.grad, bt.grad.numpy(), what="bias grad")


# ------------------------------------------------------------------------------------------ Conv1D
CONV1D_CASES = [
    ("k3_valid", (2, 9, 3), dict(filters=4, kernel_size=3)),
    ("k3_same_odd", (2, 7, 2), dict(filters=3, kernel_size=3, padding="same")),
    ("k4_same_stride2", (2, 9, 2), dict(filters=3, kernel_size=4, strides=2, padding="same")),
    ("k3_valid_stride3", (2, 11, 2), dict(filters=2, kernel_size=3, strides=3)),
    ("k3_dilation2_valid", (1, 10, 2), dict(filters=2, kernel_size=3, dilation_rate=2)),
    ("k3_causal", (2, 8, 3), dict(filters=4, kernel_size=3, padding="causal")),
    ("k2_causal_dilation3", (2, 9, 2), dict(filters=3, kernel_size=2, padding="causal", dilation_rate=3)),
    ("k3_causal_stride2", (1, 9, 2), dict(filters=2, kernel_size=3, padding="causal", strides=2)),
    ("relu_same", (2, 7, 2), dict(filters=3, kernel_size=5, padding="same", activation="relu")),
    ("tanh_no_bias", (2, 7, 2), dict(filters=3, kernel_size=3, activation="tanh", use_bias=False)),
]


@pytest.mark.parametrize("shape,kwargs", [c[1:] for c in CONV1D_CASES], ids=[c[0] for c in CONV1D_CASES])
def test_conv1d_matches_torch(shape, kwargs, rng):
    layer = layers.Conv1D(**kwargs)
    layer.build((None,) + shape[1:])
    weights = init_weights(layer, rng)
    assert weights[0].shape == (layer.kernel_size[0], shape[-1], layer.filters)
    x = rng.standard_normal(shape).astype("float32")
    out, g, gx = run_glassnet(layer, x, upstream_maker(rng))

    (k,), (s,), (d,) = layer.kernel_size, layer.strides, layer.dilation_rate
    xt = t64(x.transpose(0, 2, 1), True)
    wt = t64(weights[0].transpose(2, 1, 0), True)
    bt = t64(weights[1], True) if layer.use_bias else None
    if layer.padding == "same":
        padded = F.pad(xt, tf_same_pads(shape[1], k, s, d))
    elif layer.padding == "causal":
        padded = F.pad(xt, ((k - 1) * d, 0))
    else:
        padded = xt
    ref = TORCH_ACT[kwargs.get("activation")](F.conv1d(padded, wt, bt, stride=s, dilation=d)).permute(0, 2, 1)
    (ref * t64(g)).sum().backward()

    assert_close(out, ref.detach().numpy(), what="output")
    assert_close(gx, xt.grad.numpy().transpose(0, 2, 1), what="input grad")
    assert_close(layer.kernel.grad, wt.grad.numpy().transpose(2, 1, 0), what="kernel grad")
    if layer.use_bias:
        assert_close(layer.bias.grad, bt.grad.numpy(), what="bias grad")


def test_causal_conv1d_output_at_step_t_ignores_later_steps(rng):
    layer = layers.Conv1D(2, 3, padding="causal", dilation_rate=2)
    x = rng.standard_normal((1, 9, 2)).astype("float32")
    base = layer(x).numpy()
    changed = x.copy()
    changed[:, 5:] += 10.0
    after = layer(changed).numpy()
    np.testing.assert_array_equal(after[:, :5], base[:, :5])
    assert not np.allclose(after[:, 5:], base[:, 5:])


# ---------------------------------------------------------------------------------- Conv2DTranspose
def keras_transpose_length(size, k, s, d, padding, output_padding):
    """Keras' compute_conv_transpose_output_shape, per axis."""
    span = (k - 1) * d + 1
    if output_padding is None:
        return size * s if padding == "same" else size * s + max(span - s, 0)
    pad = span // 2 if padding == "same" else 0
    return (size - 1) * s + span - 2 * pad + output_padding


def torch_conv_transpose_tf(xt, wt, bt, strides, dilation, padding, out_hw):
    """TF's conv2d_transpose (the input-gradient of a conv) from torch's un-padded conv_transpose2d.

    The full output is (in - 1) s + span long; "same" crops floor(total / 2) before and the rest
    after, total = full - out (TF's conv2d_backprop_input rule; for an even kernel with
    output_padding=0 that is span / 2 on each side, as Keras' torch and JAX backends crop).
    """
    full = F.conv_transpose2d(xt, wt, None, stride=strides, dilation=dilation)
    before = [0, 0]
    if padding == "same":  # TF: total = (in - 1) s + span - out, floor(total / 2) cropped before
        before = [max(full.shape[2 + i] - out_hw[i], 0) // 2 for i in range(2)]
    extra_h = max(before[0] + out_hw[0] - full.shape[2], 0)
    extra_w = max(before[1] + out_hw[1] - full.shape[3], 0)
    full = F.pad(full, (0, extra_w, 0, extra_h))
    out = full[:, :, before[0]:before[0] + out_hw[0], before[1]:before[1] + out_hw[1]]
    return out if bt is None else out + bt.view(1, -1, 1, 1)


TRANSPOSE_CASES = [
    ("3x3_stride1_valid", (2, 5, 4, 3), dict(filters=2, kernel_size=3)),
    ("3x3_stride1_same", (2, 5, 4, 3), dict(filters=2, kernel_size=3, padding="same")),
    ("3x3_stride2_valid", (2, 4, 5, 2), dict(filters=3, kernel_size=3, strides=2)),
    ("3x3_stride2_same", (2, 4, 5, 2), dict(filters=3, kernel_size=3, strides=2, padding="same")),
    ("4x4_stride2_same", (1, 3, 5, 2), dict(filters=2, kernel_size=4, strides=2, padding="same")),
    ("2x2_stride2_valid", (2, 4, 3, 3), dict(filters=2, kernel_size=2, strides=2)),
    ("2x2_stride3_valid_gaps", (1, 3, 4, 2), dict(filters=2, kernel_size=2, strides=3)),
    ("3x2_stride3_same", (1, 3, 4, 2), dict(filters=2, kernel_size=(3, 2), strides=3, padding="same")),
    ("stride_pair_same", (1, 4, 3, 2), dict(filters=2, kernel_size=3, strides=(2, 3), padding="same")),
    ("output_padding_same", (2, 4, 5, 2), dict(filters=3, kernel_size=3, strides=2, padding="same",
                                               output_padding=1)),
    ("output_padding_valid", (1, 4, 3, 2), dict(filters=2, kernel_size=3, strides=2, output_padding=1)),
    ("output_padding_pair_stride3", (1, 3, 4, 2), dict(filters=2, kernel_size=3, strides=3, padding="same",
                                                       output_padding=(2, 0))),
    ("output_padding_zero_same", (1, 4, 4, 2), dict(filters=2, kernel_size=3, strides=2, padding="same",
                                                    output_padding=0)),
    ("output_padding_zero_same_even_kernel", (1, 3, 5, 2), dict(filters=2, kernel_size=4, strides=2,
                                                                padding="same", output_padding=0)),
    ("output_padding_zero_same_even_kernel_s1", (1, 3, 4, 2), dict(filters=2, kernel_size=(2, 4), padding="same",
                                                                   output_padding=0)),
    ("dilation2_valid", (1, 4, 5, 2), dict(filters=2, kernel_size=3, dilation_rate=2)),
    ("dilation2_same", (1, 4, 5, 2), dict(filters=2, kernel_size=3, dilation_rate=2, padding="same")),
    ("relu", (2, 4, 4, 2), dict(filters=3, kernel_size=3, strides=2, padding="same", activation="relu")),
    ("sigmoid_no_bias", (1, 3, 4, 2), dict(filters=2, kernel_size=3, strides=2, activation="sigmoid",
                                           use_bias=False)),
    ("tanh", (1, 3, 3, 2), dict(filters=2, kernel_size=2, strides=2, activation="tanh")),
]


@pytest.mark.parametrize("shape,kwargs", [c[1:] for c in TRANSPOSE_CASES], ids=[c[0] for c in TRANSPOSE_CASES])
def test_conv2d_transpose_matches_torch(shape, kwargs, rng):
    layer = layers.Conv2DTranspose(**kwargs)
    layer.build((None,) + shape[1:])
    weights = init_weights(layer, rng)
    assert weights[0].shape == layer.kernel_size + (layer.filters, shape[-1])
    x = rng.standard_normal(shape).astype("float32")
    out, g, gx = run_glassnet(layer, x, upstream_maker(rng))

    strides, dilation = layer.strides, layer.dilation_rate
    op = kwargs.get("output_padding")
    ops_ = (None, None) if op is None else ((op, op) if isinstance(op, int) else op)
    out_hw = tuple(keras_transpose_length(shape[1 + i], layer.kernel_size[i], strides[i], dilation[i],
                                          layer.padding, ops_[i]) for i in range(2))
    assert out.shape == (shape[0],) + out_hw + (layer.filters,)

    xt = t64(x.transpose(0, 3, 1, 2), True)
    wt = t64(weights[0].transpose(3, 2, 0, 1), True)  # (kh, kw, out, in) -> (in, out, kh, kw)
    bt = t64(weights[1], True) if layer.use_bias else None
    ref = TORCH_ACT[kwargs.get("activation")](
        torch_conv_transpose_tf(xt, wt, bt, strides, dilation, layer.padding, out_hw)).permute(0, 2, 3, 1)
    (ref * t64(g)).sum().backward()

    assert_close(out, ref.detach().numpy(), what="output")
    assert_close(gx, xt.grad.numpy().transpose(0, 2, 3, 1), what="input grad")
    assert_close(layer.kernel.grad, wt.grad.numpy().transpose(2, 3, 1, 0), what="kernel grad")
    if layer.use_bias:
        assert_close(layer.bias.grad, bt.grad.numpy(), what="bias grad")


@pytest.mark.parametrize("kernel,stride,padding,output_padding", [
    (2, 2, "same", None), (6, 2, "same", None), (3, 2, "valid", None), (4, 2, "same", None), (3, 1, "same", None),
    (5, 3, "valid", 1), (3, 3, "same", 0), (2, 2, "valid", 0),
])
def test_conv2d_transpose_matches_torch_conv_transpose2d_where_its_padding_is_symmetric(
        kernel, stride, padding, output_padding, rng):
    """Where TF's crop is symmetric, torch's own padding/output_padding arguments give the same layer."""
    shape = (2, 4, 5, 3)
    layer = layers.Conv2DTranspose(2, kernel, strides=stride, padding=padding, output_padding=output_padding)
    layer.build((None,) + shape[1:])
    weights = init_weights(layer, rng)
    x = rng.standard_normal(shape).astype("float32")
    out = layer(x).numpy()
    out_h = keras_transpose_length(shape[1], kernel, stride, 1, padding, output_padding)
    out_w = keras_transpose_length(shape[2], kernel, stride, 1, padding, output_padding)
    before = tf_same_pads(out_h, kernel, stride)[0] if padding == "same" else 0
    # torch: (in - 1) s - 2 p + k + output_padding, cropping p from both sides, extra at the end
    full = (shape[1] - 1) * stride + kernel
    tail_h = out_h - (full - 2 * before)
    tail_w = out_w - ((shape[2] - 1) * stride + kernel - 2 * before)
    assert 0 <= tail_h < stride and 0 <= tail_w < stride  # the cases above are all expressible in torch
    ref = F.conv_transpose2d(t64(x.transpose(0, 3, 1, 2)), t64(weights[0].transpose(3, 2, 0, 1)), t64(weights[1]),
                             stride=stride, padding=before, output_padding=(tail_h, tail_w))
    assert_close(out, ref.numpy().transpose(0, 2, 3, 1))


# ---------------------------------------------------------------------------------- DepthwiseConv2D
DEPTHWISE_CASES = [
    ("m1_valid", (2, 7, 6, 3), dict(kernel_size=3)),
    ("m2_valid", (2, 7, 6, 3), dict(kernel_size=3, depth_multiplier=2)),
    ("m1_same_odd", (2, 7, 5, 2), dict(kernel_size=3, padding="same")),
    ("m2_stride2_same", (2, 7, 6, 2), dict(kernel_size=3, strides=2, padding="same", depth_multiplier=2)),
    ("m3_stride3_valid", (1, 10, 8, 2), dict(kernel_size=(2, 3), strides=3, depth_multiplier=3)),
    ("m1_dilation2_same", (1, 8, 7, 3), dict(kernel_size=3, dilation_rate=2, padding="same")),
    ("m2_dilation2_valid", (1, 8, 7, 2), dict(kernel_size=2, dilation_rate=2, depth_multiplier=2)),
    ("relu_no_bias", (2, 6, 6, 2), dict(kernel_size=3, activation="relu", use_bias=False, depth_multiplier=2)),
    ("sigmoid", (1, 6, 6, 2), dict(kernel_size=3, activation="sigmoid", padding="same")),
]


@pytest.mark.parametrize("shape,kwargs", [c[1:] for c in DEPTHWISE_CASES], ids=[c[0] for c in DEPTHWISE_CASES])
def test_depthwise_conv2d_matches_torch_grouped_conv(shape, kwargs, rng):
    layer = layers.DepthwiseConv2D(**kwargs)
    layer.build((None,) + shape[1:])
    weights = init_weights(layer, rng)
    channels, mult = shape[-1], layer.depth_multiplier
    assert weights[0].shape == layer.kernel_size + (channels, mult)
    x = rng.standard_normal(shape).astype("float32")
    out, g, gx = run_glassnet(layer, x, upstream_maker(rng))

    kh, kw = layer.kernel_size
    (sh, sw), (dh, dw) = layer.strides, layer.dilation_rate
    xt = t64(x.transpose(0, 3, 1, 2), True)
    # (kh, kw, C, M) -> (C*M, 1, kh, kw): output channel c*M + m is input channel c's m-th filter
    wt = t64(weights[0].reshape(kh, kw, channels * mult).transpose(2, 0, 1)[:, None], True)
    bt = t64(weights[1], True) if layer.use_bias else None
    padded = xt
    if layer.padding == "same":
        top, bottom = tf_same_pads(shape[1], kh, sh, dh)
        left, right = tf_same_pads(shape[2], kw, sw, dw)
        padded = F.pad(xt, (left, right, top, bottom))
    ref = F.conv2d(padded, wt, bt, stride=(sh, sw), dilation=(dh, dw), groups=channels)
    ref = TORCH_ACT[kwargs.get("activation")](ref).permute(0, 2, 3, 1)
    (ref * t64(g)).sum().backward()

    assert_close(out, ref.detach().numpy(), what="output")
    assert_close(gx, xt.grad.numpy().transpose(0, 2, 3, 1), what="input grad")
    assert_close(layer.kernel.grad, wt.grad.numpy()[:, 0].transpose(1, 2, 0).reshape(kh, kw, channels, mult),
                 what="kernel grad")
    if layer.use_bias:
        assert_close(layer.bias.grad, bt.grad.numpy(), what="bias grad")


# ---------------------------------------------------------------------------------- SeparableConv2D
SEPARABLE_CASES = [
    ("m1_valid", (2, 7, 6, 3), dict(filters=4, kernel_size=3)),
    ("m2_same_stride2", (2, 7, 6, 2), dict(filters=3, kernel_size=3, strides=2, padding="same", depth_multiplier=2)),
    ("m1_dilation2_same", (1, 7, 8, 2), dict(filters=2, kernel_size=3, dilation_rate=2, padding="same")),
    ("m2_relu_no_bias", (2, 6, 5, 2), dict(filters=3, kernel_size=(3, 2), activation="relu", use_bias=False,
                                          depth_multiplier=2)),
    ("m3_stride3_tanh", (1, 9, 10, 2), dict(filters=2, kernel_size=3, strides=3, depth_multiplier=3,
                                            activation="tanh")),
]


@pytest.mark.parametrize("shape,kwargs", [c[1:] for c in SEPARABLE_CASES], ids=[c[0] for c in SEPARABLE_CASES])
def test_separable_conv2d_matches_torch_depthwise_then_pointwise(shape, kwargs, rng):
    layer = layers.SeparableConv2D(**kwargs)
    layer.build((None,) + shape[1:])
    weights = init_weights(layer, rng)
    channels, mult = shape[-1], kwargs.get("depth_multiplier", 1)
    assert weights[0].shape == layer.kernel_size + (channels, mult)
    assert weights[1].shape == (1, 1, channels * mult, layer.filters)
    x = rng.standard_normal(shape).astype("float32")
    out, g, gx = run_glassnet(layer, x, upstream_maker(rng))

    kh, kw = layer.kernel_size
    (sh, sw), (dh, dw) = layer.strides, layer.dilation_rate
    xt = t64(x.transpose(0, 3, 1, 2), True)
    dwt = t64(weights[0].reshape(kh, kw, channels * mult).transpose(2, 0, 1)[:, None], True)
    pwt = t64(weights[1].transpose(3, 2, 0, 1), True)
    bt = t64(weights[2], True) if layer.use_bias else None
    padded = xt
    if layer.padding == "same":
        top, bottom = tf_same_pads(shape[1], kh, sh, dh)
        left, right = tf_same_pads(shape[2], kw, sw, dw)
        padded = F.pad(xt, (left, right, top, bottom))
    depthwise = F.conv2d(padded, dwt, None, stride=(sh, sw), dilation=(dh, dw), groups=channels)
    ref = TORCH_ACT[kwargs.get("activation")](F.conv2d(depthwise, pwt, bt)).permute(0, 2, 3, 1)
    (ref * t64(g)).sum().backward()

    assert_close(out, ref.detach().numpy(), what="output")
    assert_close(gx, xt.grad.numpy().transpose(0, 2, 3, 1), what="input grad")
    assert_close(layer.depthwise_kernel.grad,
                 dwt.grad.numpy()[:, 0].transpose(1, 2, 0).reshape(kh, kw, channels, mult), what="depthwise grad")
    assert_close(layer.pointwise_kernel.grad, pwt.grad.numpy().transpose(2, 3, 1, 0), what="pointwise grad")
    if layer.use_bias:
        assert_close(layer.bias.grad, bt.grad.numpy(), what="bias grad")
