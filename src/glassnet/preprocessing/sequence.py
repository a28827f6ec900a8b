"""``keras.preprocessing.sequence``: ``pad_sequences``."""

from glassnet.utils.sequence_padding import pad_sequences

__all__ = ["pad_sequences"]
