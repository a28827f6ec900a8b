"""Dropout masks for recurrent cells, drawn once per call of the layer and shared by all its steps (Keras' rule).

``dropout`` masks the inputs, ``recurrent_dropout`` the previous state. A cell
with ``dropout_mask_count`` set (LSTM: 4, GRU: 3, when recurrent dropout is on)
gets one mask per gate, as Keras' ``implementation=1``. A mask is 0 or
1 / (1 - rate) (inverted dropout) and is used only in training.
"""

from glassnet.autodiff.tensor import Tensor
from glassnet.backend import get_array_module
from glassnet.random import SeedGenerator
from glassnet.state import current


class DropoutRNNCell:
    """Mixin for cells with ``dropout``, ``recurrent_dropout`` and ``seed_generator``."""

    def _init_dropout(self, dropout, recurrent_dropout, seed):
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)

    def _create_dropout_mask(self, like, rate):
        data = like.data if isinstance(like, Tensor) else like  # (an ndarray's own .data is a memoryview)
        xp = get_array_module(data)
        generator = self.seed_generator.generator

        def one():
            keep = generator.random(data.shape, dtype="float32") >= rate
            mask = keep.astype(data.dtype)
            mask *= 1.0 / (1.0 - rate)
            return xp.asarray(mask)

        count = getattr(self, "dropout_mask_count", None)
        return one() if count is None else [one() for _ in range(count)]

    def _mask(self, kind, like, rate):
        """This call's mask of ``kind``, drawn on first use; kept per thread (``glassnet.state``), so a call
        in another thread neither sees nor resets it."""
        if rate <= 0:
            return None
        key = (id(self), kind)
        masks = current.dropout_masks
        if key not in masks:
            masks[key] = self._create_dropout_mask(like, rate)
        return masks[key]

    def get_dropout_mask(self, step_input):
        """The input mask of this call (drawn on first use), or None when ``dropout`` is 0."""
        return self._mask("input", step_input, self.dropout)

    def get_recurrent_dropout_mask(self, state):
        """The state mask of this call (drawn on first use), or None when ``recurrent_dropout`` is 0."""
        return self._mask("recurrent", state, self.recurrent_dropout)

    def reset_dropout_mask(self):
        current.dropout_masks.pop((id(self), "input"), None)

    def reset_recurrent_dropout_mask(self):
        current.dropout_masks.pop((id(self), "recurrent"), None)
