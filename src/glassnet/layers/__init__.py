"""Layers, as ``keras.layers``."""

from glassnet.layers.core import Activation, Dense, Input, InputLayer
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.keras_tensor import KerasTensor
from glassnet.layers.layer import Layer
from glassnet.layers.regularization import Dropout
from glassnet.layers.reshaping import Flatten, Reshape
