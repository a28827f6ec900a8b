"""Image resampling on raw NHWC arrays, as ``keras.ops.image``: affine warps and linear resizing.

``affine_transform`` moves every image of a batch by its own transform, in one
vectorised pass (no loop over images or pixels). A transform is Keras' (and
TensorFlow's) eight numbers ``[a0, a1, a2, b0, b1, b2, c0, c1]``, mapping each
*output* pixel (x = column, y = row) to the *input* point it samples:

    k    = c0 x + c1 y + 1
    x_in = (a0 x + a1 y + a2) / k
    y_in = (b0 x + b1 y + b2) / k

"nearest" rounds (x_in, y_in) to the closest pixel (half to even); "bilinear"
blends the four pixels around it with weights (1 - fx, fx) x (1 - fy, fy).
Points outside the image are read according to ``fill_mode``:

    reflect   (d c b a | a b c d | d c b a)   mirrored about the edge
    wrap      (a b c d | a b c d | a b c d)   periodic
    nearest   (a a a a | a b c d | d d d d)   the edge pixel repeated
    constant  (k k k k | a b c d | k k k k)   k = fill_value

Each of the (one or four) neighbours is fixed up separately, so bilinear
sampling near the border of a "constant" image blends towards ``fill_value``
exactly as Keras does. These functions work on arrays and are not recorded
for autodiff: augmentation changes data, it is not a step to differentiate.

``linear_resize_matrix`` gives the (out, in) matrix of 1-D linear
interpolation with half-pixel centres (PyTorch ``align_corners=False``, the
TensorFlow and JAX "bilinear" resize); applied along height and then width
with ``ops.matmul`` it upsamples an image differentiably.
"""

import numpy as np

from glassnet import config
from glassnet.backend import get_array_module
from glassnet.ops import convolution, linalg, shaping
from glassnet.ops._convert import as_input, data_of

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def _mirror(index, size):
    """Triangle wave of period 2 (size - 1): ... 2 1 0 1 2 ... (size - 1) (size - 2) ..."""
    xp = get_array_module(index)
    s = size - 1
    return xp.abs((index + s) % (2 * s) - s)


