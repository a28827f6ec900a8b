"""``keras.preprocessing.image``: one image file to an array and back (Pillow, optional, loaded when called)."""

import numpy as np

from glassnet.utils.image_dataset import CHANNELS, INTERPOLATIONS, PIL_MODES, _centred_box, _pillow, _resample

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False):
    """A PIL image from ``path`` in ``color_mode``, resized to ``target_size`` (height, width) when given
    (``keep_aspect_ratio`` crops the centre to the target's aspect ratio first)."""
    Image = _pillow()
    if color_mode not in CHANNELS:
        raise ValueError(f"load_img: color_mode must be 'grayscale', 'rgb' or 'rgba', received {color_mode!r}")
    if interpolation not in INTERPOLATIONS + ("box", "hamming", "lanczos"):
        raise ValueError(f"load_img: interpolation must be one of {', '.join(INTERPOLATIONS)}, "
                         f"received {interpolation!r}")
    with Image.open(path) as image:
        image = image.convert(PIL_MODES[color_mode])
    if target_size is not None:
        height, width = target_size
        if keep_aspect_ratio:
            image = image.crop(_centred_box(image.width, image.height, width / height))
        if (image.height, image.width) != (height, width):
            filters = {"box": "area", "hamming": "gaussian", "lanczos": "lanczos3"}
            image = image.resize((width, height), _resample(Image, filters.get(interpolation, interpolation)))
    return image


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image as a float32 array (height, width, channels), channels first for "channels_first"."""
    from glassnet import config

    array = np.asarray(img, dtype=dtype or config.floatx())
    array = array[..., None] if array.ndim == 2 else array
    if (data_format or config.image_data_format()) == "channels_first":
        array = array.transpose(2, 0, 1)
    return array


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A (height, width, channels) array as a PIL image; ``scale`` stretches the values to 0-255 first."""
    from glassnet import config

    Image = _pillow()
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 3:
        raise ValueError(f"array_to_img expects an array of rank 3 (height, width, channels), received shape {x.shape}")
    if (data_format or config.image_data_format()) == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - x.min()
        x = x / x.max() * 255 if x.max() > 0 else x
    if x.shape[2] not in (1, 3, 4):
        raise ValueError(f"array_to_img: the channels axis must be 1, 3 or 4, received {x.shape[2]}")
    modes = {1: "L", 3: "RGB", 4: "RGBA"}
    data = x.astype(np.uint8)
    return Image.fromarray(data[..., 0] if x.shape[2] == 1 else data, modes[x.shape[2]])


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Write an array as an image file."""
    array_to_img(x, data_format=data_format, scale=scale).save(path, format=file_format, **kwargs)


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last"):
    """Crop the centre of ``x`` (height, width, channels, or a batch of them) to ``size``'s aspect ratio, then
    resize it to ``size`` without distortion."""
    Image = _pillow()
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 4:
        return np.stack([smart_resize(image, size, interpolation, data_format) for image in x])
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    height, width = size
    left, top, right, bottom = _centred_box(x.shape[1], x.shape[0], width / height)
    x = x[top:bottom, left:right]
    channels = [Image.fromarray(x[..., c], mode="F").resize((width, height), _resample(Image, interpolation))
                for c in range(x.shape[2])]
    out = np.stack([np.asarray(c, dtype=np.float32) for c in channels], axis=-1)
    return out.transpose(2, 0, 1) if data_format == "channels_first" else out
