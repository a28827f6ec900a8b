"""Cropping3D: cut slices off the borders of each volume."""

from glassnet import ops
from glassnet.layers.channels_first import standardize_data_format
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.reshaping._arguments import pairs_nd


def spatial_axes(data_format, rank=3):
    """The positions of the spatial axes of a (batch, ..., channels) or (batch, channels, ...) array."""
    start = 2 if data_format == "channels_first" else 1
    return tuple(range(start, start + rank))


class Cropping3D(Layer):
    """(batch, d, h, w, c) -> (batch, d - d1 - d2, h - h1 - h2, w - w1 - w2, c) (channels first alike).

    ``cropping`` is an int (every side), a triple (symmetric per axis) or
    ``((d1, d2), (h1, h2), (w1, w2))``. The gradient is the output gradient placed back inside zeros.
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = pairs_nd(self, cropping, "cropping", 3)
        self.data_format = standardize_data_format(self, data_format)
        self.input_spec = InputSpec(ndim=5)

    def _check(self, shape):
        for axis, (before, after) in zip(spatial_axes(self.data_format), self.cropping):
            if shape[axis] is not None and before + after >= shape[axis]:
                raise ValueError(f"Cropping3D '{self.name}': cropping {self.cropping} must leave at least one "
                                 f"position on every spatial axis, but the input has shape {tuple(shape)}")

    def call(self, inputs):
        self._check(inputs.shape)
        index = [slice(None)] * 5
        for axis, (before, after) in zip(spatial_axes(self.data_format), self.cropping):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return ops.get_item(inputs, tuple(index))

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        shape = list(input_shape)
        for axis, (before, after) in zip(spatial_axes(self.data_format), self.cropping):
            shape[axis] = None if shape[axis] is None else shape[axis] - before - after
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": [list(c) for c in self.cropping], "data_format": self.data_format})
        return config
