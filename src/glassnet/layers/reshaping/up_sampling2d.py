"""UpSampling2D: enlarge each image by whole factors along height and width."""

from glassnet import ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer
from glassnet.layers.reshaping._arguments import check_data_format, int_tuple
from glassnet.ops.image import linear_resize_matrix

_INTERPOLATIONS = ("nearest", "bilinear")


class UpSampling2D(Layer):
    """(batch, h, w, c) -> (batch, h * size[0], w * size[1], c).

    ``interpolation="nearest"`` repeats every row ``size[0]`` times and every
    column ``size[1]`` times. ``"bilinear"`` interpolates between pixel
    centres (half-pixel centres, edges clamped: ``torch.nn.functional.
    interpolate(..., mode="bilinear", align_corners=False)`` and Keras'
    resize), as two matrix products, one along each spatial axis. Both are
    differentiable with respect to the input.
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = int_tuple(self, size, 2, "size", allow_zero=False)
        self.data_format = check_data_format(self, data_format)
        interpolation = interpolation.lower() if isinstance(interpolation, str) else interpolation
        if interpolation not in _INTERPOLATIONS:
            raise ValueError(f"UpSampling2D '{self.name}': `interpolation` must be one of {_INTERPOLATIONS}, "
                             f"got interpolation={interpolation!r}")
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)
        self._matrices = {}

    def _matrix(self, in_size, out_size):
        key = (in_size, out_size)
        if key not in self._matrices:
            self._matrices[key] = linear_resize_matrix(in_size, out_size, dtype=self.dtype)
        return self._matrices[key]

    def call(self, inputs):
        rows, cols = self.size
        if self.interpolation == "nearest":
            return ops.repeat(ops.repeat(inputs, rows, axis=1), cols, axis=2)
        batch, height, width, channels = inputs.shape
        out_h, out_w = height * rows, width * cols
        # along the height: (out_h, h) @ (batch, h, w * c)
        x = ops.matmul(self._matrix(height, out_h), ops.reshape(inputs, (batch, height, width * channels)))
        # along the width: (out_w, w) @ (batch * out_h, w, c)
        x = ops.matmul(self._matrix(width, out_w), ops.reshape(x, (batch * out_h, width, channels)))
        return ops.reshape(x, (batch, out_h, out_w, channels))

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (batch, None if height is None else height * self.size[0],
                None if width is None else width * self.size[1], channels)

    def get_config(self):
        config = super().get_config()
        config.update({"size": list(self.size), "data_format": self.data_format,
                       "interpolation": self.interpolation})
        return config
