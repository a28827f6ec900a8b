"""Merging layers: combine a list of tensors (residual additions, concatenation, dot products)."""

from glassnet.layers.merging.add import Add, add
from glassnet.layers.merging.average import Average, average
from glassnet.layers.merging.base_merge import Merge
from glassnet.layers.merging.concatenate import Concatenate, concatenate
from glassnet.layers.merging.dot import Dot, dot
from glassnet.layers.merging.maximum import Maximum, maximum
from glassnet.layers.merging.minimum import Minimum, minimum
from glassnet.layers.merging.multiply import Multiply, multiply
from glassnet.layers.merging.subtract import Subtract, subtract
