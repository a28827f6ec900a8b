"""Dense: the fully connected layer, ``y = activation(x @ kernel + bias)``."""

from glassnet import ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.kernel_bias import add_kernel_and_bias, kernel_bias_config, set_kernel_bias_arguments
from glassnet.layers.layer import Layer


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
        set_kernel_bias_arguments(self, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                                  bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Dense '{self.name}' needs a known last input dimension, got shape {input_shape}")
        add_kernel_and_bias(self, kernel_shape=(input_dim, self.units), bias_size=self.units)
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
        config.update({"units": self.units, **kernel_bias_config(self)})
        return config
