"""Concatenate: join a list of tensors along one axis (the last by default)."""

from glassnet import ops
from glassnet.backend import get_array_module
from glassnet.layers.layer import mask_array
from glassnet.layers.merging.base_merge import Merge, _who


class Concatenate(Merge):
    """``Concatenate(axis=-1)([x1, x2])``: shapes must match on every axis but ``axis``, where sizes add up."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        self._check_list(input_shape)
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        shapes = [tuple(s) for s in input_shape]
        if len({len(s) for s in shapes}) != 1:
            raise ValueError(f"{_who(self)} needs inputs of the same rank, got shapes {shapes}")
        rank = len(shapes[0])
        axis = self.axis % rank
        if axis == 0:
            raise ValueError(f"{_who(self)} cannot concatenate along the batch axis (axis={self.axis})")
        output = list(shapes[0])
        for shape in shapes[1:]:
            for i in range(1, rank):
                if i != axis and None not in (shape[i], output[i]) and shape[i] != output[i]:
                    raise ValueError(f"{_who(self)} (axis={self.axis}) needs inputs whose shapes match on every axis "
                                     f"but axis {self.axis}, got {shapes}")
            output[axis] = None if None in (output[axis], shape[axis]) else output[axis] + shape[axis]
        return tuple(output)

    def compute_mask(self, inputs, mask=None):
        """Keras' rule: masks (all-true for unmasked inputs) joined along ``axis``, then any over the last axis."""
        if mask is None or not isinstance(mask, (list, tuple)) or all(m is None for m in mask):
            return None
        xp = get_array_module(*(t.data for t in inputs))
        masks = []
        for tensor, one in zip(inputs, mask):
            if one is None:
                one = xp.ones(tensor.shape, dtype=bool)
            else:
                one = mask_array(one)
                if one.ndim < tensor.ndim:
                    one = xp.broadcast_to(one[..., None], tensor.shape)
            masks.append(one)
        return xp.concatenate(masks, axis=self.axis).any(axis=-1)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{_who(self)} must be called on a list of tensors, got one tensor")
        return ops.concatenate(list(inputs), axis=self.axis)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form: ``concatenate([x, y], axis=-1)`` is ``Concatenate(axis)([x, y])``."""
    return Concatenate(axis=axis, **kwargs)(inputs)
