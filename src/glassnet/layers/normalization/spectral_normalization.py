"""SpectralNormalization: divide a layer's kernel by its largest singular value (Miyato et al., 2018)."""

from glassnet import initializers, ops
from glassnet.backend import get_array_module
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.wrappers.wrapper import Wrapper

_EPSILON = 1e-7  # Keras' ops.normalize: x * min(1 / ||x||, 1 / epsilon)


def _normalize(xp, x):
    return x * min(1.0 / max(float(xp.sqrt((x * x).sum())), 1e-30), 1.0 / _EPSILON)


class SpectralNormalization(Wrapper):
    """``SpectralNormalization(Dense(10))``: on each training call, before the wrapped layer runs,

        W2 = reshape(kernel, (-1, units))
        repeat power_iterations times:  v = normalize(u W2^T);  u = normalize(v W2)
        sigma = v W2 u^T                (the estimate of W2's largest singular value)
        kernel <- kernel / sigma,       vector_u <- u

    so the layer's Lipschitz constant stays near 1 (GAN discriminators). The
    wrapped layer needs a ``kernel`` (Dense, Conv*) or ``embeddings``
    (Embedding). ``vector_u`` (1, units) is a non-trainable weight started
    from TruncatedNormal(stddev=0.02), as in Keras; an all-zero kernel is left
    alone. At inference the kernel is used as it is.
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) or power_iterations <= 0:
            raise ValueError(f"SpectralNormalization: power_iterations must be an integer greater than zero, "
                             f"got {power_iterations!r}")
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        if hasattr(self.layer, "kernel"):
            self.kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            self.kernel = self.layer.embeddings
        else:
            raise ValueError(f"SpectralNormalization '{self.name}' wraps a layer with a 'kernel' or 'embeddings' "
                             f"weight (Dense, Conv2D, Embedding...), got a {type(self.layer).__name__} with neither")
        self.kernel_shape = tuple(self.kernel.shape)
        self.vector_u = self.add_weight(shape=(1, self.kernel_shape[-1]), name="vector_u", trainable=False,
                                        initializer=initializers.TruncatedNormal(stddev=0.02),
                                        dtype=self.kernel.dtype)
        self.built = True

    def call(self, inputs, training=False):
        if training:
            kernel = self.kernel.data
            if (kernel != 0).any():
                vector_u, new_kernel = self.normalized_weights()
                self.vector_u.assign(vector_u)
                self.kernel.assign(new_kernel)
        outputs = self.layer(inputs)
        if inputs.dtype.kind == "f" and outputs.dtype != inputs.dtype:
            outputs = ops.cast(outputs, inputs.dtype)
        return outputs

    def normalized_weights(self):
        """``(vector_u, kernel / sigma)``: the power iteration's new u and the normalized kernel, as arrays."""
        kernel = self.kernel.data
        xp = get_array_module(kernel)
        weights = kernel.reshape(-1, self.kernel_shape[-1])
        vector_u = self.vector_u.data
        for _ in range(self.power_iterations):
            vector_v = _normalize(xp, vector_u @ weights.T)
            vector_u = _normalize(xp, vector_v @ weights)
        sigma = (vector_v @ weights) @ vector_u.T
        return vector_u.astype(self.vector_u.dtype), (kernel / sigma.reshape(())).astype(kernel.dtype)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
