"""BatchNormalization: normalise each channel with batch statistics while training.

Training (``training=True`` and the layer trainable):

    y = gamma (x - mean_batch) / sqrt(var_batch + epsilon) + beta
    moving_mean     = momentum * moving_mean     + (1 - momentum) * mean_batch
    moving_variance = momentum * moving_variance + (1 - momentum) * var_batch   (biased, as Keras)

Inference (``evaluate``, ``predict``, ``training=False``, or ``trainable=False``):

    y = gamma (x - moving_mean) / sqrt(moving_variance + epsilon) + beta

Keras' defaults: momentum 0.99, epsilon 1e-3; the moving statistics are
non-trainable weights (``summary()`` counts them as such).
"""

from glassnet import initializers, ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.normalization.gamma_beta import add_gamma_beta, set_gamma_beta_arguments
from glassnet.state import current
from glassnet.utils.serialization import serialize_object


class BatchNormalization(Layer):
    """Normalise along ``axis`` (the channels, -1 by default) with batch or moving statistics."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int):
            raise ValueError(f"BatchNormalization '{self.name}': axis must be an integer, got {axis!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization '{self.name}': momentum must be in [0, 1], got {momentum!r}")
        self.axis, self.momentum, self.epsilon = axis, float(momentum), float(epsilon)
        self.center, self.scale, self.synchronized = center, scale, synchronized
        set_gamma_beta_arguments(self, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                                 beta_constraint, gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        axis = self.axis % rank
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(f"BatchNormalization '{self.name}': axis {self.axis} of the input {input_shape} "
                             "must have a known size")
        shape = (channels,)
        add_gamma_beta(self, shape)
        self.moving_mean = self.add_weight(shape=shape, initializer=self.moving_mean_initializer,
                                           name="moving_mean", trainable=False)
        self.moving_variance = self.add_weight(shape=shape, initializer=self.moving_variance_initializer,
                                               name="moving_variance", trainable=False)
        self._reduction_axes = tuple(a for a in range(rank) if a != axis)
        self._channels_last = axis == rank - 1
        self._broadcast = tuple(channels if a == axis else 1 for a in range(rank))
        self.input_spec = InputSpec(ndim=rank, axes={axis: channels})
        self.built = True

    def _param(self, weight):
        """A per-channel weight shaped to broadcast against the input."""
        if weight is None or self._channels_last:
            return weight
        return ops.reshape(weight, self._broadcast)

    def call(self, inputs, training=None):
        if training and self.trainable:
            return self._train_step(inputs)
        return self._inference(inputs)

    def _train_step(self, inputs):
        outputs, mean, var = ops.normalize_with_moments(inputs, self._param(self.gamma), self._param(self.beta),
                                           axes=self._reduction_axes, epsilon=self.epsilon)
        self._update_moving(mean.data, var.data)
        if current.plan_trace is not None:  # a compiled training step repeats the update (autodiff/plan.py)
            current.plan_trace.effect(self, "_update_moving", (mean, var))
        return outputs

    def _update_moving(self, mean, var):
        """moving = momentum * moving + (1 - momentum) * batch, in place (batch statistics of any shape)."""
        for moving, batch in ((self.moving_mean, mean), (self.moving_variance, var)):
            moving.data *= self.momentum
            moving.data += (1.0 - self.momentum) * batch.reshape(-1)

    def _inference(self, inputs):
        """y = x * scale + shift: scale = gamma / sqrt(moving_variance + eps), shift = beta - moving_mean * scale."""
        inv_std = (self.moving_variance.data + self.epsilon) ** -0.5
        scale = inv_std if self.gamma is None else ops.multiply(self.gamma, inv_std)
        shift = ops.multiply(scale, -self.moving_mean.data)
        if self.beta is not None:
            shift = ops.add(shift, self.beta)
        return ops.add(ops.multiply(inputs, self._param(scale)), self._param(shift))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale, "beta_initializer": serialize_object(self.beta_initializer),
            "gamma_initializer": serialize_object(self.gamma_initializer),
            "moving_mean_initializer": serialize_object(self.moving_mean_initializer),
            "moving_variance_initializer": serialize_object(self.moving_variance_initializer),
            "beta_regularizer": serialize_object(self.beta_regularizer),
            "gamma_regularizer": serialize_object(self.gamma_regularizer),
            "beta_constraint": serialize_object(self.beta_constraint),
            "gamma_constraint": serialize_object(self.gamma_constraint),
            "synchronized": self.synchronized,
        })
        return config
