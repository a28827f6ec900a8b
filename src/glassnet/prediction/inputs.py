"""Files to model inputs: images converted as MNIST was made, and ``.npy`` arrays checked against the model.

An image for a model whose input is one grayscale picture (``(H, W)``,
``(H, W, 1)``, or ``(H*W,)`` for a square picture flattened) is read the way
MNIST's digits were made, so a photo of a digit on paper looks like a
training image:

1. grayscale, scaled to [0, 1];
2. inverted when the ink is dark on light paper (``invert="auto"`` decides
   from the border: paper is what the border mostly shows);
3. the paper removed (Otsu's threshold tells paper from ink; a plane fitted
   to the paper takes away uneven light, three times its noise the grain)
   and the ink stretched to 1;
4. cropped to the ink, resized so its longer side is 20/28 of the picture,
   and centred by its centre of mass in an empty picture of the input's size.

Colour models (``(H, W, 3)``) get the whole image resized, scaled to [0, 1].
Pillow reads the images (``pip install glassnet[images]``).
"""

import numpy as np

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
INK_THRESHOLD = 0.25  # of the stretched ink: what counts as drawn when cropping
DIGIT_FRACTION = 20 / 28  # MNIST: the digit fits a 20x20 box in the 28x28 picture


class InputFileError(ValueError):
    """A file that cannot be turned into the model's input."""


def image_geometry(input_shape):
    """``(height, width, channels, flat)`` of the pictures the model takes, or None when its input is no picture."""
    shape = tuple(input_shape[1:])
    if len(shape) == 2:
        return shape[0], shape[1], 0, False
    if len(shape) == 3 and shape[-1] in (1, 3):
        return shape[0], shape[1], shape[-1], False
    if len(shape) == 1 and shape[0] is not None:
        side = int(round(shape[0] ** 0.5))
        if side * side == shape[0] and side >= 8:
            return side, side, 0, True
    return None


def read_image(path, input_shape, invert="auto"):
    """One input sample from an image file, shaped as the model's input without the batch axis."""
    geometry = image_geometry(input_shape)
    if geometry is None or None in geometry[:2]:
        raise InputFileError(f"{path}: the model's input {tuple(input_shape)} is not a fixed-size image "
                             "(H, W), (H, W, 1), (H, W, 3) or a flattened square; give a .npy array instead")
    height, width, channels, flat = geometry
    picture = _open(path)
    if channels == 3:
        rgb = np.asarray(picture.convert("RGB").resize((width, height), _resampling()), dtype="float32") / 255.0
        return rgb
    gray = np.asarray(picture.convert("L"), dtype="float32") / 255.0
    if _should_invert(gray, invert):
        gray = 1.0 - gray
    digit = centred_like_mnist(gray, height, width)
    if flat:
        return digit.reshape(-1)
    return digit[..., None] if channels == 1 else digit


def _open(path):
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        raise ImportError("Reading images needs Pillow: pip install glassnet[images]") from None
    try:
        with Image.open(path) as picture:
            picture.load()
            return picture.copy()
    except (OSError, UnidentifiedImageError) as error:
        raise InputFileError(f"{path}: not a readable image ({error})") from None


def _resampling():
    from PIL import Image

    return Image.Resampling.LANCZOS


def _should_invert(gray, invert):
    """True for dark ink on light paper: the border (mostly paper) is brighter than mid-grey."""
    if invert in (True, False):
        return invert
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    return float(np.median(border)) > 0.5