def _fix_index(index, size, fill_mode):
    """Map integer positions that may lie outside [0, size) back inside, per ``fill_mode``."""
    xp = get_array_module(index)
    if fill_mode == "wrap":
        return index % size
    if fill_mode == "reflect":
        # half-sample symmetric: -1 -> 0, -2 -> 1, size -> size - 1 (Keras' _reflect_index_fixer)
        return (_mirror(2 * index + 1, 2 * size + 1) - 1) // 2
    return xp.clip(index, 0, size - 1)  # "nearest"; "constant" masks these positions afterwards


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0.0):
    """Warp each image of an (N, H, W, C) batch by its transform (an (N, 8) or (8,) array).

    Returns a new array with the dtype of ``images`` (float images only).
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"affine_transform: interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"affine_transform: fill_mode must be one of {FILL_MODES}, got {fill_mode!r}")
    if images.ndim != 4:
        raise ValueError(f"affine_transform expects images of shape (batch, height, width, channels), "
                         f"got {images.shape}")
    xp = get_array_module(images)
    n, h, w, c = images.shape
    transform = xp.asarray(transform, dtype=xp.float32).reshape(-1, 8)
    if transform.shape[0] not in (1, n):
        raise ValueError(f"affine_transform: {transform.shape[0]} transforms for a batch of {n} images")
    transform = xp.broadcast_to(transform, (n, 8))
    a0, a1, a2, b0, b1, b2, c0, c1 = (transform[:, i, None, None] for i in range(8))
    ys = xp.arange(h, dtype=xp.float32)[None, :, None]
    xs = xp.arange(w, dtype=xp.float32)[None, None, :]
    k = c0 * xs + c1 * ys + 1.0
    x_in = (a0 * xs + a1 * ys + a2) / k  # (n, h, w): where each output pixel reads the input
    y_in = (b0 * xs + b1 * ys + b2) / k
    rows = _neighbours(y_in, h, fill_mode, interpolation)
    cols = _neighbours(x_in, w, fill_mode, interpolation)
    pixels = images.reshape(n * h * w, c)  # gather whole pixels by one flat index
    first_row = (xp.arange(n, dtype=rows[0][0].dtype) * h)[:, None, None]
    fill = xp.asarray(fill_value, dtype=images.dtype)
    out = None
    for row, row_inside, row_weight in rows:
        row_start = (first_row + row) * w
        for col, col_inside, col_weight in cols:
            values = xp.take(pixels, row_start + col, axis=0)  # (n, h, w, c)
            if fill_mode == "constant":
                values = xp.where((row_inside & col_inside)[..., None], values, fill)
            if row_weight is not None:
                values = values * (row_weight * col_weight)[..., None]
            out = values if out is None else out + values
    return out.astype(images.dtype, copy=False)


def _neighbours(coordinate, size, fill_mode, interpolation):
    """[(index inside the image, whether the unfixed index was inside, weight)] along one axis.

    One entry for "nearest" (weight None), two for "bilinear": floor with weight 1 - f and floor + 1 with f.
    """
    xp = get_array_module(coordinate)

    def node(index, weight):
        inside = (index >= 0) & (index < size)
        low, high = (int(index.min()), int(index.max())) if index.size else (0, -1)
        if index.size and high - low <= 8 * size + 64:  # fix the few distinct positions once, look them up
            fixed = _fix_index(xp.arange(low, high + 1), size, fill_mode)[index - low]
        else:
            fixed = _fix_index(index, size, fill_mode)
        return fixed, inside, weight

    if interpolation == "nearest":
        return [node(xp.round(coordinate).astype(xp.int64), None)]
    low = xp.floor(coordinate)
    frac = coordinate - low
    low = low.astype(xp.int64)
    return [node(low, 1.0 - frac), node(low + 1, frac)]


def rotation_matrix(angles, height, width):
    """Transforms rotating (H, W) images about their centre by ``angles`` (radians, counter-clockwise)."""
    angles = np.asarray(angles, dtype=np.float64)
    cos, sin = np.cos(angles), np.sin(angles)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    zeros = np.zeros_like(angles)
    return np.stack([cos, -sin, cx - cx * cos + cy * sin,
                     sin, cos, cy - cx * sin - cy * cos, zeros, zeros], axis=-1).astype(np.float32)


def translation_matrix(dx, dy):
    """Transforms shifting image content right by ``dx`` and down by ``dy`` pixels."""
    dx, dy = np.asarray(dx, dtype=np.float64), np.asarray(dy, dtype=np.float64)
    ones, zeros = np.ones_like(dx), np.zeros_like(dx)
    return np.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=-1).astype(np.float32)


def zoom_matrix(zoom_x, zoom_y, height, width):
    """Transforms scaling the sampling grid about the centre: a zoom above 1 zooms out."""
    zx, zy = np.asarray(zoom_x, dtype=np.float64), np.asarray(zoom_y, dtype=np.float64)
    zeros = np.zeros_like(zx)
    return np.stack([zx, zeros, (width - 1) / 2.0 * (1.0 - zx),
                     zeros, zy, (height - 1) / 2.0 * (1.0 - zy), zeros, zeros], axis=-1).astype(np.float32)


def linear_resize_matrix(in_size, out_size, dtype="float32"):
    """(out_size, in_size) weights of 1-D linear interpolation with half-pixel centres.

    Output position i samples the input at ``(i + 0.5) * in_size / out_size - 0.5``,
    clamped to the first and last pixels (PyTorch ``align_corners=False``).
    """
    src = (np.arange(out_size, dtype=np.float64) + 0.5) * (in_size / out_size) - 0.5
    src = np.clip(src, 0.0, in_size - 1)
    low = np.floor(src).astype(np.int64)
    high = np.minimum(low + 1, in_size - 1)
    frac = src - low
    matrix = np.zeros((out_size, in_size), dtype=np.float64)
    rows = np.arange(out_size)
    np.add.at(matrix, (rows, low), 1.0 - frac)
    np.add.at(matrix, (rows, high), frac)
    return matrix.astype(dtype)


# --- keras.ops.image functions on Tensors (differentiable) ----------------------

RESIZE_INTERPOLATIONS = ("bilinear", "nearest")


def _channels_last(images, data_format):
    """(images as a batched NHWC tensor, a function putting a result back in the caller's layout)."""
    images = as_input(images)
    ndim = len(np.shape(data_of(images)))
    if ndim not in (3, 4):
        raise ValueError(f"expected images of rank 3 (unbatched) or 4 (batched), got shape {np.shape(data_of(images))}")
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    if ndim == 3:
        images = shaping.expand_dims(images, 0)
    if data_format == "channels_first":
        images = shaping.transpose(images, (0, 2, 3, 1))

    def restore(result):
        if data_format == "channels_first":
            result = shaping.transpose(result, (0, 3, 1, 2))
        return shaping.squeeze(result, 0) if ndim == 3 else result

    return images, restore


def _nearest_indices(in_size, out_size):
    """Input rows read by nearest-neighbour resizing with half-pixel centres (PyTorch "nearest-exact")."""
    return np.minimum(np.floor((np.arange(out_size) + 0.5) * (in_size / out_size)).astype(np.int64), in_size - 1)


def _aspect_box(height, width, target_height, target_width, grow):
    """(height, width) of the centred box with the target aspect ratio: inside the image, or around it."""
    box_height = int(float(width * target_height) / target_width)
    box_width = int(float(height * target_width) / target_height)
    if grow:
        return max(height, box_height), max(width, box_width)
    return max(min(height, box_height), 1), max(min(width, box_width), 1)


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images to ``size`` = (height, width).

    "bilinear": each output pixel blends its input neighbours with half-pixel
    centres, written as two matrix products (rows, then columns), so it is
    differentiable. "nearest": each output pixel copies the input pixel under
    its centre. ``crop_to_aspect_ratio`` first crops the centred box with the
    target's aspect ratio; ``pad_to_aspect_ratio`` pads with ``fill_value``.
    """
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(f"resize: interpolation must be one of {RESIZE_INTERPOLATIONS}, got {interpolation!r}")
    if antialias:
        raise ValueError("resize: antialias=True is not supported; pass antialias=False")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize: crop_to_aspect_ratio and pad_to_aspect_ratio cannot both be True")
    if len(size) != 2:
        raise ValueError(f"resize: size must be (height, width), got {size!r}")
    images, restore = _channels_last(images, data_format)
    _, height, width, _ = np.shape(data_of(images))
    out_h, out_w = int(size[0]), int(size[1])
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        box_h, box_w = _aspect_box(height, width, out_h, out_w, grow=pad_to_aspect_ratio)
        top, left = abs(box_h - height) // 2, abs(box_w - width) // 2
        if crop_to_aspect_ratio:
            images = shaping.get_item(images, (slice(None), slice(top, top + box_h), slice(left, left + box_w)))
        else:
            widths = ((0, 0), (top, box_h - height - top), (left, box_w - width - left), (0, 0))
            images = shaping.pad(images, widths, constant_values=fill_value)
        height, width = box_h, box_w
    if interpolation == "nearest":
        rows, cols = _nearest_indices(height, out_h), _nearest_indices(width, out_w)
        result = shaping.take(shaping.take(images, rows, axis=1), cols, axis=2)
    else:
        dtype = data_of(images).dtype if np.dtype(data_of(images).dtype).kind == "f" else "float32"
        row_weights = linear_resize_matrix(height, out_h, dtype)
        col_weights = linear_resize_matrix(width, out_w, dtype)
        columns = linalg.tensordot(images, col_weights, axes=([2], [1]))  # (n, h, c, out_w)
        result = shaping.transpose(linalg.tensordot(columns, row_weights, axes=([1], [1])), (0, 3, 2, 1))
    return restore(result)


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Every ``size`` patch of the images, flattened on the last axis: (n, out_h, out_w, ph*pw*c).

    A convolution with the identity kernel: output channel (i, j, k) copies
    input channel k at offset (i, j) of the window.
    """
    if isinstance(size, int):
        size = (size, size)
    strides = size if strides is None else strides
    images, restore = _channels_last(images, data_format)
    channels = np.shape(data_of(images))[-1]
    patch = size[0] * size[1] * channels
    dtype = data_of(images).dtype if np.dtype(data_of(images).dtype).kind == "f" else "float32"
    kernel = np.eye(patch, dtype=dtype).reshape(size[0], size[1], channels, patch)
    return restore(convolution.conv(images, kernel, None, strides=strides, padding=padding,
                                    dilation_rate=dilation_rate))
