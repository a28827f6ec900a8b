"""Cropping and resizing NHWC image Tensors, differentiably: what Resizing, CenterCrop and RandomCrop share.

Resizing follows TensorFlow / PyTorch ``align_corners=False`` (half-pixel
centres): output pixel i samples the input at ``(i + 0.5) * in / out - 0.5``.

    bilinear  y = M_h x M_w^T per channel, M the (out, in) matrices of 1-D
              linear interpolation (``ops.image.linear_resize_matrix``); two
              matrix products, so the gradient is M_h^T dy M_w
    nearest   input index min(floor((i + 0.5) * in / out), in - 1) per axis

No antialiasing: shrinking by a large factor skips pixels, as Keras does
with ``antialias=False``.
"""

import numpy as np

from glassnet import ops
from glassnet.autodiff.tensor import Tensor

INTERPOLATIONS = ("bilinear", "nearest")


def nearest_indices(in_size, out_size):
    """The input index each of ``out_size`` output positions copies (half-pixel centres)."""
    positions = np.floor((np.arange(out_size) + 0.5) * (in_size / out_size)).astype(np.int64)
    return np.minimum(positions, in_size - 1)


def resize(images, height, width, interpolation="bilinear"):
    """An (N, H, W, C) float Tensor resized to (N, height, width, C)."""
    n, in_h, in_w, c = images.shape
    if interpolation == "nearest":
        if in_h != height:
            images = ops.take(images, nearest_indices(in_h, height), axis=1)
        if in_w != width:
            images = ops.take(images, nearest_indices(in_w, width), axis=2)
        return images
    dtype = images.dtype
    if in_h != height:  # (height, H) @ (N, H, W * C)
        rows = ops.image.linear_resize_matrix(in_h, height, dtype=dtype)
        images = ops.reshape(ops.matmul(rows, ops.reshape(images, (n, in_h, in_w * c))), (n, height, in_w, c))
    if in_w != width:  # (width, W) @ (N * height, W, C)
        cols = ops.image.linear_resize_matrix(in_w, width, dtype=dtype)
        images = ops.reshape(ops.matmul(cols, ops.reshape(images, (n * height, in_w, c))), (n, height, width, c))
    return images


def aspect_crop_box(in_h, in_w, height, width):
    """(top, left, crop_h, crop_w): the largest centred window of ``in_h x in_w`` with the aspect height:width."""
    crop_h = max(min(in_h, int(float(in_w * height) / width)), 1)
    crop_w = max(min(in_w, int(float(in_h * width) / height)), 1)
    return int(float(in_h - crop_h) / 2), int(float(in_w - crop_w) / 2), crop_h, crop_w


def crop(images, top, left, height, width):
    """The window [top, top + height) x [left, left + width) of every image of an NHWC batch."""
    if (top, left, height, width) == (0, 0) + tuple(images.shape[1:3]):
        return images
    return ops.get_item(images, (slice(None), slice(top, top + height), slice(left, left + width)))


def smart_resize(images, height, width, interpolation="bilinear"):
    """Crop the largest centred window of the target aspect ratio, then resize it to (height, width)."""
    top, left, crop_h, crop_w = aspect_crop_box(images.shape[1], images.shape[2], height, width)
    return resize(crop(images, top, left, crop_h, crop_w), height, width, interpolation)


def pad_to_aspect(images, height, width, fill_value):
    """Pad with ``fill_value``, the same amount on both sides, towards the aspect height:width (as Keras)."""
    in_h, in_w = images.shape[1], images.shape[2]
    pad_h = max(in_h, int(float(in_w * height) / width))
    pad_w = max(in_w, int(float(in_h * width) / height))
    top, left = int(float(pad_h - in_h) / 2), int(float(pad_w - in_w) / 2)
    if (pad_h, pad_w) == (in_h, in_w):
        return images
    widths = ((0, 0), (top, top), (left, left), (0, 0))  # as Keras: an odd remainder is dropped
    return ops.pad(images, widths, constant_values=fill_value)


def output_shape(input_shape, height, width):
    """The shape of an image batch (or single image) resized to (height, width)."""
    shape = list(input_shape)
    shape[-3], shape[-2] = height, width
    return tuple(shape)


def as_batch(layer, inputs):
    """Check the rank: return (a float NHWC batch, whether the input was a single image)."""
    if inputs.ndim not in (3, 4):
        raise ValueError(f"{type(layer).__name__} '{layer.name}' expects images of shape (batch, height, width, "
                         f"channels) or a single image (height, width, channels), got shape {tuple(inputs.shape)}")
    if inputs.dtype.kind != "f":
        inputs = Tensor(inputs.data.astype(layer.dtype))
    single = inputs.ndim == 3
    return (ops.expand_dims(inputs, 0) if single else inputs), single


def check_size(layer, height, width):
    """Both target sizes positive integers, or a ValueError naming the layer."""
    for name, value in (("height", height), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{type(layer).__name__} '{layer.name}': `{name}` must be a positive integer, "
                             f"got {name}={value!r}")
    return int(height), int(width)
