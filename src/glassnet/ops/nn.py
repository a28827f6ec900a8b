"""Neural-network ops: activations, the fused dense layer, cross-entropies, dropout.

Activations keep what their derivative needs (usually the output ``y``).
Three fused ops exist for speed, as DESIGN.md allows: ``Dense`` (matmul +
bias + activation in one node), and the cross-entropies taken on logits,
whose gradient is simply ``p - target``.
"""

import math as _math

import numpy as np

from glassnet import config
from glassnet.autodiff.function import Function
from glassnet.autodiff.tensor import Tensor
from glassnet.backend import get_array_module
from glassnet.ops import convolution, math, pooling, reduce, shaping
from glassnet.ops._convert import as_input, data_of
from glassnet.ops.ctc import ctc_decode, ctc_loss  # noqa: F401 - Keras' ops.nn names
from glassnet.ops.folding import fold, unfold  # noqa: F401
from glassnet.ops.fused_activation import (
    activation_slope,
    add_bias_and_activate,
    fused_key,
    relu_slope,
)
from glassnet.ops.linalg import matmul, norm
from glassnet.ops.math import erf_values
from glassnet.ops.normalization import (  # noqa: F401
    batch_normalization,
    layer_normalization,
    rms_normalization,
)
from glassnet.state import current

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_OVER_PI = _math.sqrt(2.0 / _math.pi)
_INV_SQRT_2 = 1.0 / _math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / _math.sqrt(2.0 * _math.pi)


def _sigmoid(x):
    """1 / (1 + exp(-x)) written as (1 + tanh(x/2)) / 2, which never overflows."""
    y = get_array_module(x).tanh(x * 0.5)
    y += 1.0
    y *= 0.5
    return y


# --- activations -------------------------------------------------------------


class Relu(Function):
    """y = max(x, 0);  dy/dx = 1 where y > 0"""

    def forward(self, x):
        self.y = get_array_module(x).maximum(x, 0)
        return self.y

    def backward(self, gy):
        return relu_slope(gy, self.y)


class LeakyRelu(Function):
    """y = x if x > 0 else slope x;  dy/dx = 1 or slope"""

    def __init__(self, negative_slope=0.2):
        self.slope = float(negative_slope)

    def forward(self, x):
        self.positive = x > 0
        return get_array_module(x).where(self.positive, x, x * self.slope)

    def backward(self, gy):
        return get_array_module(gy).where(self.positive, gy, gy * self.slope)


class Elu(Function):
    """y = x if x > 0 else alpha (exp(x) - 1);  dy/dx = 1 or y + alpha"""

    def __init__(self, alpha=1.0):
        self.alpha = float(alpha)

    def forward(self, x):
        xp = get_array_module(x)
        self.positive = x > 0
        self.y = xp.where(self.positive, x, self.alpha * xp.expm1(xp.minimum(x, 0)))
        return self.y

    def backward(self, gy):
        return gy * get_array_module(gy).where(self.positive, 1.0, self.y + self.alpha).astype(gy.dtype)


class Selu(Function):
    """y = scale * elu(x, alpha) with the self-normalising constants"""

    def forward(self, x):
        xp = get_array_module(x)
        self.positive = x > 0
        self.y = SELU_SCALE * xp.where(self.positive, x, SELU_ALPHA * xp.expm1(xp.minimum(x, 0)))
        return self.y

    def backward(self, gy):
        xp = get_array_module(gy)
        slope = xp.where(self.positive, SELU_SCALE, self.y + SELU_SCALE * SELU_ALPHA)
        return gy * slope.astype(gy.dtype)


