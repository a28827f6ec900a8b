"""PReLU: a leaky rectifier whose negative slope is learned, one per feature (or shared over axes)."""

import numbers

from glassnet import constraints, initializers, ops, regularizers
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.utils.serialization import serialize_object


class PReLU(Layer):
    """f(x) = max(x, 0) + alpha * min(x, 0), with ``alpha`` a weight of the input's shape (batch axis dropped).

    ``shared_axes`` (1-based, as the input's axes) share one alpha along
    those axes: ``shared_axes=[1, 2]`` on images gives one slope per channel.
    df/dx = 1 for x > 0, alpha below; df/dalpha = min(x, 0).
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
            if not all(isinstance(a, numbers.Integral) and not isinstance(a, bool) and a >= 1 for a in axes):
                raise ValueError(f"PReLU '{self.name}': `shared_axes` must be None or axes >= 1 (the batch axis 0 "
                                 f"cannot be shared), got shared_axes={shared_axes!r}")
            self.shared_axes = [int(a) for a in axes]
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        shared = self.shared_axes or []
        if any(a >= rank for a in shared):
            raise ValueError(f"PReLU '{self.name}': shared_axes={self.shared_axes} do not all exist in inputs of "
                             f"shape {tuple(input_shape)}")
        param_shape = [1 if axis in shared else input_shape[axis] for axis in range(1, rank)]
        if any(d is None for d in param_shape):
            raise ValueError(f"PReLU '{self.name}' needs every unshared axis of its input to have a known size, "
                             f"got shape {tuple(input_shape)}; share the unknown axes with `shared_axes`")
        self.alpha = self.add_weight(shape=param_shape, name="alpha", initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        self.input_spec = InputSpec(ndim=rank, axes={axis: input_shape[axis] for axis in range(1, rank)
                                                     if axis not in shared} if shared else {})
        self.built = True

    def call(self, inputs):
        return ops.add(ops.relu(inputs), ops.multiply(self.alpha, ops.minimum(inputs, 0.0)))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "alpha_initializer": serialize_object(self.alpha_initializer),
            "alpha_regularizer": serialize_object(self.alpha_regularizer),
            "alpha_constraint": serialize_object(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return config
