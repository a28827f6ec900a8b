"""What Dense and the convolution layers share: ``y = activation(op(x, kernel) + bias)``.

The activation (fused into the op where the op computes it itself), the
kernel and the optional bias with their initializers, regularizers and
constraints, and those arguments' entries in the layer's config.
"""

from glassnet import activations, constraints, initializers, regularizers
from glassnet.ops.fused_activation import FUSED_NAMES, fused_key
from glassnet.utils.serialization import serialize_object

# The activation functions the dense and conv ops compute themselves (ops/fused_activation.py's table),
# each with the op's key for it ("linear" -> None).
_FUSED_FUNCTIONS = tuple((activations.ALL[name], fused_key(name, "dense")) for name in FUSED_NAMES)


def fused_activation(activation):
    """(True, key) if the dense and conv ops can apply ``activation`` themselves, else (False, None).

    ``activation`` is anything ``activations.get`` takes: a name in any case, a function, Keras' function
    entry, or None (linear).
    """
    function = activations.get(activation)
    for fused_function, key in _FUSED_FUNCTIONS:
        if function is fused_function:
            return True, key
    return False, None


def set_kernel_bias_arguments(layer, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                              bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint):
    """Store the constructor's arguments on ``layer`` as objects ("relu" -> the function, "zeros" -> an initializer)."""
    layer.activation = activations.get(activation)
    layer._fusable, layer._fused_name = fused_activation(layer.activation)
    layer.use_bias = use_bias
    layer.kernel_initializer = initializers.get(kernel_initializer)
    layer.bias_initializer = initializers.get(bias_initializer)
    layer.kernel_regularizer = regularizers.get(kernel_regularizer)
    layer.bias_regularizer = regularizers.get(bias_regularizer)
    layer.activity_regularizer = regularizers.get(activity_regularizer)
    layer.kernel_constraint = constraints.get(kernel_constraint)
    layer.bias_constraint = constraints.get(bias_constraint)


def add_kernel_and_bias(layer, kernel_shape, bias_size):
    """Create ``layer.kernel`` of ``kernel_shape`` and ``layer.bias`` of ``(bias_size,)`` (None without use_bias)."""
    layer.kernel = layer.add_weight(shape=kernel_shape, initializer=layer.kernel_initializer, name="kernel",
                                    regularizer=layer.kernel_regularizer, constraint=layer.kernel_constraint)
    layer.bias = None
    if layer.use_bias:
        layer.bias = layer.add_weight(shape=(bias_size,), initializer=layer.bias_initializer, name="bias",
                                      regularizer=layer.bias_regularizer, constraint=layer.bias_constraint)


def kernel_bias_config(layer):
    """The config entries of ``set_kernel_bias_arguments``' arguments, in Keras' order."""
    return {
        "activation": activations.serialize(layer.activation),
        "use_bias": layer.use_bias,
        "kernel_initializer": serialize_object(layer.kernel_initializer),
        "bias_initializer": serialize_object(layer.bias_initializer),
        "kernel_regularizer": serialize_object(layer.kernel_regularizer),
        "bias_regularizer": serialize_object(layer.bias_regularizer),
        "activity_regularizer": serialize_object(layer.activity_regularizer),
        "kernel_constraint": serialize_object(layer.kernel_constraint),
        "bias_constraint": serialize_object(layer.bias_constraint),
    }
