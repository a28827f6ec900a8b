"""Permute: reorder the axes of each sample (the batch axis stays first)."""

from glassnet import ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer


class Permute(Layer):
    """``Permute((2, 1))``: (batch, steps, features) -> (batch, features, steps).

    ``dims`` numbers the sample axes from 1 and must be a permutation of
    1..len(dims). The gradient is transposed back.
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        try:
            dims = tuple(int(d) for d in dims)
        except (TypeError, ValueError):
            raise ValueError(f"Permute '{self.name}': `dims` must be a tuple of axis numbers starting from 1, "
                             f"got dims={dims!r}") from None
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute '{self.name}': `dims` must be a permutation of 1..{len(dims)} (the batch "
                             f"axis 0 cannot move), got dims={dims}")
        self.dims = dims
        self.input_spec = InputSpec(ndim=len(dims) + 1)

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = list(self.dims)
        return config
