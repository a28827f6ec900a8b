"""Cropping2D: cut rows and columns off the borders of each image."""

from glassnet import ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.reshaping._arguments import check_data_format, pairs_2d


class Cropping2D(Layer):
    """(batch, h, w, c) -> (batch, h - top - bottom, w - left - right, c).

    ``cropping`` is an int (the same on all four sides), a pair (symmetric
    height, symmetric width) or ``((top, bottom), (left, right))``. The
    gradient is the output gradient placed back inside zeros.
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = pairs_2d(self, cropping, "cropping")
        self.data_format = check_data_format(self, data_format)
        self.input_spec = InputSpec(ndim=4)

    def _check(self, shape):
        (top, bottom), (left, right) = self.cropping
        height, width = shape[1], shape[2]
        if (height is not None and top + bottom >= height) or (width is not None and left + right >= width):
            raise ValueError(
                f"Cropping2D '{self.name}': cropping {self.cropping} ((top, bottom), (left, right)) must leave "
                f"at least one row and one column, but the input has shape {tuple(shape)}"
            )

    def call(self, inputs):
        self._check(inputs.shape)
        (top, bottom), (left, right) = self.cropping
        if not (top or bottom or left or right):
            return inputs
        height, width = inputs.shape[1], inputs.shape[2]
        return ops.get_item(inputs, (slice(None), slice(top, height - bottom), slice(left, width - right)))

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        batch, height, width, channels = input_shape
        (top, bottom), (left, right) = self.cropping
        return (batch, None if height is None else height - top - bottom,
                None if width is None else width - left - right, channels)

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": [list(c) for c in self.cropping], "data_format": self.data_format})
        return config
