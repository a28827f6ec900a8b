"""Activation functions by name, as ``keras.activations``.

``get("relu")`` returns the function; ``Dense(..., activation="relu")`` calls
it. The functions are thin wrappers over ``glassnet.ops``; their formulas
live with the ops.
"""

from glassnet import ops
from glassnet.utils.registry import lookup


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """``x`` where ``x >= threshold``, else ``negative_slope * (x - threshold)``; capped at ``max_value``."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ops.relu(x)
    above = ops.convert_to_numpy(x) >= threshold
    below = ops.multiply(ops.subtract(x, threshold), negative_slope) if negative_slope else 0.0
    y = ops.where(above, x, below)
    if max_value is not None:
        y = ops.minimum(y, float(max_value))
    return y


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return ops.relu6(x)


def leaky_relu(x, negative_slope=0.2):
    """``x`` if positive else ``negative_slope * x``."""
    return ops.leaky_relu(x, negative_slope)


def elu(x, alpha=1.0):
    """``x`` if positive else ``alpha * (exp(x) - 1)``."""
    return ops.elu(x, alpha)


def selu(x):
    """``scale * elu(x, alpha)`` with alpha 1.67326, scale 1.05070."""
    return ops.selu(x)


def gelu(x, approximate=False):
    """``x * Phi(x)``, Phi the standard normal CDF."""
    return ops.gelu(x, approximate)


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return ops.sigmoid(x)


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``."""
    return ops.hard_sigmoid(x)


def tanh(x):
    """Hyperbolic tangent."""
    return ops.tanh(x)


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis``."""
    return ops.softmax(x, axis)


def log_softmax(x, axis=-1):
    """``x - logsumexp(x)`` along ``axis``."""
    return ops.log_softmax(x, axis)


def softplus(x):
    """``log(1 + exp(x))``."""
    return ops.softplus(x)


def softsign(x):
    """``x / (1 + |x|)``."""
    return ops.softsign(x)


def silu(x):
    """``x * sigmoid(x)``."""
    return ops.silu(x)


swish = silu


def exponential(x):
    """``exp(x)``."""
    return ops.exp(x)


def mish(x):
    """``x * tanh(softplus(x))``."""
    return ops.multiply(x, ops.tanh(ops.softplus(x)))


def celu(x, alpha=1.0):
    """``x`` if positive else ``alpha * (exp(x / alpha) - 1)``."""
    return ops.celu(x, alpha)


def glu(x, axis=-1):
    """Gated linear unit: ``a * sigmoid(b)``, ``a`` and ``b`` the two halves of ``x`` along ``axis``."""
    return ops.glu(x, axis)


def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0."""
    return ops.hard_shrink(x, threshold)


def hard_silu(x):
    """``x * relu6(x + 3) / 6``."""
    return ops.hard_silu(x)


hard_swish = hard_silu


def hard_tanh(x):
    """``clip(x, -1, 1)``."""
    return ops.hard_tanh(x)


def log_sigmoid(x):
    """``log(sigmoid(x)) = -softplus(-x)``."""
    return ops.log_sigmoid(x)


def soft_shrink(x, threshold=0.5):
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0."""
    return ops.soft_shrink(x, threshold)


def sparse_plus(x):
    """0 for ``x <= -1``, ``(x + 1)^2 / 4`` for ``|x| < 1``, ``x`` for ``x >= 1``."""
    return ops.sparse_plus(x)


def sparse_sigmoid(x):
    """0 for ``x <= -1``, ``(x + 1) / 2`` for ``|x| < 1``, 1 for ``x >= 1``."""
    return ops.sparse_sigmoid(x)


def sparsemax(x, axis=-1):
    """The Euclidean projection of ``x`` onto the probability simplex along ``axis`` (a sparse softmax)."""
    return ops.sparsemax(x, axis)


def squareplus(x, b=4):
    """``(x + sqrt(x^2 + b)) / 2``."""
    return ops.squareplus(x, b)


def tanh_shrink(x):
    """``x - tanh(x)``."""
    return ops.tanh_shrink(x)


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    return ops.threshold(x, threshold, default_value)


def linear(x):
    """The identity (also what ``activation=None`` means)."""
    return x


ALL = {
    f.__name__: f
    for f in (relu, relu6, leaky_relu, elu, selu, gelu, sigmoid, hard_sigmoid, tanh, softmax,
              log_softmax, softplus, softsign, silu, exponential, mish, linear, celu, glu, hard_shrink, hard_silu,
              hard_tanh, log_sigmoid, soft_shrink, sparse_plus, sparse_sigmoid, sparsemax, squareplus, tanh_shrink,
              threshold)
}
ALL["swish"] = swish
ALL["hard_swish"] = hard_swish


def get(identifier):
    """Return the activation function for a name, a function, or None (linear)."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str):
        return lookup("activation", identifier, ALL)
    if isinstance(identifier, dict) and identifier.get("class_name") == "function":  # Keras 3's entry for a function
        return get(identifier.get("config"))
    raise ValueError(f"activation must be a name, a function or None, got {identifier!r}")


def serialize(activation):
    """The name under which ``get`` finds ``activation`` (``"package>name"`` for a registered custom one)."""
    if activation is None:
        return "linear"
    for name, function in ALL.items():
        if function is activation:
            return name
    from glassnet.saving.object_registration import GLOBAL_CUSTOM_NAMES

    return GLOBAL_CUSTOM_NAMES.get(activation) or getattr(activation, "__name__", str(activation))


deserialize = get
