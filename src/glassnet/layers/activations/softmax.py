"""Softmax as a layer, with Keras' masking: masked positions get no probability."""

from glassnet import ops
from glassnet.layers.layer import Layer, mask_array


def _large_negative(dtype):
    """The stand-in for -inf that masked logits get (Keras': -1e9, or -3e4 in float16)."""
    return -3e4 if str(dtype) == "float16" else -1e9


class Softmax(Layer):
    """y_i = exp(x_i) / sum_j exp(x_j) over ``axis`` (an int or a tuple of ints).

    With a ``mask`` (boolean, or numbers where > 0.5 means keep; broadcast
    against the inputs) the masked logits become -1e9 before the softmax and
    the masked outputs 0 after it, so a fully masked row is all zeros.
    dy/dx = y (dy - sum(dy y)), through the kept positions only.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise ValueError(f"Softmax '{self.name}': `axis` must be an int or a tuple of ints, got axis={axis!r}")
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        keep = None if mask is None else self._keep(inputs, mask_array(mask))
        if keep is not None:
            inputs = ops.where(keep, inputs, _large_negative(inputs.dtype))
        axes = tuple(self.axis) if isinstance(self.axis, (list, tuple)) else (self.axis,)
        if len(axes) > 1:
            outputs = ops.exp(ops.subtract(inputs, ops.logsumexp(inputs, axis=axes, keepdims=True)))
        else:
            outputs = ops.softmax(inputs, axis=axes[0])
        if keep is not None:
            outputs = ops.where(keep, outputs, 0.0)
        return outputs

    def _keep(self, inputs, mask):
        shape = tuple(inputs.shape)
        if mask.ndim > len(shape) or any(m not in (1, i) for m, i in zip(mask.shape[::-1], shape[::-1])):
            raise ValueError(f"Softmax '{self.name}': the `mask` must broadcast to the inputs, got inputs of shape "
                             f"{shape} and a mask of shape {tuple(mask.shape)}")
        return mask if mask.dtype == bool else mask > 0.5

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
