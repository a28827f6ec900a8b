"""Finite-difference gradient checks (float64, small shapes) of the convolution, pooling and
normalization ops: every input of ``ops.conv``, ``ops.conv_transpose``, ``ops.depthwise_conv``,
``ops.max_pool``, ``ops.average_pool`` and ``ops.normalize_with_moments``.

Max pooling gets inputs with all values distinct and well apart (no ties, so the derivative
exists); the fused relu sees random pre-activations (none within eps of the kink).
"""

import numpy as np
import pytest

from glassnet import ops
from glassnet.autodiff import gradcheck

RNG = np.random.default_rng(31337)


def normal(*shape):
    return RNG.standard_normal(shape)


def distinct(*shape):
    """All values distinct and at least ~0.01 apart: max pooling has no ties."""
    size = int(np.prod(shape))
    return RNG.permutation(np.linspace(-2.0, 2.0, size)).reshape(shape)


# ------------------------------------------------------------------------------------------- conv
CONV_CASES = [
    # (id, x shape, kernel shape, kwargs, with bias)
    ("3x3_valid", (2, 5, 5, 2), (3, 3, 2, 3), {}, True),
    ("odd_7x6_same", (1, 7, 6, 2), (3, 3, 2, 2), {"padding": "same"}, True),
    ("stride2_valid", (2, 7, 6, 2), (3, 3, 2, 2), {"strides": 2}, True),
    ("stride2_same", (1, 7, 6, 2), (3, 3, 2, 2), {"strides": 2, "padding": "same"}, True),
    ("stride3_same", (1, 7, 8, 1), (2, 2, 1, 2), {"strides": 3, "padding": "same"}, True),
    ("stride3_valid", (1, 8, 7, 2), (3, 2, 2, 2), {"strides": 3}, True),
    ("stride_pair_same", (1, 7, 6, 2), (3, 3, 2, 2), {"strides": (2, 3), "padding": "same"}, True),
    ("dilation2_valid", (1, 7, 6, 2), (2, 2, 2, 2), {"dilation_rate": 2}, True),
    ("dilation2_same", (1, 7, 6, 1), (3, 2, 1, 2), {"dilation_rate": 2, "padding": "same"}, True),
    ("nonsquare_kernel_same", (1, 6, 7, 2), (1, 3, 2, 2), {"padding": "same"}, True),
    ("nonsquare_kernel_valid", (2, 6, 5, 1), (3, 1, 1, 3), {}, True),
    ("even_kernel_same", (1, 5, 6, 2), (2, 4, 2, 2), {"padding": "same"}, True),
    ("no_bias", (2, 5, 6, 2), (3, 3, 2, 2), {"padding": "same"}, False),
    ("pointwise_1x1", (2, 3, 4, 3), (1, 1, 3, 2), {}, True),
    ("relu", (2, 5, 6, 2), (3, 3, 2, 3), {"activation": "relu"}, True),
    ("sigmoid", (1, 6, 5, 2), (3, 3, 2, 2), {"activation": "sigmoid", "padding": "same"}, True),
    ("tanh", (1, 6, 5, 2), (3, 3, 2, 2), {"activation": "tanh", "strides": 2}, True),
    ("relu_no_bias", (1, 6, 5, 2), (3, 2, 2, 2), {"activation": "relu", "padding": "same"}, False),
]


@pytest.mark.parametrize("x_shape,k_shape,kwargs,use_bias", [c[1:] for c in CONV_CASES],
                         ids=[c[0] for c in CONV_CASES])
def test_conv_gradcheck(x_shape, k_shape, kwargs, use_bias):
    inputs = [normal(*x_shape), normal(*k_shape) * 0.5]
    if use_bias:
        inputs.append(normal(k_shape[-1]) * 0.3)
        assert gradcheck(lambda x, k, b: ops.conv(x, k, b, **kwargs), inputs)
    else:
        assert gradcheck(lambda x, k: ops.conv(x, k, **kwargs), inputs)


