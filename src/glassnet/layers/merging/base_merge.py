"""Merge: the base of the layers that combine a list of tensors element by element.

``Add()([x, y])`` computes ``x + y``. Shapes must agree on every axis but
the batch axis, except that an axis of size 1 broadcasts (as in NumPy); a
lower-rank input gets axes of size 1 inserted after the batch axis first
(Keras' rule). Shapes are checked once, at build, with an error naming the
layer and the shapes it got.
"""

from glassnet import ops
from glassnet.layers.layer import Layer, mask_array


def _who(layer):
    return f"{type(layer).__name__} '{layer.name}'"


class Merge(Layer):
    """Base class: subclasses write ``_merge_function(list_of_tensors)``."""

    min_inputs = 1
    max_inputs = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    def compute_mask(self, inputs, mask=None):
        """Keras' rule for element-wise merges: a step is real where any input's is (None if one has no mask)."""
        if mask is None or not isinstance(mask, (list, tuple)) or any(m is None for m in mask):
            return None
        merged = mask_array(mask[0])
        for other in mask[1:]:
            merged = merged | mask_array(other)
        return merged

    def _check_list(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f"{_who(self)} must be called on a list of tensors, e.g. {type(self).__name__}()([x, y]); "
                             f"got one input of shape {input_shape}")
        count = len(input_shape)
        if count < self.min_inputs or (self.max_inputs is not None and count > self.max_inputs):
            wanted = self.min_inputs if self.max_inputs == self.min_inputs else f"at least {self.min_inputs}"
            raise ValueError(f"{_who(self)} takes {wanted} inputs, got {count}: {list(map(tuple, input_shape))}")
        batches = {s[0] for s in input_shape if s} - {None}
        if len(batches) > 1:
            raise ValueError(f"{_who(self)} cannot merge tensors with different batch sizes: "
                             f"{list(map(tuple, input_shape))}")

    def _elementwise_shape(self, shape1, shape2, all_shapes):
        """The broadcast of two shapes (batch axis excluded), or a clear error."""
        if len(shape1) < len(shape2):
            shape1, shape2 = shape2, shape1
        if not shape2:
            return tuple(shape1)
        out = list(shape1[: len(shape1) - len(shape2)])
        for a, b in zip(shape1[len(shape1) - len(shape2):], shape2):
            if a is None or b is None:
                out.append(None)
            elif a == 1 or b == 1:
                out.append(b if a == 1 else a)
            elif a != b:
                raise ValueError(f"{_who(self)} needs inputs whose shapes match (or are 1) on every axis but the "
                                 f"batch axis, got {[tuple(s) for s in all_shapes]}")
            else:
                out.append(a)
        return tuple(out)

    def build(self, input_shape):
        self._check_list(input_shape)
        self.compute_output_shape(input_shape)
        self._reshape_required = len({len(s) for s in input_shape}) > 1
        self.built = True

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        shape = tuple(input_shape[0][1:])
        for other in input_shape[1:]:
            shape = self._elementwise_shape(shape, tuple(other[1:]), input_shape)
        batches = {s[0] for s in input_shape} - {None}
        return (batches.pop() if len(batches) == 1 else None,) + shape

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{_who(self)} must be called on a list of tensors, got one tensor")
        inputs = list(inputs)
        if self._reshape_required:
            rank = max(x.ndim for x in inputs)
            for i, x in enumerate(inputs):
                for _ in range(rank - x.ndim):
                    x = ops.expand_dims(x, 1)
                inputs[i] = x
        return self._merge_function(inputs)

    def _merge_function(self, inputs):
        raise NotImplementedError
