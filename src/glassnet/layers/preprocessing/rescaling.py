"""Rescaling: y = x * scale + offset, e.g. pixels from [0, 255] to [0, 1]."""

from glassnet import ops
from glassnet.autodiff.tensor import Tensor
from glassnet.layers.layer import Layer


def _plain(value):
    """A JSON-able form of a number or an array of them."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


class Rescaling(Layer):
    """``Rescaling(1 / 255)`` maps [0, 255] to [0, 1]; ``Rescaling(1 / 127.5, offset=-1)`` to [-1, 1].

    ``scale`` and ``offset`` may be numbers or arrays that broadcast against
    the input (one per channel, say). Integer inputs become floats. The
    gradient with respect to x is ``scale``.
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self._scale = self._constant(scale, "scale")
        self._offset = self._constant(offset, "offset")
        self.supports_masking = True

    def _constant(self, value, name):
        try:
            tensor = ops.convert_to_tensor(value, dtype=self.dtype)
        except (TypeError, ValueError):
            raise ValueError(f"Rescaling '{self.name}': `{name}` must be a number or an array of numbers, "
                             f"got {name}={value!r}") from None
        return tensor.item() if tensor.ndim == 0 else tensor

    def call(self, inputs):
        if inputs.dtype.kind != "f":  # integer pixels become floats
            inputs = Tensor(inputs.data.astype(self.dtype))
        return ops.add(ops.multiply(inputs, self._scale), self._offset)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"scale": _plain(self.scale), "offset": _plain(self.offset)})
        return config