# ---------------------------------------------------------------------------------- conv_transpose
TRANSPOSE_CASES = [
    # (id, x shape, kernel shape (kh, kw, filters, in_channels), kwargs)
    ("stride1_valid", (2, 4, 3, 2), (3, 3, 3, 2), {}),
    ("stride1_same", (1, 4, 5, 2), (3, 3, 2, 2), {"padding": "same"}),
    ("stride2_valid", (1, 3, 4, 2), (3, 3, 2, 2), {"strides": 2}),
    ("stride2_same", (1, 3, 4, 2), (3, 3, 2, 2), {"strides": 2, "padding": "same"}),
    ("stride3_valid_kernel_smaller_than_stride", (1, 3, 2, 1), (2, 2, 2, 1), {"strides": 3}),
    ("stride3_same", (1, 3, 3, 2), (3, 2, 2, 2), {"strides": 3, "padding": "same"}),
    ("stride_pair", (1, 3, 4, 1), (3, 3, 2, 1), {"strides": (2, 3), "padding": "same"}),
    ("output_padding_same", (1, 3, 4, 2), (3, 3, 2, 2), {"strides": 2, "padding": "same", "output_padding": 1}),
    ("output_padding_valid", (1, 3, 3, 2), (3, 3, 2, 2), {"strides": 2, "output_padding": 1}),
    ("output_padding_pair", (1, 3, 3, 1), (3, 3, 2, 1), {"strides": 3, "padding": "same",
                                                         "output_padding": (2, 1)}),
    ("output_padding_zero_even_kernel_same", (1, 3, 4, 1), (4, 2, 2, 1), {"strides": 2, "padding": "same",
                                                                         "output_padding": 0}),
    ("dilation2_valid", (1, 4, 3, 2), (2, 2, 2, 2), {"dilation_rate": 2}),
    ("dilation2_same", (1, 4, 3, 1), (3, 3, 2, 1), {"dilation_rate": 2, "padding": "same"}),
    ("even_kernel_same", (1, 3, 3, 2), (4, 2, 2, 2), {"strides": 2, "padding": "same"}),
    ("relu", (2, 3, 3, 2), (3, 3, 2, 2), {"strides": 2, "activation": "relu"}),
    ("sigmoid", (1, 3, 3, 2), (3, 3, 2, 2), {"padding": "same", "activation": "sigmoid"}),
    ("tanh", (1, 3, 3, 2), (2, 2, 2, 2), {"strides": 2, "activation": "tanh"}),
]


@pytest.mark.parametrize("x_shape,k_shape,kwargs", [c[1:] for c in TRANSPOSE_CASES],
                         ids=[c[0] for c in TRANSPOSE_CASES])
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "no_bias"])
def test_conv_transpose_gradcheck(x_shape, k_shape, kwargs, use_bias):
    inputs = [normal(*x_shape), normal(*k_shape) * 0.5]
    if use_bias:
        inputs.append(normal(k_shape[2]) * 0.3)
        assert gradcheck(lambda x, k, b: ops.conv_transpose(x, k, b, **kwargs), inputs)
    else:
        assert gradcheck(lambda x, k: ops.conv_transpose(x, k, **kwargs), inputs)


# ---------------------------------------------------------------------------------- depthwise_conv
DEPTHWISE_CASES = [
    ("multiplier1_valid", (2, 5, 6, 3), (3, 3, 3, 1), {}),
    ("multiplier2_valid", (1, 5, 6, 2), (3, 3, 2, 2), {}),
    ("multiplier2_same_stride2", (1, 7, 6, 2), (3, 3, 2, 2), {"strides": 2, "padding": "same"}),
    ("multiplier1_stride3_same", (1, 7, 7, 2), (2, 3, 2, 1), {"strides": 3, "padding": "same"}),
    ("multiplier2_dilation2", (1, 7, 6, 2), (2, 2, 2, 2), {"dilation_rate": 2}),
    ("multiplier1_dilation2_same", (1, 6, 5, 2), (3, 3, 2, 1), {"dilation_rate": 2, "padding": "same"}),
    ("relu", (2, 5, 5, 2), (3, 3, 2, 2), {"activation": "relu"}),
    ("sigmoid", (1, 5, 5, 2), (3, 3, 2, 1), {"activation": "sigmoid", "padding": "same"}),
    ("tanh", (1, 5, 5, 2), (3, 3, 2, 2), {"activation": "tanh", "strides": 2}),
]


