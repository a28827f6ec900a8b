"""LayerNormalization: normalise each sample over its feature axes.

    y = gamma (x - mean) / sqrt(var + epsilon) + beta,  statistics per sample over ``axis``

Keras' defaults: axis -1, epsilon 1e-3, center and scale on.
"""

from glassnet import ops
from glassnet.layers.layer import Layer
from glassnet.layers.normalization.gamma_beta import add_gamma_beta, set_gamma_beta_arguments
from glassnet.utils.serialization import serialize_object


class LayerNormalization(Layer):
    """Normalise over ``axis`` (an int or a list of ints), with learned gamma and beta of those axes' shape."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if rms_scaling:
            raise ValueError(f"LayerNormalization '{self.name}': rms_scaling=True is not supported")
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.epsilon, self.center, self.scale, self.rms_scaling = float(epsilon), center, scale, rms_scaling
        set_gamma_beta_arguments(self, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                                 beta_constraint, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        axes = [self.axis] if isinstance(self.axis, int) else self.axis
        self._axes = tuple(sorted(a % rank for a in axes))
        param_shape = tuple(input_shape[a] for a in self._axes)
        self._broadcast = tuple(input_shape[a] if a in self._axes else 1 for a in range(rank))
        add_gamma_beta(self, param_shape)
        self.built = True

    def _param(self, weight):
        if weight is None:
            return None
        trailing = self._axes == tuple(range(len(self._broadcast) - len(self._axes), len(self._broadcast)))
        return weight if trailing else ops.reshape(weight, self._broadcast)

    def call(self, inputs):
        outputs, _, _ = ops.normalize_with_moments(inputs, self._param(self.gamma), self._param(self.beta), axes=self._axes,
                                      epsilon=self.epsilon)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis, "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
            "rms_scaling": self.rms_scaling, "beta_initializer": serialize_object(self.beta_initializer),
            "gamma_initializer": serialize_object(self.gamma_initializer),
            "beta_regularizer": serialize_object(self.beta_regularizer),
            "gamma_regularizer": serialize_object(self.gamma_regularizer),
            "beta_constraint": serialize_object(self.beta_constraint),
            "gamma_constraint": serialize_object(self.gamma_constraint),
        })
        return config
