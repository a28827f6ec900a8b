"""Layers that are the identity at inference, and Rescaling.

    Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout,
    ActivityRegularization, Identity -> Identity   (predict runs them with training=False)
    Rescaling -> x * scale + offset   (an integer input cast to float32 first)
"""

import numpy as np

from glassnet.export.registry import converts
from glassnet.layers.core import Identity, InputLayer
from glassnet.layers.preprocessing import Rescaling
from glassnet.layers.regularization import (
    Dropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D,
)
from glassnet.layers.regularization.activity_regularization import ActivityRegularization
from glassnet.layers.regularization.alpha_dropout import AlphaDropout
from glassnet.layers.regularization.spatial_dropout3d import SpatialDropout3D

IDENTITY_AT_INFERENCE = (Dropout, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D, GaussianNoise,
                         GaussianDropout, AlphaDropout, ActivityRegularization, Identity, InputLayer)


@converts(*IDENTITY_AT_INFERENCE)
def identity(g, layer, inputs, kwargs):
    """Identity: the layer only acts while training."""
    return g.op("Identity", [inputs[0].name], layer.name)


def as_float(g, value, hint):
    """``value``'s name, cast to float32 when it is an integer tensor."""
    if np.dtype(value.dtype).kind == "f":
        return value.name
    return g.op("Cast", [value.name], f"{hint}/float", to=g.onnx.TensorProto.FLOAT)


@converts(Rescaling)
def rescaling(g, layer, inputs, kwargs):
    """Rescaling -> Mul(scale), Add(offset)."""
    x = as_float(g, inputs[0], layer.name)
    scaled = g.op("Mul", [x, g.const(np.asarray(layer.scale, "float32"), f"{layer.name}/scale")],
                  f"{layer.name}/scaled")
    return g.op("Add", [scaled, g.const(np.asarray(layer.offset, "float32"), f"{layer.name}/offset")], layer.name)