@pytest.mark.parametrize("x_shape,k_shape,kwargs", [c[1:] for c in DEPTHWISE_CASES],
                         ids=[c[0] for c in DEPTHWISE_CASES])
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "no_bias"])
def test_depthwise_conv_gradcheck(x_shape, k_shape, kwargs, use_bias):
    inputs = [normal(*x_shape), normal(*k_shape) * 0.5]
    if use_bias:
        inputs.append(normal(k_shape[2] * k_shape[3]) * 0.3)
        assert gradcheck(lambda x, k, b: ops.depthwise_conv(x, k, b, **kwargs), inputs)
    else:
        assert gradcheck(lambda x, k: ops.depthwise_conv(x, k, **kwargs), inputs)


# ----------------------------------------------------------------------------------------- pooling
POOL_CASES = [
    ("pool2_valid", (2, 4, 6, 2), {"pool_size": 2}),
    ("pool2_valid_odd_7x5", (1, 7, 5, 2), {"pool_size": 2}),
    ("pool2_same_odd_7x5", (1, 7, 5, 2), {"pool_size": 2, "padding": "same"}),
    ("pool3_valid", (1, 7, 6, 2), {"pool_size": 3}),
    ("pool3_same", (1, 7, 6, 1), {"pool_size": 3, "padding": "same"}),
    ("pool3_stride1_overlapping", (1, 5, 6, 2), {"pool_size": 3, "strides": 1}),
    ("pool3_stride2_same_overlapping", (2, 7, 6, 1), {"pool_size": 3, "strides": 2, "padding": "same"}),
    ("pool2_stride3_valid_gaps", (1, 7, 8, 2), {"pool_size": 2, "strides": 3}),
    ("pool_pair_strides_pair", (1, 7, 6, 2), {"pool_size": (3, 2), "strides": (2, 1), "padding": "same"}),
    ("pool_1x3", (1, 4, 7, 2), {"pool_size": (1, 3), "strides": (1, 2)}),
]


@pytest.mark.parametrize("x_shape,kwargs", [c[1:] for c in POOL_CASES], ids=[c[0] for c in POOL_CASES])
def test_max_pool_gradcheck(x_shape, kwargs):
    assert gradcheck(lambda x: ops.max_pool(x, **kwargs), [distinct(*x_shape)])


@pytest.mark.parametrize("x_shape,kwargs", [c[1:] for c in POOL_CASES], ids=[c[0] for c in POOL_CASES])
def test_average_pool_gradcheck(x_shape, kwargs):
    assert gradcheck(lambda x: ops.average_pool(x, **kwargs), [normal(*x_shape)])


# ----------------------------------------------------------------------------------- normalization
NORM_CASES = [
    # (id, x shape, axes, gamma/beta shape) -- batch-norm style (all axes but the channels) and
    # layer-norm style (the feature axes of each sample)
    ("batch_norm_2d", (6, 3), (0,), (3,)),
    ("batch_norm_nhwc", (3, 3, 2, 2), (0, 1, 2), (2,)),
    ("batch_norm_channels_axis1", (2, 3, 3, 2), (0, 2, 3), (1, 3, 1, 1)),
    ("batch_norm_sequence", (3, 4, 2), (0, 1), (2,)),
    ("layer_norm_last", (3, 5), (-1,), (5,)),
    ("layer_norm_last_3d", (2, 3, 4), (2,), (4,)),
    ("layer_norm_two_axes", (2, 3, 4), (1, 2), (3, 4)),
    ("layer_norm_middle_axis", (2, 4, 3), (1,), (4, 1)),
]