class Gelu(Function):
    """y = x Phi(x);  dy/dx = Phi(x) + x phi(x)   (tanh approximation when approximate=True)"""

    def __init__(self, approximate=False):
        self.approximate = approximate

    def forward(self, x):
        xp = get_array_module(x)
        self.x = x
        if self.approximate:
            inner = _SQRT_2_OVER_PI * (x + 0.044715 * x**3)
            self.tanh = xp.tanh(inner)
            return 0.5 * x * (1.0 + self.tanh)
        self.cdf = 0.5 * (1.0 + erf_values(x * _INV_SQRT_2))
        return x * self.cdf

    def backward(self, gy):
        xp = get_array_module(gy)
        x = self.x
        if self.approximate:
            d_inner = _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x**2)
            slope = 0.5 * (1.0 + self.tanh) + 0.5 * x * (1.0 - self.tanh**2) * d_inner
        else:
            slope = self.cdf + x * _INV_SQRT_2PI * xp.exp(-0.5 * x * x)
        return gy * slope


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x));  dy/dx = y (1 - y)"""

    def forward(self, x):
        self.y = _sigmoid(x)
        return self.y

    def backward(self, gy):
        return gy * self.y * (1.0 - self.y)


class HardSigmoid(Function):
    """y = clip(x / 6 + 1/2, 0, 1)  (= relu6(x + 3) / 6);  dy/dx = 1/6 inside (-3, 3)"""

    def forward(self, x):
        self.x = x
        return get_array_module(x).clip(x / 6.0 + 0.5, 0.0, 1.0)

    def backward(self, gy):
        inside = (self.x > -3.0) & (self.x < 3.0)
        return gy * inside * (1.0 / 6.0)


class Tanh(Function):
    """y = tanh(x);  dy/dx = 1 - y^2"""

    def forward(self, x):
        self.y = get_array_module(x).tanh(x)
        return self.y

    def backward(self, gy):
        return gy * (1.0 - self.y * self.y)


class Softplus(Function):
    """y = log(1 + exp(x));  dy/dx = sigmoid(x)"""

    def forward(self, x):
        self.x = x
        return get_array_module(x).logaddexp(0, x).astype(x.dtype, copy=False)

    def backward(self, gy):
        return gy * _sigmoid(self.x)


class Softsign(Function):
    """y = x / (1 + |x|);  dy/dx = 1 / (1 + |x|)^2"""

    def forward(self, x):
        self.denominator = 1.0 + get_array_module(x).abs(x)
        return x / self.denominator

    def backward(self, gy):
        return gy / (self.denominator * self.denominator)


class Silu(Function):
    """y = x sigmoid(x);  dy/dx = s + x s (1 - s)"""

    def forward(self, x):
        self.x, self.s = x, _sigmoid(x)
        return x * self.s

    def backward(self, gy):
        s = self.s
        return gy * (s + self.x * s * (1.0 - s))


class Softmax(Function):
    """y = exp(x) / sum exp(x) along ``axis``;  dx = y (dy - sum(dy y))

    A cross-entropy that follows can reuse this node's work through
    ``log_normalizer()`` = log sum exp(x), instead of recomputing it.
    """

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        xp = get_array_module(x)
        self.peak = x.max(axis=self.axis, keepdims=True)
        e = xp.exp(x - self.peak)
        self.total = e.sum(axis=self.axis, keepdims=True)
        e /= self.total
        self.y = e
        return e

    def log_normalizer(self):
        """log sum exp(x) along the axis (kept dims), from the forward pass's parts."""
        return get_array_module(self.total).log(self.total) + self.peak

    def backward(self, gy):
        y = self.y
        return y * (gy - (gy * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """y = x - log sum exp(x) along ``axis``;  dx = dy - softmax(x) sum(dy)"""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        xp = get_array_module(x)
        shifted = x - x.max(axis=self.axis, keepdims=True)
        self.y = shifted - xp.log(xp.exp(shifted).sum(axis=self.axis, keepdims=True))
        return self.y

    def backward(self, gy):
        xp = get_array_module(gy)
        return gy - xp.exp(self.y) * gy.sum(axis=self.axis, keepdims=True)


# --- the fused dense layer ---------------------------------------------------


class Dense(Function):
    """y = act(x W + b), one node;  dz = dy act'(z),  dW = x^T dz,  db = sum dz,  dx = dz W^T

    ``x`` may have any number of leading axes; W applies to the last one.
    ``activation`` is a key of ``fused_activation.FUSED_ACTIVATIONS`` (its gradient computed from y).
    """

    def __init__(self, activation=None):
        self.activation = activation

    def forward(self, x, kernel, bias):
        if x.dtype != kernel.dtype:  # integer or float64 inputs: compute in the weights' dtype
            x = x.astype(kernel.dtype)
        self.x, self.kernel = x, kernel
        self.y = add_bias_and_activate(x @ kernel, bias, self.activation)
        return self.y

    def backward(self, gy):
        need_x, need_kernel, need_bias = self.needs_input_grad
        dz = activation_slope(gy, self.y, self.activation)
        x = self.x
        if dz.ndim != 2:  # leading axes beyond the batch: fold them into rows
            dz2, x = dz.reshape(-1, dz.shape[-1]), x.reshape(-1, x.shape[-1])
        else:
            dz2 = dz
        gx = dz @ self.kernel.T if need_x else None
        gk = x.T @ dz2 if need_kernel else None
        gb = get_array_module(dz2).add.reduce(dz2, axis=0) if need_bias else None
        return gx, gk, gb


# --- cross-entropies on logits -----------------------------------------------


def _softmax_parts(logits, softmax):
    """(probabilities, log-normaliser) of ``logits`` on the last axis, reused from a Softmax node if given."""
    if softmax is not None:
        return softmax.y, softmax.log_normalizer()
    xp = get_array_module(logits)
    peak = logits.max(axis=-1, keepdims=True)
    exps = xp.exp(logits - peak)
    total = exps.sum(axis=-1, keepdims=True)
    exps /= total
    return exps, xp.log(total) + peak


class SoftmaxCrossEntropy(Function):
    """loss = -sum t log softmax(z) = sum(t) logsumexp(z) - sum t z;  dz = sum(t) softmax(z) - t

    ``target`` holds probabilities (one-hot rows); one loss per row, on the last axis.
    ``softmax``: the Softmax node that already computed softmax(z), if any.
    """

    def __init__(self, softmax=None):
        self.softmax = softmax

    def forward(self, logits, target):
        self.probs, log_normalizer = _softmax_parts(logits, self.softmax)
        self.softmax = None
        self.target = target
        self.target_sum = target.sum(axis=-1, keepdims=True)
        return (self.target_sum * log_normalizer)[..., 0] - (target * logits).sum(axis=-1)

    def backward(self, gy):
        grad = self.probs * self.target_sum
        grad -= self.target
        grad *= gy[..., None]
        return grad, None


class SparseSoftmaxCrossEntropy(Function):
    """loss = logsumexp(z) - z[label];  dz = softmax(z) - onehot(label)

    ``labels`` are integer class ids with the logits' shape minus the last axis.
    ``softmax``: the Softmax node that already computed softmax(z), if any.
    """

    def __init__(self, softmax=None):
        self.softmax = softmax

    def forward(self, logits, labels):
        xp = get_array_module(logits)
        probs, log_normalizer = _softmax_parts(logits, self.softmax)
        self.softmax = None
        classes = logits.shape[-1]
        self.probs = probs.reshape(-1, classes)
        self.labels = labels.reshape(-1)
        self.rows = xp.arange(self.labels.shape[0])
        self.logits_shape = logits.shape
        picked = logits.reshape(-1, classes)[self.rows, self.labels]
        return (log_normalizer.reshape(-1) - picked).reshape(labels.shape)

    def backward(self, gy):
        grad = self.probs.copy()  # the probabilities may be the model's output: never modify them
        grad[self.rows, self.labels] -= 1.0
        grad *= gy.reshape(-1, 1)
        return grad.reshape(self.logits_shape), None


class SigmoidCrossEntropy(Function):
    """loss = max(z, 0) - z t + log(1 + exp(-|z|));  dz = sigmoid(z) - t  (element-wise)"""

    def forward(self, logits, target):
        xp = get_array_module(logits)
        self.logits, self.target = logits, target
        return xp.maximum(logits, 0) - logits * target + xp.log1p(xp.exp(-xp.abs(logits)))

    def backward(self, gy):
        return gy * (_sigmoid(self.logits) - self.target), None


# --- functional forms --------------------------------------------------------


def relu(x):
    """Rectified linear unit: ``max(x, 0)``."""
    return Relu.apply(as_input(x))


def leaky_relu(x, negative_slope=0.2):
    """``x`` for positive inputs, ``negative_slope * x`` otherwise."""
    return LeakyRelu.apply(as_input(x), negative_slope=negative_slope)


def elu(x, alpha=1.0):
    """Exponential linear unit."""
    return Elu.apply(as_input(x), alpha=alpha)


def selu(x):
    """Scaled exponential linear unit (Klambauer et al., 2017)."""
    return Selu.apply(as_input(x))


def gelu(x, approximate=False):
    """Gaussian error linear unit, exact (erf) or with the tanh approximation."""
    return Gelu.apply(as_input(x), approximate=approximate)


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``."""
    return Sigmoid.apply(as_input(x))


def hard_sigmoid(x):
    """Piecewise-linear sigmoid ``relu6(x + 3) / 6``."""
    return HardSigmoid.apply(as_input(x))


def tanh(x):
    """Hyperbolic tangent."""
    return Tanh.apply(as_input(x))


def softplus(x):
    """``log(1 + exp(x))``, computed without overflow."""
    return Softplus.apply(as_input(x))


def softsign(x):
    """``x / (1 + |x|)``."""
    return Softsign.apply(as_input(x))


def silu(x):
    """Sigmoid linear unit ``x * sigmoid(x)`` (also called swish)."""
    return Silu.apply(as_input(x))


swish = silu


def softmax(x, axis=-1):
    """Normalised exponentials along ``axis``."""
    return Softmax.apply(as_input(x), axis=axis)


def log_softmax(x, axis=-1):
    """Logarithm of the softmax, computed stably."""
    return LogSoftmax.apply(as_input(x), axis=axis)


def dense(x, kernel, bias=None, activation=None):
    """``activation(x @ kernel + bias)`` as one fused op (activation: a name in ``fused_activation.FUSED_NAMES``)."""
    return Dense.apply(as_input(x), kernel, bias, activation=fused_key(activation, "dense"))


def softmax_cross_entropy(logits, target, softmax=None):
    """Per-row ``-sum(target * log_softmax(logits))`` with the fused gradient.

    ``softmax``: the Softmax node that produced softmax(logits), to reuse its work.
    """
    return SoftmaxCrossEntropy.apply(as_input(logits), as_input(target), softmax=softmax)


def sparse_softmax_cross_entropy(logits, labels, softmax=None):
    """Per-row ``-log_softmax(logits)[label]`` with the fused gradient.

    ``softmax``: the Softmax node that produced softmax(logits), to reuse its work.
    """
    return SparseSoftmaxCrossEntropy.apply(as_input(logits), data_of(as_input(labels)), softmax=softmax)


def sigmoid_cross_entropy(logits, target):
    """Element-wise binary cross-entropy on logits with the fused gradient."""
    return SigmoidCrossEntropy.apply(as_input(logits), as_input(target))


def dropout(x, rate, generator, noise_shape=None):
    """Inverted dropout: zero each value with probability ``rate``, scale the rest by 1/(1-rate)."""
    x = as_input(x)
    data = data_of(x)
    shape = data.shape if noise_shape is None else tuple(
        data.shape[i] if n is None else n for i, n in enumerate(noise_shape)
    )
    keep = generator.random(shape, dtype=np.float32) >= rate
    mask = keep.astype(data.dtype)
    mask *= 1.0 / (1.0 - rate)
    if current.plan_trace is not None:  # a compiled step draws this mask again at the same point
        current.plan_trace.random_mask(mask, generator, shape, rate, data.dtype)
    return math.multiply(x, mask)


# --- Keras' ops.nn functions composed from the above ---------------------------


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return math.clip(x, 0.0, 6.0)


def log_sigmoid(x):
    """``log(sigmoid(x)) = -softplus(-x)``."""
    return math.negative(softplus(math.negative(x)))


def hard_silu(x):
    """``x * hard_sigmoid(x)``."""
    return math.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def _labels(x):
    labels = np.asarray(data_of(as_input(x)))
    if labels.dtype.kind == "f":
        labels = labels.astype(np.int64)
    return labels


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """Integer labels as one-hot vectors on a new ``axis`` (float32); a label outside
    ``[0, num_classes)`` gives a row of zeros, as in Keras."""
    labels = _labels(x)
    hot = (labels[..., None] == np.arange(num_classes)).astype(dtype or "float32")
    return Tensor(np.moveaxis(hot, -1, axis) if axis != -1 else hot)


def multi_hot(inputs, num_classes, axis=-1, dtype=None, sparse=False):
    """Rows of labels as multi-hot vectors: 1 for every class the row holds (the last axis is reduced)."""
    labels = _labels(inputs)
    hot = (labels[..., None] == np.arange(num_classes)).any(axis=-2).astype(dtype or "float32")
    return Tensor(np.moveaxis(hot, -1, axis) if axis != -1 else hot)


def _epsilon():
    return config.epsilon()


def _check_same_shape(target, output, name):
    target_shape, output_shape = np.shape(data_of(target)), np.shape(data_of(output))
    if len(target_shape) != len(output_shape):
        raise ValueError(f"{name}: target and output must have the same rank, got shapes "
                         f"{target_shape} and {output_shape}")


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise ``-(t log p + (1 - t) log(1 - p))``; ``p = sigmoid(output)`` with ``from_logits``,
    else ``output`` clipped to [eps, 1 - eps]."""
    target, output = as_input(target), as_input(output)
    _check_same_shape(target, output, "binary_crossentropy")
    if from_logits and getattr(target, "requires_grad", False):
        # max(z, 0) - z t + log(1 + exp(-|z|)): composed, so the target gets its gradient too
        stable = math.add(relu(output), math.log1p(math.exp(math.negative(math.abs(output)))))
        return math.subtract(stable, math.multiply(output, target))
    if from_logits:
        return sigmoid_cross_entropy(output, target)
    eps = _epsilon()
    p = math.clip(output, eps, 1.0 - eps)
    positive = math.multiply(target, math.log(p))
    negative = math.multiply(math.subtract(1.0, target), math.log(math.subtract(1.0, p)))
    return math.negative(math.add(positive, negative))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """``-sum_axis t log p``; ``p = softmax(output)`` with ``from_logits``, else ``output``
    rescaled to sum to 1 and clipped to [eps, 1 - eps]."""
    target, output = as_input(target), as_input(output)
    _check_same_shape(target, output, "categorical_crossentropy")
    if from_logits:
        log_p = log_softmax(output, axis=axis)
    else:
        p = math.divide(output, reduce.sum(output, axis=axis, keepdims=True))
        log_p = math.log(math.clip(p, _epsilon(), 1.0 - _epsilon()))
    return math.negative(reduce.sum(math.multiply(target, log_p), axis=axis))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """``-log p[target]`` for integer targets (with or without a trailing axis of size 1)."""
    labels = _labels(target)
    output = as_input(output)
    output_shape = np.shape(data_of(output))
    if labels.ndim == len(output_shape) and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != output_shape[:axis] + output_shape[axis:][1:] and axis == -1:
        raise ValueError(f"sparse_categorical_crossentropy: target shape {labels.shape} must be the output "
                         f"shape {output_shape} without its last axis")
    if from_logits and axis == -1:
        return sparse_softmax_cross_entropy(output, labels)
    hot = one_hot(labels, output_shape[axis], axis=axis, dtype=data_of(output).dtype)
    return categorical_crossentropy(hot, output, from_logits=from_logits, axis=axis)


# --- Keras' signatures for the window ops (``keras.ops.nn.conv`` takes no bias) -----


def _spatial(x, kernel, data_format):
    """(NHWC x, HWCF kernel, restore) for 1-D or 2-D inputs in either data format."""
    x = as_input(x)
    ndim = len(np.shape(data_of(x)))
    if ndim not in (3, 4):
        raise ValueError(f"expected a batch of 1-D or 2-D inputs (rank 3 or 4), got shape {np.shape(data_of(x))}")
    data_format = data_format or config.image_data_format()
    if data_format == "channels_first":
        x = shaping.transpose(x, (0, *range(2, ndim), 1))
    if ndim == 3:
        x = shaping.expand_dims(x, 1)
        if kernel is not None:
            kernel = shaping.expand_dims(kernel, 0)

    def restore(y):
        if ndim == 3:
            y = shaping.squeeze(y, 1)
        if data_format == "channels_first":
            y = shaping.transpose(y, (0, ndim - 1, *range(1, ndim - 1)))
        return y

    return x, kernel, restore


def _pair(value, ndim):
    if value is None or isinstance(value, str):
        return value
    values = (value,) if isinstance(value, int) else tuple(value)
    values = values * (ndim - 2) if len(values) == 1 else values
    return (1,) + values if ndim == 3 else values


def keras_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """``keras.ops.nn.conv``: a 1-D or 2-D convolution, kernel (spatial..., in, out), no bias."""
    ndim = len(np.shape(data_of(as_input(inputs))))
    x, kernel, restore = _spatial(inputs, kernel, data_format)
    return restore(convolution.conv(x, kernel, None, strides=_pair(strides, ndim), padding=padding,
                                    dilation_rate=_pair(dilation_rate, ndim)))


def keras_depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """``keras.ops.nn.depthwise_conv``: kernel (spatial..., in, multiplier), no bias."""
    ndim = len(np.shape(data_of(as_input(inputs))))
    x, kernel, restore = _spatial(inputs, kernel, data_format)
    return restore(convolution.depthwise_conv(x, kernel, None, strides=_pair(strides, ndim), padding=padding,
                                              dilation_rate=_pair(dilation_rate, ndim)))


def _keras_pool(pool, inputs, pool_size, strides, padding, data_format):
    ndim = len(np.shape(data_of(as_input(inputs))))
    x, _, restore = _spatial(inputs, None, data_format)
    strides = pool_size if strides is None else strides
    return restore(pool(x, _pair(pool_size, ndim), _pair(strides, ndim), padding))


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """``keras.ops.nn.max_pool`` on 1-D or 2-D inputs."""
    return _keras_pool(pooling.max_pool, inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """``keras.ops.nn.average_pool`` on 1-D or 2-D inputs."""
    return _keras_pool(pooling.average_pool, inputs, pool_size, strides, padding, data_format)


def normalize(x, axis=-1, order=2, epsilon=None):
    """``keras.ops.nn.normalize``: ``x / max(norm(x, order, axis), epsilon)``."""
    eps = _epsilon() if epsilon is None else epsilon
    return math.divide(x, math.maximum(norm(x, ord=order, axis=axis, keepdims=True), eps))


def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and variance of ``x`` over ``axes``."""
    return reduce.mean(x, axis=axes, keepdims=keepdims), reduce.var(x, axis=axes, keepdims=keepdims)


conv = keras_conv
depthwise_conv = keras_depthwise_conv


def celu(x, alpha=1.0):
    """``max(x, 0) + min(0, alpha (exp(x / alpha) - 1))``."""
    negative = math.multiply(math.expm1(math.divide(math.minimum(x, 0.0), alpha)), alpha)
    return math.add(math.maximum(x, 0.0), negative)


def glu(x, axis=-1):
    """Gated linear unit: ``a * sigmoid(b)`` for the two halves a, b of ``axis``."""
    a, b = shaping.split(x, 2, axis=axis)
    return math.multiply(a, sigmoid(b))


def hard_tanh(x):
    """``clip(x, -1, 1)``."""
    return math.clip(x, -1.0, 1.0)


def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0."""
    return math.where(np.abs(data_of(as_input(x))) > threshold, x, 0.0)


def soft_shrink(x, threshold=0.5):
    """``x - threshold`` above it, ``x + threshold`` below ``-threshold``, else 0."""
    data = data_of(as_input(x))
    return math.where(data > threshold, math.subtract(x, threshold),
                      math.where(data < -threshold, math.add(x, threshold), 0.0))


def tanh_shrink(x):
    """``x - tanh(x)``."""
    return math.subtract(x, tanh(x))


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    return math.where(data_of(as_input(x)) > threshold, x, default_value)


def squareplus(x, b=4):
    """``(x + sqrt(x^2 + b)) / 2``, a smooth ReLU."""
    return math.multiply(math.add(x, math.sqrt(math.add(math.square(x), float(b)))), 0.5)


def sparse_plus(x):
    """0 for ``x <= -1``, ``(x + 1)^2 / 4`` in between, ``x`` for ``x >= 1``."""
    data = data_of(as_input(x))
    middle = math.multiply(math.square(math.add(x, 1.0)), 0.25)
    return math.where(data <= -1.0, 0.0, math.where(data >= 1.0, x, middle))


def keras_conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                         dilation_rate=1):
    """``keras.ops.nn.conv_transpose``: kernel (spatial..., out, in), no bias."""
    ndim = len(np.shape(data_of(as_input(inputs))))
    x, kernel, restore = _spatial(inputs, kernel, data_format)
    return restore(convolution.conv_transpose(x, kernel, None, strides=_pair(strides, ndim), padding=padding,
                                              output_padding=_pair(output_padding, ndim),
                                              dilation_rate=_pair(dilation_rate, ndim)))


conv_transpose = keras_conv_transpose


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """A depthwise convolution, then a 1x1 convolution mixing the channels."""
    ndim = len(np.shape(data_of(as_input(inputs))))
    x, depthwise_kernel, restore = _spatial(inputs, depthwise_kernel, data_format)
    if ndim == 3:
        pointwise_kernel = shaping.expand_dims(pointwise_kernel, 0)
    y = convolution.depthwise_conv(x, depthwise_kernel, None, strides=_pair(strides, ndim), padding=padding,
                                   dilation_rate=_pair(dilation_rate, ndim))
    return restore(convolution.conv(y, pointwise_kernel, None))


def _adaptive_pool(kind, inputs, output_size, data_format):
    x = as_input(inputs)
    ndim = len(np.shape(data_of(x)))
    if ndim not in (3, 4, 5):
        raise ValueError(f"adaptive pooling expects a batch of 1-D, 2-D or 3-D inputs (rank 3, 4 or 5), "
                         f"got shape {np.shape(data_of(x))}")
    size = (output_size,) * (ndim - 2) if isinstance(output_size, int) else tuple(output_size)
    if len(size) != ndim - 2:
        raise ValueError(f"adaptive pooling: output_size must give {ndim - 2} sizes, got {output_size!r}")
    channels_first = (data_format or config.image_data_format()) == "channels_first"
    if channels_first:
        x = shaping.transpose(x, (0, *range(2, ndim), 1))
    y = pooling.adaptive_pool(x, size, kind)
    return shaping.transpose(y, (0, ndim - 1, *range(1, ndim - 1))) if channels_first else y


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling into ``output_size`` bins per spatial axis (PyTorch's bins)."""
    return _adaptive_pool("average", inputs, output_size, data_format)


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling into ``output_size`` bins per spatial axis (PyTorch's bins)."""
    return _adaptive_pool("max", inputs, output_size, data_format)


def _check_image_batch(x, name, data_format):
    shape = np.shape(data_of(x))
    if len(shape) != 4:
        raise ValueError(f"{name} expects a batch of images (rank 4), got shape {shape}")
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{name}: data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    return shape if data_format == "channels_last" else (shape[0], shape[2], shape[3], shape[1])


def depth_to_space(x, block_size, data_format="channels_last"):
    """Move channels into (block_size x block_size) spatial blocks: (N, H, W, C b^2) -> (N, H b, W b, C)."""
    x = as_input(x)
    n, h, w, c = _check_image_batch(x, "depth_to_space", data_format)
    b = int(block_size)
    if c % (b * b):
        raise ValueError(f"depth_to_space: channels {c} must be divisible by block_size**2 = {b * b}")
    if data_format == "channels_last":
        y = shaping.transpose(shaping.reshape(x, (n, h, w, b, b, c // (b * b))), (0, 1, 3, 2, 4, 5))
        return shaping.reshape(y, (n, h * b, w * b, c // (b * b)))
    y = shaping.transpose(shaping.reshape(x, (n, c // (b * b), b, b, h, w)), (0, 1, 4, 2, 5, 3))
    return shaping.reshape(y, (n, c // (b * b), h * b, w * b))


def space_to_depth(x, block_size, data_format="channels_last"):
    """Move (block_size x block_size) spatial blocks into channels: (N, H b, W b, C) -> (N, H, W, C b^2)."""
    x = as_input(x)
    n, h, w, c = _check_image_batch(x, "space_to_depth", data_format)
    b = int(block_size)
    if h % b or w % b:
        raise ValueError(f"space_to_depth: height {h} and width {w} must be divisible by block_size {b}")
    if data_format == "channels_last":
        y = shaping.transpose(shaping.reshape(x, (n, h // b, b, w // b, b, c)), (0, 1, 3, 2, 4, 5))
        return shaping.reshape(y, (n, h // b, w // b, c * b * b))
    y = shaping.transpose(shaping.reshape(x, (n, c, h // b, b, w // b, b)), (0, 1, 3, 5, 2, 4))
    return shaping.reshape(y, (n, c * b * b, h // b, w // b))


_LARGE_NEGATIVE = -0.7 * 3.38953e38  # what a False mask entry adds to a logit (Keras' value)


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """``softmax(q k^T * scale + bias) v`` per head, inputs (batch, length, heads, head_dim).

    ``scale`` defaults to 1/sqrt(head_dim); ``mask`` (bool, broadcast to (B, heads, T, S)) and
    ``is_causal`` (query i sees keys j <= i) push the logits they exclude to a large negative; with
    fewer key/value heads than query heads, each serves a group of query heads.
    """
    query, key, value = as_input(query), as_input(key), as_input(value)
    shapes = [np.shape(data_of(t)) for t in (query, key, value)]
    if any(len(s) != 4 for s in shapes):
        raise ValueError(f"dot_product_attention expects 4-D inputs (batch, length, heads, head_dim), got "
                         f"query {shapes[0]}, key {shapes[1]}, value {shapes[2]}")
    if bias is not None and mask is not None:
        raise ValueError("dot_product_attention: pass bias or mask, not both")
    if flash_attention:
        raise ValueError("dot_product_attention: flash attention needs a GPU kernel glassnet does not have; "
                         "pass flash_attention=None or False")
    (_, t, heads, dim), (_, s, kv_heads, _) = shapes[0], shapes[1]
    if heads % kv_heads:
        raise ValueError(f"dot_product_attention: {heads} query heads cannot be grouped over {kv_heads} key heads")
    if kv_heads != heads:
        key = shaping.repeat(key, heads // kv_heads, axis=2)
        value = shaping.repeat(value, heads // kv_heads, axis=2)
    q = shaping.transpose(query, (0, 2, 1, 3))
    k = shaping.transpose(key, (0, 2, 3, 1))
    v = shaping.transpose(value, (0, 2, 1, 3))
    logits = math.multiply(matmul(q, k), 1.0 / _math.sqrt(dim) if scale is None else scale)
    if attn_logits_soft_cap is not None:
        logits = math.multiply(tanh(math.divide(logits, attn_logits_soft_cap)), attn_logits_soft_cap)
    if bias is not None:
        logits = math.add(logits, bias)
    keep = None if mask is None else np.asarray(data_of(as_input(mask)), dtype=bool)
    if is_causal:
        causal = np.tril(np.ones((t, s), dtype=bool))
        keep = causal if keep is None else keep & causal
    if keep is not None:
        logits = math.add(logits, np.where(keep, 0.0, _LARGE_NEGATIVE).astype(data_of(logits).dtype))
    return shaping.transpose(matmul(softmax(logits, axis=-1), v), (0, 2, 1, 3))


def polar(abs_, angle):
    """The complex numbers ``abs_ * (cos(angle) + i sin(angle))`` (no gradient)."""
    magnitude = np.asarray(data_of(as_input(abs_)))
    angle = np.asarray(data_of(as_input(angle)))
    dtype = np.complex128 if np.result_type(magnitude, angle) == np.float64 else np.complex64
    return Tensor((magnitude * np.cos(angle) + 1j * magnitude * np.sin(angle)).astype(dtype))


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mean((x1 - x2)^2))``."""
    x1, x2 = as_input(x1), as_input(x2)
    if np.shape(data_of(x1)) != np.shape(data_of(x2)):
        raise ValueError(f"psnr: x1 and x2 must have the same shape, got {np.shape(data_of(x1))} and "
                         f"{np.shape(data_of(x2))}")
    mse = reduce.mean(math.square(math.subtract(x1, x2)))
    return math.subtract(20.0 * _math.log10(float(max_val)), math.multiply(math.log(mse), 10.0 / _math.log(10.0)))


def sparse_sigmoid(x):
    """0 for ``x <= -1``, 1 for ``x >= 1``, ``(x + 1) / 2`` in between."""
    return math.clip(math.multiply(math.add(x, 1.0), 0.5), 0.0, 1.0)


class Sparsemax(Function):
    """y = max(x - tau, 0), tau chosen so y sums to 1 along the last axis (Martins & Astudillo);
    dx = s (dy - sum(dy s) / sum(s)) on the support s = (y > 0)"""

    def forward(self, x):
        xp = get_array_module(x)
        ordered = -xp.sort(-x, axis=-1)
        totals = xp.cumsum(ordered, axis=-1)
        ranks = xp.arange(1, x.shape[-1] + 1, dtype=x.dtype)
        support = ordered - (totals - 1) / ranks > 0
        k = support.sum(axis=-1, keepdims=True)
        tau = (xp.take_along_axis(totals, k - 1, axis=-1) - 1) / k
        self.support = (x - tau > 0).astype(x.dtype)
        return xp.maximum(x - tau, 0).astype(x.dtype)

    def backward(self, gy):
        s = self.support
        mean = (gy * s).sum(axis=-1, keepdims=True) / s.sum(axis=-1, keepdims=True)
        return s * (gy - mean)


def sparsemax(x, axis=-1):
    """The Euclidean projection of ``x`` onto the probability simplex along ``axis``: like softmax,
    but exact zeros for low scores."""
    x = as_input(x)
    moved = axis not in (-1, len(np.shape(data_of(x))) - 1)
    y = Sparsemax.apply(shaping.moveaxis(x, axis, -1) if moved else x)
    return shaping.moveaxis(y, -1, axis) if moved else y
