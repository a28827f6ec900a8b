"""``keras.preprocessing.image``: one image file to an array and back (Pillow, optional, loaded when called)."""

import numpy as np

from glassnet.utils.image_dataset import _centred_box, _pillow, _resample
from glassnet.utils.image_utils import array_to_img, img_to_array, load_img, save_img

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]


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
