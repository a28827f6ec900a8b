"""Attention layers: MultiHeadAttention, GroupedQueryAttention (GroupQueryAttention), Attention, AdditiveAttention."""

from glassnet.layers.attention.additive_attention import AdditiveAttention
from glassnet.layers.attention.attention import Attention
from glassnet.layers.attention.grouped_query_attention import (
    GroupedQueryAttention,
    GroupQueryAttention,
)
from glassnet.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["AdditiveAttention", "Attention", "GroupQueryAttention", "GroupedQueryAttention", "MultiHeadAttention"]
