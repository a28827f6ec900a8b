"""TimeDistributed: the same layer applied to every timestep of a sequence."""

from glassnet import ops
from glassnet.layers.core.activation import Activation
from glassnet.layers.core.dense import Dense
from glassnet.layers.layer import _call_accepts, mask_array
from glassnet.layers.wrappers.wrapper import Wrapper

# Layers that act on the last axis only: one call on the whole (batch, time, ...) input equals one call per step.
_PER_POSITION = (Dense, Activation)


class TimeDistributed(Wrapper):
    """``TimeDistributed(layer)``: inputs (batch, time, ...) -> outputs (batch, time, ...), with

    y[:, t] = layer(x[:, t])   for every t, with the same weights.

    As in Keras 3, the wrapped layer's ``call`` runs once per step (given that
    step's mask and the training flag); Dense and Activation run once on the
    whole sequence instead, which gives the same result. The mask passes
    through to the next layer.
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _step_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(f"TimeDistributed '{self.name}' expects inputs with at least 3 dimensions "
                             f"(batch, time, ...), got shape {input_shape}")
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape):
        if not self.layer.built:
            self.layer._maybe_build(self._step_shape(input_shape))
        self.built = True

    def compute_output_shape(self, input_shape):
        step_output = self.layer.compute_output_shape(self._step_shape(input_shape))
        return (step_output[0], input_shape[1], *step_output[1:])

    def call(self, inputs, training=None, mask=None):
        if inputs.ndim < 3:
            self._step_shape(inputs.shape)
        if mask is not None:
            mask = mask_array(mask)
            if mask.ndim < 2 or mask.shape[:2] != inputs.shape[:2]:
                raise ValueError(f"TimeDistributed '{self.name}': the mask of shape {mask.shape} does not match the "
                                 f"inputs' (batch, time) = {inputs.shape[:2]}")
        accepts_training, accepts_mask = _call_accepts(type(self.layer))
        kwargs = {"training": training} if accepts_training else {}
        if isinstance(self.layer, _PER_POSITION):
            return self.layer.call(inputs, **kwargs)
        steps = []
        for t in range(inputs.shape[1]):
            if accepts_mask and mask is not None:
                kwargs["mask"] = mask[:, t]
            steps.append(self.layer.call(inputs[:, t], **kwargs))
        return ops.stack(steps, axis=1)
