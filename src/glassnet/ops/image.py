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

from glassnet.backend import get_array_module

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