@pytest.mark.parametrize("x_shape,axes,param_shape", [c[1:] for c in NORM_CASES], ids=[c[0] for c in NORM_CASES])
@pytest.mark.parametrize("with_gamma,with_beta", [(True, True), (True, False), (False, True), (False, False)],
                         ids=["gamma_beta", "gamma_only", "beta_only", "neither"])
def test_normalize_gradcheck(x_shape, axes, param_shape, with_gamma, with_beta):
    x = normal(*x_shape) * 1.5 + 0.3
    gamma = RNG.uniform(0.5, 1.5, param_shape)
    beta = normal(*param_shape)

    def fn(*tensors):
        tensors = list(tensors)
        xs = tensors.pop(0)
        g = tensors.pop(0) if with_gamma else None
        b = tensors.pop(0) if with_beta else None
        return ops.normalize_with_moments(xs, g, b, axes=axes, epsilon=1e-3)[0]

    inputs = [x] + ([gamma] if with_gamma else []) + ([beta] if with_beta else [])
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("x_shape,axes,param_shape", [c[1:] for c in NORM_CASES], ids=[c[0] for c in NORM_CASES])
def test_normalize_values_and_statistics_match_the_formula(x_shape, axes, param_shape):
    x = normal(*x_shape) * 2.0 + 1.0
    gamma, beta = RNG.uniform(0.5, 1.5, param_shape), normal(*param_shape)
    y, mean, var = ops.normalize_with_moments(x, gamma, beta, axes=axes, epsilon=1e-3)
    axes = tuple(a % x.ndim for a in axes)
    ref_mean = x.mean(axis=axes, keepdims=True)
    ref_var = x.var(axis=axes, keepdims=True)  # biased (ddof=0)
    np.testing.assert_allclose(mean.numpy(), ref_mean, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(var.numpy(), ref_var, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y.numpy(), gamma * (x - ref_mean) / np.sqrt(ref_var + 1e-3) + beta,
                               rtol=1e-10, atol=1e-10)


def test_ops_keep_float32():
    x = RNG.standard_normal((2, 5, 5, 2)).astype("float32")
    k = RNG.standard_normal((3, 3, 2, 2)).astype("float32")
    kt = RNG.standard_normal((3, 3, 2, 2)).astype("float32")
    results = [
        ops.conv(x, k, padding="same"), ops.conv_transpose(x, kt, strides=2),
        ops.depthwise_conv(x, k), ops.max_pool(x, 2, padding="same"), ops.average_pool(x, 3, 2, "same"),
        ops.normalize_with_moments(x, np.ones(2, "float32"), np.zeros(2, "float32"), axes=(0, 1, 2))[0],
    ]
    for result in results:
        assert result.dtype == np.float32


@pytest.mark.parametrize("op", [ops.conv, ops.depthwise_conv, ops.conv_transpose])
def test_conv_ops_reject_unfusable_activation_and_bad_padding(op):
    x, k = RNG.standard_normal((1, 5, 5, 2)), RNG.standard_normal((3, 3, 2, 2))
    with pytest.raises(ValueError, match="relu, sigmoid, tanh"):
        op(x, k, activation="elu")
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same', got 'full'"):
        op(x, k, padding="full")


def test_conv_op_kernel_larger_than_input_says_so():
    with pytest.raises(ValueError, match=r"kernel \(3, 3\).*larger than the input \(2, 5\).*'valid'"):
        ops.conv(RNG.standard_normal((1, 2, 5, 1)), RNG.standard_normal((3, 3, 1, 1)))
    with pytest.raises(ValueError, match=r"pool size \(3, 3\) is larger than the input \(2, 5\)"):
        ops.max_pool(RNG.standard_normal((1, 2, 5, 1)), 3)