def otsu_threshold(values):
    """The level that best splits ``values`` (in [0, 1]) into two groups: Otsu's between-class variance maximum."""
    counts, edges = np.histogram(values, bins=256, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2
    weight_low = np.cumsum(counts)
    weight_high = weight_low[-1] - weight_low
    sum_low = np.cumsum(counts * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_low = sum_low / weight_low
        mean_high = (sum_low[-1] - sum_low) / weight_high
        between = weight_low * weight_high * (mean_low - mean_high) ** 2
    return float(centres[np.nanargmax(np.nan_to_num(between, nan=-1.0))])


def without_paper(ink):
    """``ink`` with the paper removed: a plane fitted to the paper's pixels (uneven light) and its noise subtracted.

    The paper is what lies below Otsu's threshold; what is left is 0 on paper and grows with the ink.
    """
    paper = ink < otsu_threshold(ink)
    if paper.sum() < 3 or paper.all():
        return np.clip(ink - np.median(ink), 0.0, None)
    rows, cols = np.nonzero(paper)
    step = max(1, len(rows) // 20000)  # a sample is plenty for three numbers
    design = np.stack([np.ones(len(rows[::step])), rows[::step], cols[::step]], axis=1).astype("float64")
    plane, *_ = np.linalg.lstsq(design, ink[rows[::step], cols[::step]], rcond=None)
    all_rows, all_cols = np.indices(ink.shape)
    residual = ink - (plane[0] + plane[1] * all_rows + plane[2] * all_cols)
    noise = float(residual[paper].std())
    return np.clip(residual - 3 * noise, 0.0, None)


def centred_like_mnist(ink, height, width):
    """Light-on-dark ``ink`` (floats in [0, 1]) as an MNIST picture of ``height`` x ``width``."""
    ink = without_paper(ink)
    peak = float(ink.max())
    if peak <= 0:
        return np.zeros((height, width), dtype="float32")  # an empty page
    ink /= peak
    rows, cols = np.nonzero(ink > INK_THRESHOLD)
    ink = ink[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]
    scale = DIGIT_FRACTION * min(height, width) / max(ink.shape)
    size = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
    from PIL import Image

    small = Image.fromarray((ink * 255).astype("uint8")).resize(size, _resampling())
    small = np.asarray(small, dtype="float32") / 255.0
    return _place_by_centre_of_mass(small, height, width)


def _place_by_centre_of_mass(digit, height, width):
    """``digit`` pasted into an empty picture so that its centre of mass is the picture's centre."""
    total = digit.sum()
    rows, cols = np.indices(digit.shape)
    centre_row = (rows * digit).sum() / total if total else digit.shape[0] / 2
    centre_col = (cols * digit).sum() / total if total else digit.shape[1] / 2
    top = int(round((height - 1) / 2 - centre_row))
    left = int(round((width - 1) / 2 - centre_col))
    top = min(max(top, 0), height - digit.shape[0])
    left = min(max(left, 0), width - digit.shape[1])
    picture = np.zeros((height, width), dtype="float32")
    picture[top: top + digit.shape[0], left: left + digit.shape[1]] = digit
    return picture


def read_array(path, input_shape):
    """The samples of a ``.npy`` file: one sample (the input's shape) or a batch of them."""
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise InputFileError(f"{path}: not a readable .npy array ({error})") from None
    if array.dtype.kind not in "biuf":
        raise InputFileError(f"{path}: expected numbers, got an array of dtype {array.dtype}")
    sample_shape = tuple(input_shape[1:])
    if _matches(array.shape, sample_shape):
        return array[None].astype("float32")
    if array.ndim == len(sample_shape) + 1 and _matches(array.shape[1:], sample_shape):
        return array.astype("float32")
    raise InputFileError(f"{path}: the model expects samples of shape {sample_shape} (or a batch of them), "
                         f"got an array of shape {array.shape}")


def _matches(shape, expected):
    return len(shape) == len(expected) and all(e is None or s == e for s, e in zip(shape, expected))


def read_file(path, input_shape, invert="auto"):
    """A batch of samples from ``path``: a ``.npy`` array, or one image."""
    import os

    if not os.path.isfile(path):
        raise InputFileError(f"{path}: no such file")
    if str(path).lower().endswith(".npy"):
        return read_array(path, input_shape)
    return read_image(path, input_shape, invert)[None]
