"""Dense: the fully connected layer, ``y = activation(x @ kernel + bias)``."""

from glassnet import activations, constraints, initializers, ops, regularizers
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.utils.serialization import serialize_object

# Activations the fused dense op computes itself, found by name or by function.
_FUSED = {"relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "linear": None}
_FUSED_FUNCTIONS = {activations.relu: "relu", activations.sigmoid: "sigmoid", activations.tanh: "tanh",
                    activations.linear: None}


def fused_activation(activation):
    """(True, name) if the dense op can apply ``activation`` itself, else (False, None)."""
    if activation is None:
        return True, None
    if isinstance(activation, str) and activation.lower() in _FUSED:
        return True, _FUSED[activation.lower()]
    if activation in _FUSED_FUNCTIONS:
        return True, _FUSED_FUNCTIONS[activation]
    return False, None


class Dense(Layer):
    """Densely connected layer: ``activation(dot(x, kernel) + bias)`` on the last axis.

    Args:
        units: the output size.
        activation: a name ("relu", "softmax", ...), a function, or None (linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: "glorot_uniform" and "zeros" by default.
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties added to the loss.
        kernel_constraint, bias_constraint: projections after each update.
        input_dim / input_shape: declare the input size on a first layer.
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            # Checked before Layer.__init__, so a rejected layer uses up no name (as in Keras).
            who = f"Dense '{kwargs['name']}'" if kwargs.get("name") else "Dense"
            raise ValueError(f"{who}: units must be a positive integer, got {units!r}")
        input_dim = kwargs.pop("input_dim", None)
        if input_dim is not None and "input_shape" not in kwargs:
            kwargs["input_shape"] = (input_dim,)
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self._fusable, self._fused_name = fused_activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Dense '{self.name}' needs a known last input dimension, got shape {input_shape}")
        self.kernel = self.add_weight(
            shape=(input_dim, self.units), initializer=self.kernel_initializer, name="kernel",
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,), initializer=self.bias_initializer, name="bias",
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        if self._fusable:
            return ops.dense(inputs, self.kernel, self.bias, self._fused_name)
        return self.activation(ops.dense(inputs, self.kernel, self.bias))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize_object(self.kernel_initializer),
            "bias_initializer": serialize_object(self.bias_initializer),
            "kernel_regularizer": serialize_object(self.kernel_regularizer),
            "bias_regularizer": serialize_object(self.bias_regularizer),
            "activity_regularizer": serialize_object(self.activity_regularizer),
            "kernel_constraint": serialize_object(self.kernel_constraint),
            "bias_constraint": serialize_object(self.bias_constraint),
        })
        return config
