"""image_dataset_from_directory: batches of (images, labels) read from a folder of image files (``keras.utils``).

The folders are read as ``text_dataset_from_directory`` reads them (one
subfolder per class, Keras' file order, ``shuffle``, ``seed``,
``validation_split``, ``subset``, label modes): see ``text_dataset.py``.
Files ending in .bmp, .gif, .jpeg, .jpg or .png count; a GIF gives its first
frame.

Each image is decoded with Pillow (an optional dependency:
``pip install glassnet[images]``), converted to ``color_mode`` ("grayscale":
1 channel, "rgb": 3, "rgba": 4), and resized to ``image_size`` (height,
width) with ``interpolation``. With ``crop_to_aspect_ratio`` the largest
centred window of the target's aspect ratio is cut out first, so nothing is
stretched; with ``pad_to_aspect_ratio`` the image is instead padded with black
around it. Batches are float32 arrays (batch, height, width, channels),
values 0-255 as in Keras (``data_format="channels_first"`` puts channels
second). The dataset is a PyDataset; ``class_names`` lists the classes and
``file_paths`` the files in their (unshuffled-by-epoch) order.
"""

import numpy as np

from glassnet import config
from glassnet.utils.indexed_batches import IndexedBatches, check_batch_size, draw_seed
from glassnet.utils.text_dataset import (
    LABEL_MODES, check_validation_split, directory_datasets, encode_labels, index_directory,
)

NAME = "image_dataset_from_directory"
IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}
PIL_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")


def _pillow():
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError(f"{NAME} reads images with Pillow, which is not installed: pip install Pillow "
                          "(or pip install glassnet[images])") from error
    return Image


def _resample(Image, interpolation):
    """Pillow's filter for Keras' interpolation name (the closest where Pillow lacks it: lanczos5 and lanczos3
    both LANCZOS, gaussian HAMMING, mitchellcubic BICUBIC)."""
    filters = Image.Resampling
    return {"bilinear": filters.BILINEAR, "nearest": filters.NEAREST, "bicubic": filters.BICUBIC,
            "area": filters.BOX, "lanczos3": filters.LANCZOS, "lanczos5": filters.LANCZOS,
            "gaussian": filters.HAMMING, "mitchellcubic": filters.BICUBIC}[interpolation]


def load_image(path, image_size, color_mode="rgb", interpolation="bilinear", crop_to_aspect_ratio=False,
               pad_to_aspect_ratio=False):
    """One image file as a float32 array (height, width, channels), resized to ``image_size``."""
    Image = _pillow()
    with Image.open(path) as image:
        image = image.convert(PIL_MODES[color_mode])
        height, width = image_size
        if crop_to_aspect_ratio:
            image = image.crop(_centred_box(image.width, image.height, width / height))
        elif pad_to_aspect_ratio:
            image = _pad(Image, image, width / height)
        if (image.height, image.width) != (height, width):
            image = image.resize((width, height), _resample(Image, interpolation))
        array = np.asarray(image, dtype=np.float32)
    return array[..., None] if array.ndim == 2 else array


def _centred_box(width, height, aspect):
    """The largest (left, top, right, bottom) window of ``aspect`` = width / height centred in the image."""
    crop_width, crop_height = min(width, round(height * aspect)), min(height, round(width / aspect))
    left, top = (width - crop_width) // 2, (height - crop_height) // 2
    return left, top, left + crop_width, top + crop_height


def _pad(Image, image, aspect):
    """``image`` centred on a black canvas of the target ``aspect``."""
    width, height = max(image.width, round(image.height * aspect)), max(image.height, round(image.width / aspect))
    canvas = Image.new(image.mode, (width, height))
    canvas.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    return canvas


class ImageDataset(IndexedBatches):
    """Image files and their labels, decoded a batch at a time."""

    def __init__(self, file_paths, labels, label_mode, num_classes, class_names, batch_size, shuffle, seed, **image):
        super().__init__(np.arange(len(file_paths)), batch_size, shuffle, seed)
        self.file_paths, self.labels, self.label_mode, self.num_classes = list(file_paths), labels, label_mode, \
            num_classes
        self.class_names = class_names
        self.channels_first = image.pop("data_format") == "channels_first"
        self.image = image

    def make_batch(self, indices):
        images = np.stack([load_image(self.file_paths[i], **self.image) for i in indices])
        if self.channels_first:
            images = images.transpose(0, 3, 1, 2)
        if self.label_mode is None:
            return images
        return images, encode_labels(self.labels[indices], self.label_mode, self.num_classes)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, color_mode="rgb",
                                 batch_size=32, image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear", follow_links=False,
                                 crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, data_format=None,
                                 verbose=True):
    """A dataset of (images, labels) batches from ``directory``; see the module docstring."""
    image = _check_image_arguments(color_mode, image_size, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio,
                                   data_format)
    _pillow()  # fail now, not at the first batch
    labels, label_mode = _check_arguments(directory, labels, label_mode, class_names, batch_size, validation_split,
                                          subset, shuffle, seed)
    seed = draw_seed(seed)
    file_paths, labels, class_names = index_directory(directory, labels, class_names, shuffle, seed, follow_links,
                                                      IMAGE_EXTENSIONS, NAME)
    return directory_datasets(
        directory, file_paths, labels, class_names, label_mode, subset, shuffle, validation_split, verbose, NAME,
        f"image files ({', '.join(IMAGE_EXTENSIONS)})",
        lambda paths, part_labels, num_classes, names, shuffled: ImageDataset(
            paths, part_labels, label_mode, num_classes, names, batch_size, shuffled, seed, **image))


def _check_image_arguments(color_mode, image_size, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio,
                           data_format):
    if color_mode not in CHANNELS:
        raise ValueError(f"{NAME}: color_mode must be 'grayscale', 'rgb' or 'rgba', received {color_mode!r}")
    if not (isinstance(image_size, (tuple, list)) and len(image_size) == 2
            and all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0 for d in image_size)):
        raise ValueError(f"{NAME}: image_size must be (height, width), two positive integers, received "
                         f"{image_size!r}")
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"{NAME}: interpolation must be one of {', '.join(INTERPOLATIONS)}, received "
                         f"{interpolation!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{NAME}: crop_to_aspect_ratio and pad_to_aspect_ratio cannot both be True")
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{NAME}: data_format must be 'channels_last' or 'channels_first', received {data_format!r}")
    return {"image_size": (int(image_size[0]), int(image_size[1])), "color_mode": color_mode,
            "interpolation": interpolation, "crop_to_aspect_ratio": bool(crop_to_aspect_ratio),
            "pad_to_aspect_ratio": bool(pad_to_aspect_ratio), "data_format": data_format}


def _check_arguments(directory, labels, label_mode, class_names, batch_size, validation_split, subset, shuffle, seed):
    """Keras' checks on the folder, labels and split; returns ``labels`` and ``label_mode`` (None when either is)."""
    import os

    if not os.path.isdir(directory):
        raise ValueError(f"{NAME}: directory {str(directory)!r} does not exist or is not a folder")
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError(f"{NAME}: labels must be 'inferred', None, or a list of integer labels (one per image "
                         f"file, in sorted path order), got {labels!r}")
    if label_mode not in LABEL_MODES:
        raise ValueError(f"{NAME}: label_mode must be one of 'int', 'categorical', 'binary' or None, "
                         f"got {label_mode!r}")
    check_batch_size(batch_size, NAME)
    check_validation_split(validation_split, subset, shuffle, seed, NAME)
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode
