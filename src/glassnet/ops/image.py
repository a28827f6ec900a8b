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
from glassnet.autodiff.tensor import Tensor
from glassnet.backend import get_array_module
from glassnet.ops import convolution, core, linalg, math, reduce, shaping, windows
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


# --- crops and pads -------------------------------------------------------------


def _spatial_axes(images, data_format, name):
    """(height axis, width axis, channels axis) of 3-D or 4-D ``images`` in ``data_format``."""
    shape = np.shape(data_of(images))
    if len(shape) not in (3, 4):
        raise ValueError(f"{name} expects images of rank 3 (single image) or 4 (batch of images), got shape {shape}")
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{name}: data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    offset = len(shape) - 3
    if data_format == "channels_last":
        return offset, offset + 1, offset + 2
    return offset + 1, offset + 2, offset


def _two_of_three(first, second, total, names, name):
    """The missing one of (first, second, total) where first + second + size = total is implied by the other two."""
    given = [first, second, total]
    if given.count(None) != 1:
        raise ValueError(f"{name}: give exactly two of {', '.join(names)}; got "
                         + ", ".join(f"{n}={v}" for n, v in zip(names, given)))
    for value, label in zip(given, names):
        if value is not None and value < 0:
            raise ValueError(f"{name}: {label} must be >= 0, got {label}={value}")


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
               target_height=None, target_width=None, data_format=None):
    """Pad images with zeros: two of (top, bottom, target_height) and two of (left, right, target_width)."""
    images = as_input(images)
    h_axis, w_axis, _ = _spatial_axes(images, data_format, "pad_images")
    shape = np.shape(data_of(images))
    _two_of_three(top_padding, bottom_padding, target_height,
                  ("top_padding", "bottom_padding", "target_height"), "pad_images")
    _two_of_three(left_padding, right_padding, target_width,
                  ("left_padding", "right_padding", "target_width"), "pad_images")
    height, width = shape[h_axis], shape[w_axis]
    top = top_padding if top_padding is not None else target_height - bottom_padding - height
    bottom = bottom_padding if bottom_padding is not None else target_height - top - height
    left = left_padding if left_padding is not None else target_width - right_padding - width
    right = right_padding if right_padding is not None else target_width - left - width
    for value, label in ((top, "top_padding"), (bottom, "bottom_padding"), (left, "left_padding"),
                         (right, "right_padding")):
        if value < 0:
            raise ValueError(f"pad_images: {label} would be {value} for images of shape {shape}; "
                             "the target is smaller than the image")
    widths = [(0, 0)] * len(shape)
    widths[h_axis], widths[w_axis] = (top, bottom), (left, right)
    return shaping.pad(images, widths)


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None):
    """Crop images: two of (top, bottom, target_height) and two of (left, right, target_width)."""
    images = as_input(images)
    h_axis, w_axis, _ = _spatial_axes(images, data_format, "crop_images")
    shape = np.shape(data_of(images))
    _two_of_three(top_cropping, bottom_cropping, target_height,
                  ("top_cropping", "bottom_cropping", "target_height"), "crop_images")
    _two_of_three(left_cropping, right_cropping, target_width,
                  ("left_cropping", "right_cropping", "target_width"), "crop_images")
    height, width = shape[h_axis], shape[w_axis]
    top = top_cropping if top_cropping is not None else height - target_height - bottom_cropping
    rows = target_height if target_height is not None else height - bottom_cropping - top
    left = left_cropping if left_cropping is not None else width - target_width - right_cropping
    cols = target_width if target_width is not None else width - right_cropping - left
    if top < 0 or left < 0 or rows < 0 or cols < 0 or top + rows > height or left + cols > width:
        raise ValueError(f"crop_images: cannot crop rows [{top}, {top + rows}) and columns [{left}, {left + cols}) "
                         f"from images of shape {shape}")
    index = [slice(None)] * len(shape)
    index[h_axis], index[w_axis] = slice(top, top + rows), slice(left, left + cols)
    return shaping.get_item(images, tuple(index))


# --- colour spaces --------------------------------------------------------------

GRAYSCALE_WEIGHTS = (0.2989, 0.5870, 0.1140)  # ITU-R BT.601 luma, as tf.image.rgb_to_grayscale


def _float_dtype(images):
    dtype = np.dtype(data_of(images).dtype)
    return dtype if dtype.kind == "f" else np.dtype("float32")


def rgb_to_grayscale(images, data_format=None):
    """y = 0.2989 R + 0.5870 G + 0.1140 B, keeping a channels axis of 1 and the input dtype."""
    images = as_input(images)
    _, _, c_axis = _spatial_axes(images, data_format, "rgb_to_grayscale")
    channels = np.shape(data_of(images))[c_axis]
    if channels not in (1, 3):
        raise ValueError(f"rgb_to_grayscale expects 3 (RGB) or 1 (grayscale) channels, got images of shape "
                         f"{np.shape(data_of(images))}")
    if channels == 1:
        return math.multiply(images, 1) if isinstance(images, Tensor) else Tensor(np.array(data_of(images)))
    dtype = np.dtype(data_of(images).dtype)
    compute = _float_dtype(images)
    weights = np.asarray(GRAYSCALE_WEIGHTS, dtype=compute).reshape([3 if a == c_axis else 1
                                                                   for a in range(len(np.shape(data_of(images))))])
    gray = reduce.sum(math.multiply(core.cast(images, compute), weights), axis=c_axis, keepdims=True)
    return gray if dtype == compute else core.cast(gray, dtype)


def _planes(images, data_format, name):
    """The three channel planes of float images, and a function stacking three planes back."""
    images = as_input(images)
    _, _, c_axis = _spatial_axes(images, data_format, name)
    shape = np.shape(data_of(images))
    if np.dtype(data_of(images).dtype).kind != "f":
        raise ValueError(f"{name} expects float images, got dtype {data_of(images).dtype}")
    if shape[c_axis] != 3:
        raise ValueError(f"{name} expects 3 channels, got images of shape {shape}")
    planes = [shaping.take(images, i, axis=c_axis) for i in range(3)]
    return planes, lambda a, b, c: shaping.stack([a, b, c], axis=c_axis)


def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] -> (hue, saturation, value) in [0, 1]:

        V = max(R, G, B),  range = V - min(R, G, B),  S = range / V (0 where V = 0)
        H = (G - B) / (6 range) if V = R,  (B - R) / (6 range) + 1/3 if V = G,  else (R - G) / (6 range) + 2/3
        (0 where range = 0; negative hues wrap by +1)
    """
    (red, green, blue), stack = _planes(images, data_format, "rgb_to_hsv")
    eps = np.finfo(data_of(red).dtype).eps  # values this close to 0 count as 0
    red, green, blue = (math.where(np.abs(data_of(p)) < eps, 0.0, p) for p in (red, green, blue))
    value = math.maximum(math.maximum(red, green), blue)
    spread = math.subtract(value, math.minimum(math.minimum(red, green), blue))
    v, s = data_of(value), data_of(spread)
    saturation = math.where(v > 0, math.divide(spread, math.where(v > 0, value, 1.0)), 0.0)
    norm = math.divide(1.0 / 6.0, math.where(s > 0, spread, 1.0))
    hue = math.where(v == data_of(green), math.add(math.multiply(norm, math.subtract(blue, red)), 2.0 / 6.0),
                     math.add(math.multiply(norm, math.subtract(red, green)), 4.0 / 6.0))
    hue = math.where(v == data_of(red), math.multiply(norm, math.subtract(green, blue)), hue)
    hue = math.add(math.where(s > 0, hue, 0.0), (data_of(hue) < 0).astype(data_of(hue).dtype))
    return stack(hue, saturation, value)


def hsv_to_rgb(images, data_format=None):
    """(hue, saturation, value) -> RGB: channel k = V (1 - S + S f_k(6 H mod 6)) with the clipped ramps
    f_R = clip(|h - 3| - 1), f_G = clip(2 - |h - 2|), f_B = clip(2 - |h - 4|) in [0, 1]."""
    (hue, saturation, value), stack = _planes(images, data_format, "hsv_to_rgb")
    h = math.multiply(math.mod(hue, 1.0), 6.0)
    ramps = (math.subtract(math.abs(math.subtract(h, 3.0)), 1.0),
             math.subtract(2.0, math.abs(math.subtract(h, 2.0))),
             math.subtract(2.0, math.abs(math.subtract(h, 4.0))))
    one_minus_s = math.subtract(1.0, saturation)
    red, green, blue = (math.multiply(value, math.add(one_minus_s, math.multiply(saturation, math.clip(r, 0.0, 1.0))))
                        for r in ramps)
    return stack(red, green, blue)


# --- filters ------------------------------------------------------------------------


def _gaussian_1d(size, sigma, dtype):
    """exp(-t^2 / (2 sigma^2)) at t = -(size - 1)/2 ... (size - 1)/2, normalised to sum 1."""
    t = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    kernel = np.exp(-0.5 * (t / float(sigma)) ** 2)
    return (kernel / kernel.sum()).astype(dtype)


def _filter_channels(images, kernel, pads, mode="constant"):
    """Correlate every channel of NHWC ``images`` with the (kh, kw, m) ``kernel`` (m outputs per channel),
    after padding height and width by ``pads``; returns (n, h', w', channels * m)."""
    channels = np.shape(data_of(images))[-1]
    images = shaping.pad(images, ((0, 0), pads[0], pads[1], (0, 0)), mode=mode)
    kernel = np.broadcast_to(kernel[:, :, None, :], kernel.shape[:2] + (channels, kernel.shape[2]))
    return convolution.depthwise_conv(images, np.ascontiguousarray(kernel))


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur each channel with a normalised Gaussian, zero-padded to keep the size.

    As Keras' NumPy backend: the kernel's columns use (kernel_size[0], sigma[0]) and its rows
    (kernel_size[1], sigma[1]); the image is padded by (k - 1) // 2 before and the rest after.
    """
    kernel_size = _as_pair(kernel_size, "gaussian_blur", "kernel_size")
    sigma = _as_pair(sigma, "gaussian_blur", "sigma", int_only=False)
    images, restore = _channels_last(images, data_format)
    dtype = data_of(images).dtype
    compute = _float_dtype(images)
    kernel = np.outer(_gaussian_1d(kernel_size[1], sigma[1], compute), _gaussian_1d(kernel_size[0], sigma[0], compute))
    kh, kw = kernel.shape
    pads = (((kh - 1) // 2, kh - 1 - (kh - 1) // 2), ((kw - 1) // 2, kw - 1 - (kw - 1) // 2))
    blurred = _filter_channels(core.cast(images, compute), kernel[:, :, None], pads)
    return restore(blurred if np.dtype(dtype) == compute else core.cast(blurred, dtype))


def _as_pair(value, name, label, int_only=True):
    values = (value, value) if np.isscalar(value) else tuple(value)
    if len(values) != 2 or (int_only and not all(isinstance(v, (int, np.integer)) and v > 0 for v in values)):
        kind = "positive integers" if int_only else "numbers"
        raise ValueError(f"{name}: {label} must be one or two {kind}, got {value!r}")
    return values


SOBEL_KERNEL = np.stack([np.outer([-1.0, 0.0, 1.0], [1.0, 2.0, 1.0]),  # d/dy (rows), smoothed along x
                         np.outer([1.0, 2.0, 1.0], [-1.0, 0.0, 1.0])], axis=-1)  # d/dx (columns)


def sobel_edges(images, data_format=None):
    """Sobel gradients of each channel: (..., channels, 2) holding (d/dy, d/dx).

    d/dy correlates with [[-1, -2, -1], [0, 0, 0], [1, 2, 1]], d/dx with its transpose, over the
    zero-padded image (Keras' torch and JAX backends; its NumPy and TensorFlow backends mirror the
    edges instead, each differently).
    """
    ndim = len(np.shape(data_of(as_input(images))))
    channels_first = (data_format or config.image_data_format()) == "channels_first"
    images, _ = _channels_last(images, data_format)
    compute = _float_dtype(images)
    edges = _filter_channels(core.cast(images, compute), SOBEL_KERNEL.astype(compute), ((1, 1), (1, 1)))
    edges = shaping.reshape(edges, np.shape(data_of(images)) + (2,))
    if channels_first:
        edges = shaping.transpose(edges, (0, 3, 1, 2, 4))
    return shaping.squeeze(edges, 0) if ndim == 3 else edges


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, data_format=None):
    """Structural similarity (Wang et al. 2004), averaged over positions and channels:

        SSIM = (2 mu1 mu2 + c1)(2 s12 + c2) / ((mu1^2 + mu2^2 + c1)(s1^2 + s2^2 + c2))

    means, variances and covariance from a filter_size Gaussian window ("valid" positions only),
    c1 = (k1 max_val)^2, c2 = (k2 max_val)^2. One value per image (a scalar for one image).
    """
    shape1, shape2 = np.shape(data_of(as_input(image1))), np.shape(data_of(as_input(image2)))
    if shape1 != shape2:
        raise ValueError(f"ssim expects two images of the same shape, got {shape1} and {shape2}")
    first, _ = _channels_last(image1, data_format)
    second, _ = _channels_last(image2, data_format)
    dtype = data_of(first).dtype
    compute = _float_dtype(first)
    first, second = core.cast(first, compute), core.cast(second, compute)
    window = _gaussian_1d(filter_size, filter_sigma, compute)
    kernel = np.outer(window, window)[:, :, None]

    def local_mean(x):
        return _filter_channels(x, kernel, ((0, 0), (0, 0)))

    mu1, mu2 = local_mean(first), local_mean(second)
    mu11, mu22, mu12 = math.multiply(mu1, mu1), math.multiply(mu2, mu2), math.multiply(mu1, mu2)
    var1 = math.subtract(local_mean(math.multiply(first, first)), mu11)
    var2 = math.subtract(local_mean(math.multiply(second, second)), mu22)
    cov = math.subtract(local_mean(math.multiply(first, second)), mu12)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    numerator = math.multiply(math.add(math.multiply(mu12, 2.0), c1), math.add(math.multiply(cov, 2.0), c2))
    denominator = math.multiply(math.add(math.add(mu11, mu22), c1), math.add(math.add(var1, var2), c2))
    result = reduce.mean(math.divide(numerator, denominator), axis=(1, 2, 3))
    if len(shape1) == 3:
        result = shaping.squeeze(result, 0)
    return result if np.dtype(dtype) == compute else core.cast(result, dtype)


# --- sampling and patches -----------------------------------------------------------

MAP_COORDINATES_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _map_index(index, size, fill_mode):
    """Integer positions outside [0, size) brought inside: "mirror" (d c b | a b c d | c b a) reflects about
    the edge pixel, "reflect" (c b a | a b c d | d c b) about the edge, "wrap" repeats, "nearest" clamps."""
    if fill_mode == "mirror":
        return _mirror(index, size) if size > 1 else np.zeros_like(index)
    return _fix_index(index, size, fill_mode)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0.0):
    """Sample ``inputs`` at ``coordinates`` (shape (inputs.ndim, ...)), as scipy.ndimage.map_coordinates.

    order 0 takes the nearest element (round half up); order 1 blends the 2^ndim neighbours with
    weights prod_d (1 - f_d or f_d). Neighbours outside the array follow ``fill_mode`` ("constant"
    reads ``fill_value``). Differentiable with respect to ``inputs`` (not the coordinates).
    """
    if order not in (0, 1):
        raise ValueError(f"map_coordinates: order must be 0 or 1, got {order!r}")
    if fill_mode not in MAP_COORDINATES_FILL_MODES:
        raise ValueError(f"map_coordinates: fill_mode must be one of {MAP_COORDINATES_FILL_MODES}, got {fill_mode!r}")
    inputs = as_input(inputs)
    shape = np.shape(data_of(inputs))
    coords = np.asarray(data_of(as_input(coordinates)), dtype=np.float64)
    if coords.ndim < 2 or coords.shape[0] != len(shape):
        raise ValueError(f"map_coordinates: coordinates must have shape (inputs.ndim={len(shape)}, ...), "
                         f"got {coords.shape} for inputs of shape {shape}")
    axes = []  # per axis: [(index inside, inside the array, weight)]
    for c, size in zip(coords, shape):
        if order == 0:
            index = np.floor(c + 0.5).astype(np.int64)
            entries = [(index, 1.0)]
        else:
            low = np.floor(c)
            entries = [(low.astype(np.int64), 1.0 - (c - low)), (low.astype(np.int64) + 1, c - low)]
        axes.append([(_map_index(i, size, fill_mode), (i >= 0) & (i < size), w) for i, w in entries])
    dtype = _float_dtype(inputs)
    flat = shaping.reshape(core.cast(inputs, dtype), (-1,))
    strides = np.cumprod((1,) + shape[:0:-1])[::-1]
    total = None
    for combination in _product(axes):
        flat_index = sum(entry[0] * stride for entry, stride in zip(combination, strides))
        weight = np.prod([entry[2] for entry in combination], axis=0) * np.ones(coords.shape[1:])
        inside = np.logical_and.reduce([entry[1] for entry in combination])
        values = shaping.take(flat, flat_index)
        term = math.multiply(values, weight.astype(dtype))
        if fill_mode == "constant":
            term = math.where(inside, term, (fill_value * weight).astype(dtype))
        total = term if total is None else math.add(total, term)
    out_dtype = data_of(inputs).dtype
    return total if np.dtype(out_dtype) == dtype else core.cast(total, out_dtype)


def _product(axes):
    """Every choice of one neighbour per axis."""
    combinations = [()]
    for entries in axes:
        combinations = [c + (e,) for c in combinations for e in entries]
    return combinations


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Every (d, h, w) ``size`` patch of 4-D or 5-D volumes, flattened on the last axis (depth-, row-,
    column- then channel-major, as a convolution with the identity kernel)."""
    size = (size,) * 3 if isinstance(size, (int, np.integer)) else tuple(size)
    strides = size if strides is None else ((strides,) * 3 if isinstance(strides, (int, np.integer)) else
                                           tuple(strides))
    dilation = (dilation_rate,) * 3 if isinstance(dilation_rate, (int, np.integer)) else tuple(dilation_rate)
    if len(size) != 3 or len(strides) != 3 or len(dilation) != 3:
        raise ValueError(f"extract_patches_3d: size, strides and dilation_rate must be one or three integers, "
                         f"got {size}, {strides}, {dilation_rate}")
    if padding not in ("valid", "same"):
        raise ValueError(f"extract_patches_3d: padding must be 'valid' or 'same', got {padding!r}")
    volumes = as_input(volumes)
    ndim = len(np.shape(data_of(volumes)))
    if ndim not in (4, 5):
        raise ValueError(f"extract_patches_3d expects volumes of rank 4 or 5, got shape {np.shape(data_of(volumes))}")
    channels_first = (data_format or config.image_data_format()) == "channels_first"
    if ndim == 4:
        volumes = shaping.expand_dims(volumes, 0)
    if channels_first:
        volumes = shaping.transpose(volumes, (0, 2, 3, 4, 1))
    spatial = np.shape(data_of(volumes))[1:4]
    if padding == "same":
        pads = [windows.same_padding(n, k, s, d) for n, k, s, d in zip(spatial, size, strides, dilation)]
        volumes = shaping.pad(volumes, [(0, 0), *pads, (0, 0)])
        spatial = np.shape(data_of(volumes))[1:4]
    counts = [(n - (k - 1) * d - 1) // s + 1 for n, k, s, d in zip(spatial, size, strides, dilation)]
    pieces = []
    for a, b, c in np.ndindex(*size):
        starts = (a * dilation[0], b * dilation[1], c * dilation[2])
        index = (slice(None),) + tuple(slice(o, o + (m - 1) * s + 1, s) for o, m, s in zip(starts, counts, strides))
        pieces.append(shaping.get_item(volumes, index))
    patches = shaping.concatenate(pieces, axis=-1)
    if channels_first:
        patches = shaping.transpose(patches, (0, 4, 1, 2, 3))
    return shaping.squeeze(patches, 0) if ndim == 4 else patches


# --- projective and elastic warps, scale-and-translate resampling -------------------


def _corner_points(points, name):
    points = np.asarray(data_of(as_input(points)), dtype=np.float64)
    if points.ndim not in (2, 3) or points.shape[-2:] != (4, 2):
        raise ValueError(f"perspective_transform: {name} must have shape (4, 2) for one image or (N, 4, 2) for a "
                         f"batch, got shape {points.shape}")
    return points.reshape(-1, 4, 2)


def compute_homography_matrix(start_points, end_points):
    """The (N, 8) projective transforms [a0 .. a7] taking each end point (x, y) to its start point:

        x_start = (a0 x + a1 y + a2) / (a6 x + a7 y + 1),  y_start = (a3 x + a4 y + a5) / (a6 x + a7 y + 1)

    Four point pairs give eight linear equations in a0 .. a7, solved exactly (float64).
    """
    start, end = np.asarray(start_points, np.float64), np.asarray(end_points, np.float64)
    x, y = end[..., 0], end[..., 1]
    u, v = start[..., 0], start[..., 1]
    one, zero = np.ones_like(x), np.zeros_like(x)
    rows_x = np.stack([x, y, one, zero, zero, zero, -u * x, -u * y], axis=-1)  # (N, 4, 8)
    rows_y = np.stack([zero, zero, zero, x, y, one, -v * x, -v * y], axis=-1)
    matrix = np.stack([rows_x, rows_y], axis=2).reshape(-1, 8, 8)
    target = np.stack([u, v], axis=2).reshape(-1, 8)
    return np.linalg.solve(matrix, target[..., None])[..., 0]


def _warp(images, x_in, y_in, interpolation, fill_mode, fill_value):
    """Sample NHWC ``images`` at the (n, h, w) points (x_in, y_in) with map_coordinates, every channel."""
    n, h, w, c = np.shape(data_of(images))
    batch = np.broadcast_to(np.arange(n, dtype=np.float64)[:, None, None, None], (n, h, w, c))
    channel = np.broadcast_to(np.arange(c, dtype=np.float64), (n, h, w, c))
    coordinates = np.stack([batch, np.broadcast_to(y_in[..., None], (n, h, w, c)),
                            np.broadcast_to(x_in[..., None], (n, h, w, c)), channel])
    order = 0 if interpolation == "nearest" else 1
    return map_coordinates(images, coordinates, order, fill_mode=fill_mode, fill_value=fill_value)


def perspective_transform(images, start_points, end_points, interpolation="bilinear", fill_value=0,
                          data_format=None):
    """Warp images so that the four ``start_points`` (x, y) move to ``end_points``.

    Each output pixel (x, y) reads the input at the homography image of (x, y) (see
    ``compute_homography_matrix``), with bilinear or nearest sampling; points outside read ``fill_value``.
    Points are (4, 2) for all images or (N, 4, 2), one set per image. Differentiable in ``images``.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"perspective_transform: interpolation must be one of {INTERPOLATIONS}, "
                         f"got {interpolation!r}")
    start, end = _corner_points(start_points, "start_points"), _corner_points(end_points, "end_points")
    if np.shape(data_of(as_input(start_points))) != np.shape(data_of(as_input(end_points))):
        raise ValueError(f"perspective_transform: start_points and end_points must have the same shape, got "
                         f"{np.shape(data_of(as_input(start_points)))} and {np.shape(data_of(as_input(end_points)))}")
    images, restore = _channels_last(images, data_format)
    n, h, w, _ = np.shape(data_of(images))
    transforms = compute_homography_matrix(start, end)
    if transforms.shape[0] not in (1, n):
        raise ValueError(f"perspective_transform: {transforms.shape[0]} sets of points for a batch of {n} images")
    a0, a1, a2, a3, a4, a5, a6, a7 = (np.broadcast_to(transforms[:, i], (n,))[:, None, None] for i in range(8))
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    denominator = a6 * x + a7 * y + 1.0
    x_in, y_in = (a0 * x + a1 * y + a2) / denominator, (a3 * x + a4 * y + a5) / denominator
    return restore(_warp(images, x_in, y_in, interpolation, "constant", fill_value))


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                      seed=None, data_format=None):
    """Displace every pixel by a smooth random field: each output pixel (x, y) reads the input at
    (x + alpha dx, y + alpha dy), where dx, dy are standard normal noise times sigma, blurred by a Gaussian
    of width sigma (kernel size int(6 sigma) | 1), drawn per image (Simard et al., 2003).

    ``seed`` is an integer, a ``glassnet.random.SeedGenerator`` or None (the global generator).
    Points outside the image follow ``fill_mode`` (map_coordinates' modes). Differentiable in ``images``.
    """
    from glassnet.random import SeedGenerator

    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"elastic_transform: interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
    if fill_mode not in MAP_COORDINATES_FILL_MODES:
        raise ValueError(f"elastic_transform: fill_mode must be one of {MAP_COORDINATES_FILL_MODES}, "
                         f"got {fill_mode!r}")
    images, restore = _channels_last(images, data_format)
    n, h, w, _ = np.shape(data_of(images))
    generator = (seed if isinstance(seed, SeedGenerator) else SeedGenerator(seed)).generator
    size = int(6 * float(sigma)) | 1
    noise = generator.standard_normal((2 * n, h, w, 1)) * float(sigma)
    field = data_of(gaussian_blur(noise, (size, size), (float(sigma), float(sigma)),
                                  data_format="channels_last"))[..., 0]
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    x_in, y_in = x + float(alpha) * field[:n], y + float(alpha) * field[n:]
    return restore(_warp(images, x_in, y_in, interpolation, fill_mode, fill_value))


SCALE_AND_TRANSLATE_METHODS = ("linear", "bilinear", "trilinear", "cubic", "bicubic", "tricubic",
                               "lanczos3", "lanczos5")


def _triangle(x):
    return np.maximum(0.0, 1.0 - np.abs(x))


def _keys_cubic(x):
    """Keys' cubic convolution kernel with a = -0.5."""
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return np.where(x >= 2.0, 0.0, np.where(x >= 1.0, far, near))


def _lanczos(radius):
    def kernel(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            y = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius) / (np.pi ** 2 * x ** 2)
        return np.where(x > radius, 0.0, np.where(x > 1e-3, y, 1.0))
    return kernel


_SCALE_KERNELS = {"linear": _triangle, "cubic": _keys_cubic, "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}


def _scale_weights(in_size, out_size, scale, translation, kernel, antialias, dtype):
    """(in, out) weights: output j samples the input at s_j = (j + 0.5 - translation) / scale - 0.5 with
    ``kernel(|s_j - i| / k)`` normalised to sum 1 (k = max(1 / scale, 1) with ``antialias``, else 1);
    outputs whose s_j falls outside [-0.5, in - 0.5] get zero weights."""
    sample = (np.arange(out_size, dtype=dtype) + 0.5 - translation) / scale - 0.5
    width = max(1.0 / scale, 1.0) if antialias else 1.0
    weights = kernel(np.abs(sample[None, :] - np.arange(in_size, dtype=dtype)[:, None]) / width)
    total = weights.sum(axis=0, keepdims=True)
    weights = np.where(np.abs(total) > 1000.0 * np.finfo(np.float32).eps,
                       weights / np.where(total != 0, total, 1), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return np.where(inside[None, :], weights, 0.0)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method, antialias=True):
    """Resample ``images`` along ``spatial_dims`` to ``output_shape``, output = scale * input + translation
    in each of those axes (jax.image.scale_and_translate), one weight matrix per axis.

    ``method`` is "linear" (triangle kernel), "cubic" (Keys, a = -0.5), "lanczos3" or "lanczos5";
    ``antialias`` widens the kernel by 1 / scale when downsampling. Integer images are rounded and
    clipped to their input range. Differentiable in float ``images``.
    """
    if method not in SCALE_AND_TRANSLATE_METHODS:
        raise ValueError(f"scale_and_translate: method must be one of {SCALE_AND_TRANSLATE_METHODS}, got {method!r}")
    kernel = _SCALE_KERNELS[{"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic",
                             "tricubic": "cubic"}.get(method, method)]
    images = as_input(images)
    shape = np.shape(data_of(images))
    scale = np.atleast_1d(np.asarray(data_of(as_input(scale)), dtype=np.float64))
    translation = np.atleast_1d(np.asarray(data_of(as_input(translation)), dtype=np.float64))
    spatial_dims = tuple(int(d) % len(shape) for d in spatial_dims)
    if not len(scale) == len(translation) == len(spatial_dims):
        raise ValueError(f"scale_and_translate: scale, translation and spatial_dims must have the same length, "
                         f"got {len(scale)}, {len(translation)} and {len(spatial_dims)}")
    if len(output_shape) != len(shape):
        raise ValueError(f"scale_and_translate: output_shape must have one entry per axis of images "
                         f"{shape}, got {tuple(output_shape)}")
    dtype = _float_dtype(images)
    output = core.cast(images, dtype)
    for axis, s, t in zip(spatial_dims, scale, translation):
        weights = _scale_weights(shape[axis], int(output_shape[axis]), s, t, kernel, antialias, np.float64)
        output = shaping.moveaxis(linalg.tensordot(output, weights.astype(dtype), axes=([axis], [0])), -1, axis)
    if np.dtype(data_of(images).dtype).kind in "iub":
        raw = data_of(images)
        return core.cast(math.clip(math.round(output), raw.min(), raw.max()), raw.dtype)
    return output
