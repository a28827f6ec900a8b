"""One image file to an array and back, as ``keras.utils.load_img``, ``img_to_array``, ``array_to_img``, ``save_img``.

Pillow is optional (``pip install glassnet[images]``); it is imported when
one of these functions is called, never by ``import glassnet``.
"""

import io
import os
import pathlib
import warnings

import numpy as np

from glassnet.utils.image_dataset import _pillow

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]

COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
RESAMPLING = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
_CHANNEL_MODES = {4: "RGBA", 3: "RGB"}


def _data_format(data_format, function):
    from glassnet import config

    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{function}: data_format must be 'channels_last' or 'channels_first', "
                         f"received {data_format!r}")
    return data_format


def _float_dtype(dtype):
    from glassnet import config

    return dtype or config.floatx()


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A rank-3 array (height, width, channels) as a PIL image.

    With ``scale`` the values are stretched to [0, 255]: x' = 255 (x - min) / (max - min)
    (only shifted when all values are equal). 1 channel gives a grayscale "L" image (a 32-bit
    "I" image where values exceed 255), 3 an "RGB" and 4 an "RGBA" image.
    """
    data_format = _data_format(data_format, "array_to_img")
    Image = _pillow()
    x = np.asarray(x, dtype=_float_dtype(dtype))
    if x.ndim != 3:
        raise ValueError(f"array_to_img expects an array of rank 3 (height, width, channels), "
                         f"received shape {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        peak = np.max(x)
        if peak != 0:
            x = x / peak
        x = x * 255
    channels = x.shape[2]
    if channels in _CHANNEL_MODES:
        return Image.fromarray(x.astype("uint8"), _CHANNEL_MODES[channels])
    if channels == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"array_to_img: the channels axis must have 1, 3 or 4 entries, received {channels} "
                     f"(shape {x.shape}, data_format={data_format!r})")


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image as an array (height, width, channels), or (channels, height, width) for "channels_first"."""
    data_format = _data_format(data_format, "img_to_array")
    x = np.asarray(img, dtype=_float_dtype(dtype))
    if x.ndim == 2:
        x = x[:, :, None]
    elif x.ndim != 3:
        raise ValueError(f"img_to_array expects an image of rank 2 or 3, received shape {x.shape}")
    return x.transpose(2, 0, 1) if data_format == "channels_first" else x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Write an array as an image file; the format comes from ``file_format`` or else the file's extension.

    JPEG holds no alpha channel: an RGBA image is written as RGB, with a warning.
    """
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    image = array_to_img(x, data_format=data_format, scale=scale)
    if image.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.", stacklevel=2)
        image = image.convert("RGB")
    image.save(path, format=file_format, **kwargs)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False):
    """A PIL image read from ``path`` (a path or an ``io.BytesIO``), in ``color_mode``, resized to
    ``target_size`` = (height, width) when given.

    With ``keep_aspect_ratio`` the largest centred box of the target's aspect ratio is cut out first.
    A 16- or 32-bit grayscale image stays as it is in "grayscale" mode.
    """
    if color_mode not in COLOR_MODES:
        raise ValueError(f"load_img: color_mode must be one of {', '.join(COLOR_MODES)}, received {color_mode!r}")
    if target_size is not None and interpolation not in RESAMPLING:
        raise ValueError(f"load_img: interpolation must be one of {', '.join(RESAMPLING)}, "
                         f"received {interpolation!r}")
    Image = _pillow()
    image = Image.open(_image_bytes(path))
    if color_mode == "grayscale":
        if image.mode not in ("L", "I;16", "I"):
            image = image.convert("L")
    elif image.mode != COLOR_MODES[color_mode]:
        image = image.convert(COLOR_MODES[color_mode])
    if target_size is None:
        return image
    size = (target_size[1], target_size[0])
    if image.size == size:
        return image
    resample = getattr(Image.Resampling, interpolation.upper())
    box = _centred_crop(image.size, size) if keep_aspect_ratio else None
    return image.resize(size, resample, box=box)


def _image_bytes(path):
    if isinstance(path, io.BytesIO):
        return path
    if isinstance(path, (str, bytes, os.PathLike)):
        with open(path, "rb") as handle:
            return io.BytesIO(handle.read())
    raise TypeError(f"load_img: path must be a path or an io.BytesIO, received {type(path).__name__}")


def _centred_crop(size, target):
    """(left, top, right, bottom) of the largest centred box of ``target``'s aspect ratio in an image of ``size``."""
    width, height = size
    target_width, target_height = target
    crop_height = min(height, width * target_height // target_width)
    crop_width = min(width, height * target_width // target_height)
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return [left, top, left + crop_width, top + crop_height]
