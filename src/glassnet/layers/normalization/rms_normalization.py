"""RMSNormalization: divide by the root mean square over the feature axes (Zhang & Sennrich, 2019)."""

from glassnet import ops
from glassnet.layers.layer import Layer


class RMSNormalization(Layer):
    """y = x / sqrt(mean(x^2 over axis) + epsilon) * scale   (no centring, unlike LayerNormalization).

    ``scale`` (initialised to ones) has the sizes of the normalised axes.
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int) and not (isinstance(axis, (list, tuple)) and
                                              all(isinstance(a, int) for a in axis)):
            raise TypeError(f"RMSNormalization '{self.name}': `axis` must be an int or a list of ints, "
                            f"got axis={axis!r}")
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon = float(epsilon)
        self.supports_masking = True

    def _axes(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        rank = len(input_shape)
        if any(not -rank <= a < rank for a in axes):
            raise ValueError(f"RMSNormalization '{self.name}': axis {self.axis} is out of bounds for inputs of "
                             f"shape {tuple(input_shape)}")
        return sorted(axes)

    def build(self, input_shape):
        axes = self._axes(input_shape)
        shape = tuple(input_shape[a] for a in axes)
        if None in shape:
            raise ValueError(f"RMSNormalization '{self.name}' needs known sizes on axes {axes}, "
                             f"got {tuple(input_shape)}")
        self.axis = axes
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")
        self.built = True

    def call(self, inputs):
        return ops.rms_normalization(inputs, scale=self.scale, axis=self.axis, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        self._axes(input_shape)
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
