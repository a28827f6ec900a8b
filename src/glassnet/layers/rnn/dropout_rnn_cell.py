"""Dropout masks for recurrent cells, drawn once per call of the layer and shared by all its steps (Keras' rule).

``dropout`` masks the inputs, ``recurrent_dropout`` the previous state. A cell
with ``dropout_mask_count`` set (LSTM: 4, GRU: 3, when recurrent dropout is on)
gets one mask per gate, as Keras' ``implementation=1``. A mask is 0 or
1 / (1 - rate) (inverted dropout) and is used only in training.
"""

from glassnet.backend import get_array_module
from glassnet.random import SeedGenerator


class DropoutRNNCell:
    """Mixin for cells with ``dropout``, ``recurrent_dropout`` and ``seed_generator``."""

    def _init_dropout(self, dropout, recurrent_dropout, seed):
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    def _create_dropout_mask(self, like, rate):
        data = getattr(like, "data", like)
        xp = get_array_module(data)
        generator = self.seed_generator.generator

        def one():
            keep = generator.random(data.shape, dtype="float32") >= rate
            mask = keep.astype(data.dtype)
            mask *= 1.0 / (1.0 - rate)
            return xp.asarray(mask)

        count = getattr(self, "dropout_mask_count", None)
        return one() if count is None else [one() for _ in range(count)]

    def get_dropout_mask(self, step_input):
        """The input mask of this call (drawn on first use), or None when ``dropout`` is 0."""
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, state):
        """The state mask of this call (drawn on first use), or None when ``recurrent_dropout`` is 0."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(state, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None
