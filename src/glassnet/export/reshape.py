"""Reshaping layers.

    Flatten       -> Flatten(axis=1)
    Reshape       -> Reshape(x, [0, *target_shape])         (0 keeps the batch axis; one -1 allowed)
    Permute(dims) -> Transpose(perm=[0, *dims])
    RepeatVector  -> Unsqueeze(axis 1), Expand([1, n, 1])
    ZeroPadding1D/2D -> Pad(zeros) on the steps / height and width axes
    Cropping1D/2D -> Slice(starts=crop before, ends=-crop after, or to the end)
    UpSampling1D/2D -> Transpose, Resize(scales=[1, 1, size...]), Transpose:
        "nearest": nearest_mode floor, asymmetric coordinates (each row repeated);
        "bilinear": linear, half_pixel coordinates (PyTorch's align_corners=False, as glassnet computes)
"""

import numpy as np

from glassnet.export.conv import channels_first, channels_last
from glassnet.export.registry import converts, unsupported
from glassnet.layers.reshaping import (
    Cropping1D, Cropping2D, Flatten, Permute, RepeatVector, Reshape, UpSampling1D, UpSampling2D, ZeroPadding1D,
    ZeroPadding2D,
)

INT64_MAX = np.iinfo(np.int64).max


@converts(Flatten)
def flatten(g, layer, inputs, kwargs):
    """Flatten every axis after the batch axis."""
    return g.op("Flatten", [inputs[0].name], layer.name, axis=1)


@converts(Reshape)
def reshape(g, layer, inputs, kwargs):
    """Reshape to (batch, *target_shape)."""
    return g.op("Reshape", [inputs[0].name, g.ints([0, *layer.target_shape], f"{layer.name}/shape")], layer.name)


@converts(Permute)
def permute(g, layer, inputs, kwargs):
    """Transpose with the batch axis kept first."""
    return g.op("Transpose", [inputs[0].name], layer.name, perm=[0, *layer.dims])


@converts(RepeatVector)
def repeat_vector(g, layer, inputs, kwargs):
    """(N, F) -> (N, n, F): a new axis 1, broadcast n times."""
    expanded = g.op("Unsqueeze", [inputs[0].name, g.ints([1], "axis_1")], f"{layer.name}/unsqueeze")
    return g.op("Expand", [expanded, g.ints([1, layer.n, 1], f"{layer.name}/repeats")], layer.name)


def _pairs(layer, value):
    """The (before, after) pair of each spatial axis."""
    pairs = [tuple(value)] if isinstance(value[0], int) else [tuple(p) for p in value]
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        raise unsupported(layer, "only data_format='channels_last' is exported")
    return pairs


@converts(ZeroPadding1D, ZeroPadding2D)
def zero_padding(g, layer, inputs, kwargs):
    """Pad with zeros: pads [0, befores..., 0, 0, afters..., 0]."""
    pairs = _pairs(layer, layer.padding)
    pads = [0, *(p[0] for p in pairs), 0, 0, *(p[1] for p in pairs), 0]
    return g.op("Pad", [inputs[0].name, g.ints(pads, f"{layer.name}/pads")], layer.name, mode="constant")


@converts(Cropping1D, Cropping2D)
def cropping(g, layer, inputs, kwargs):
    """Slice the spatial axes: from ``before`` to ``-after`` (to the end when ``after`` is 0)."""
    pairs = _pairs(layer, layer.cropping)
    starts = [p[0] for p in pairs]
    ends = [-p[1] if p[1] else INT64_MAX for p in pairs]
    axes = list(range(1, len(pairs) + 1))
    return g.op("Slice", [inputs[0].name, g.ints(starts, f"{layer.name}/starts"), g.ints(ends, f"{layer.name}/ends"),
                          g.ints(axes, f"{layer.name}/axes")], layer.name)


@converts(UpSampling1D, UpSampling2D)
def up_sampling(g, layer, inputs, kwargs):
    """Resize by whole factors between the two layout Transposes."""
    sizes = (layer.size,) if isinstance(layer, UpSampling1D) else tuple(layer.size)
    rank = len(sizes)
    interpolation = getattr(layer, "interpolation", "nearest")
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        raise unsupported(layer, "only data_format='channels_last' is exported")
    if interpolation == "nearest":
        modes = {"mode": "nearest", "nearest_mode": "floor", "coordinate_transformation_mode": "asymmetric"}
    elif interpolation == "bilinear":
        modes = {"mode": "linear", "coordinate_transformation_mode": "half_pixel"}
    else:
        raise unsupported(layer, f"interpolation={interpolation!r} is not exported (nearest and bilinear are)")
    x = channels_first(g, inputs[0], rank, "channels_last", layer.name)
    scales = g.const(np.asarray([1, 1, *sizes], "float32"), f"{layer.name}/scales")
    y = g.op("Resize", [x, "", scales], f"{layer.name}/resize_nchw", **modes)
    return channels_last(g, y, rank, "channels_last", layer.name)
