"""GroupNormalization: normalise each sample over groups of channels (Wu & He, 2018).

The ``axis`` channels are split into ``groups`` groups of C / groups
channels; each sample and group is normalised over its channels and all the
other non-batch axes:

    x_hat = (x - mean_g) / sqrt(var_g + epsilon),  y = gamma_c x_hat + beta_c

``groups=1`` is LayerNormalization over all features with per-channel
gamma and beta; ``groups=-1`` (one channel per group) is instance
normalization. Keras' defaults: 32 groups, axis -1, epsilon 1e-3.
"""

from glassnet import ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.normalization.gamma_beta import add_gamma_beta, set_gamma_beta_arguments
from glassnet.utils.serialization import serialize_object


class GroupNormalization(Layer):
    """Normalise groups of channels per sample, then scale and shift per channel."""

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(groups, bool) or not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(f"GroupNormalization '{self.name}': `groups` must be a positive integer (or -1 for "
                             f"instance normalization), got groups={groups!r}")
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"GroupNormalization '{self.name}': `axis` must be an int, got axis={axis!r}")
        self.groups, self.axis, self.epsilon = groups, axis, float(epsilon)
        self.center, self.scale = center, scale
        set_gamma_beta_arguments(self, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                                 beta_constraint, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank < self.axis < rank or self.axis % rank == 0:
            raise ValueError(f"GroupNormalization '{self.name}': axis {self.axis} is not a non-batch axis of inputs "
                             f"of shape {tuple(input_shape)}")
        axis = self.axis % rank
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(f"GroupNormalization '{self.name}': axis {self.axis} of the input needs a known size, "
                             f"got shape {tuple(input_shape)}")
        groups = channels if self.groups == -1 else self.groups
        if channels < groups or channels % groups:
            raise ValueError(f"GroupNormalization '{self.name}': {channels} channels cannot be split into "
                             f"{groups} equal groups; choose groups dividing {channels}")
        self.groups = groups
        self._axis = axis
        self.input_spec = InputSpec(ndim=rank, axes={axis: channels})
        add_gamma_beta(self, (channels,))
        self.built = True

    def call(self, inputs):
        shape, axis = tuple(inputs.shape), self._axis
        grouped_shape = shape[:axis] + (self.groups, shape[axis] // self.groups) + shape[axis + 1:]
        reduce_axes = tuple(a for a in range(1, len(grouped_shape)) if a != axis)
        normalized, _, _ = ops.normalize_with_moments(ops.reshape(inputs, grouped_shape), None, None, axes=reduce_axes,
                                         epsilon=self.epsilon)
        outputs = ops.reshape(normalized, shape)
        broadcast = (shape[axis],) + (1,) * (len(shape) - axis - 1)
        if self.gamma is not None:
            outputs = ops.multiply(outputs, ops.reshape(self.gamma, broadcast))
        if self.beta is not None:
            outputs = ops.add(outputs, ops.reshape(self.beta, broadcast))
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale, "beta_initializer": serialize_object(self.beta_initializer),
            "gamma_initializer": serialize_object(self.gamma_initializer),
            "beta_regularizer": serialize_object(self.beta_regularizer),
            "gamma_regularizer": serialize_object(self.gamma_regularizer),
            "beta_constraint": serialize_object(self.beta_constraint),
            "gamma_constraint": serialize_object(self.gamma_constraint),
        })
        return config
