"""BatchNormalization, LayerNormalization and the Normalization preprocessing layer.

    BatchNormalization (inference) -> Mul(scale), Add(shift), folded at export as glassnet folds them:
        scale = gamma / sqrt(moving_variance + epsilon),  shift = beta - moving_mean * scale
      (ONNX's BatchNormalization op would need channels on axis 1, a Transpose pair for channels-last data,
      and its epsilon written out: Keras' default is 1e-3, ONNX's 1e-5.)
    LayerNormalization over trailing axes -> LayerNormalization(axis, epsilon) with gamma/beta (ones/zeros when
        the layer has none); over other axes: (x - mean) / Sqrt(var + epsilon) * gamma + beta, by ReduceMean
    Normalization -> (x - mean) / max(sqrt(variance), epsilon); with invert=True: mean + x * that scale
"""

import numpy as np

from glassnet import config
from glassnet.export.core import as_float
from glassnet.export.registry import converts
from glassnet.layers.normalization import BatchNormalization, LayerNormalization
from glassnet.layers.preprocessing import Normalization


def _array(weight):
    return None if weight is None else np.asarray(getattr(weight, "data", weight), dtype="float32")


@converts(BatchNormalization)
def batch_normalization(g, layer, inputs, kwargs):
    """x * scale + shift, with the moving statistics folded in (channels broadcast along the layer's axis)."""
    gamma, beta = _array(layer.gamma), _array(layer.beta)
    inv_std = (_array(layer.moving_variance) + np.float32(layer.epsilon)) ** np.float32(-0.5)
    scale = inv_std if gamma is None else gamma * inv_std
    shift = scale * -_array(layer.moving_mean)
    if beta is not None:
        shift = shift + beta
    shape = scale.shape if layer._channels_last else layer._broadcast
    scaled = g.op("Mul", [inputs[0].name, g.const(scale.reshape(shape), f"{layer.name}/scale")],
                  f"{layer.name}/scaled")
    return g.op("Add", [scaled, g.const(shift.reshape(shape), f"{layer.name}/shift")], layer.name)


@converts(LayerNormalization)
def layer_normalization(g, layer, inputs, kwargs):
    """ONNX LayerNormalization for trailing axes; ReduceMean composition otherwise."""
    rank, axes = len(inputs[0].shape), layer._axes
    params = tuple(inputs[0].shape[a] for a in axes)
    gamma = _array(layer.gamma) if layer.gamma is not None else np.ones(params, "float32")
    beta = _array(layer.beta) if layer.beta is not None else np.zeros(params, "float32")
    if axes == tuple(range(rank - len(axes), rank)):
        return g.op("LayerNormalization", [inputs[0].name, g.const(gamma, f"{layer.name}/gamma"),
                                           g.const(beta, f"{layer.name}/beta")], layer.name,
                    axis=axes[0], epsilon=layer.epsilon)
    x, hint = inputs[0].name, layer.name
    centred = g.op("Sub", [x, g.op("ReduceMean", [x], f"{hint}/mean", axes=list(axes), keepdims=1)],
                   f"{hint}/centred")
    variance = g.op("ReduceMean", [g.op("Mul", [centred, centred], f"{hint}/squares")], f"{hint}/variance",
                    axes=list(axes), keepdims=1)
    std = g.op("Sqrt", [g.op("Add", [variance, g.scalar(layer.epsilon, f"{hint}/epsilon")], f"{hint}/var_eps")],
               f"{hint}/std")
    normalized = g.op("Div", [centred, std], f"{hint}/normalized")
    scaled = g.op("Mul", [normalized, g.const(gamma.reshape(layer._broadcast), f"{hint}/gamma")], f"{hint}/scaled")
    return g.op("Add", [scaled, g.const(beta.reshape(layer._broadcast), f"{hint}/beta")], hint)


@converts(Normalization)
def normalization(g, layer, inputs, kwargs):
    """(x - mean) / scale, or mean + x * scale with invert=True; scale = max(sqrt(variance), epsilon)."""
    if layer.input_mean is None:
        mean = _array(layer.adapt_mean).reshape(layer._broadcast_shape)
        variance = _array(layer.adapt_variance).reshape(layer._broadcast_shape)
    else:
        mean, variance = _array(layer._mean), _array(layer._variance)
    scale = np.maximum(np.sqrt(variance), np.float32(config.epsilon())).astype("float32")
    x = as_float(g, inputs[0], layer.name)
    mean_name, scale_name = g.const(mean, f"{layer.name}/mean"), g.const(scale, f"{layer.name}/scale")
    if layer.invert:
        return g.op("Add", [g.op("Mul", [x, scale_name], f"{layer.name}/scaled"), mean_name], layer.name)
    return g.op("Div", [g.op("Sub", [x, mean_name], f"{layer.name}/centred"), scale_name], layer.name)
