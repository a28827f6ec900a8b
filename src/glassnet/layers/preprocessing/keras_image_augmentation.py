"""The shared part of the Keras 3 image augmentation layers that work on pixel values (RandomBrightness,
RandomHue, Solarization, ...) or draw one decision per image (RandomGaussianBlur, RandomPerspective, ...).

As every glassnet augmentation (``base_image_augmentation``), they change images only with
``training=True`` and return their input, as floats, otherwise. ``augment`` receives channels-last
float arrays (a batch) whatever the layer's ``data_format``; the result is data, not a step of the
graph (Keras' preprocessing layers are not differentiated either). ``value_range`` is the (low, high)
range of the incoming pixel values; results are clipped to it where Keras clips.

``keras_factor`` reads a ``factor`` argument as Keras 3 does: a number f gives (max(-f, low), f) for
the layer's bounds (low, high); a pair is sorted.
"""

import numbers

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.layers.preprocessing.base_image_augmentation import BaseImageAugmentationLayer


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def keras_factor(layer, factor, bounds=(-1.0, 1.0), name="factor"):
    """(lower, upper) from a number or a pair, checked against ``bounds`` as Keras checks them."""
    low, high = bounds
    message = (f"{layer._who()}: `{name}` must be a number or a pair of numbers in [{low}, {high}], "
               f"got {name}={factor!r}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(_is_number(f) for f in factor) or factor[0] > high or factor[1] < low:
            raise ValueError(message)
        lower, upper = sorted(factor)
        return lower, upper
    if not _is_number(factor) or not low <= factor <= high:
        raise ValueError(message)
    return max(-abs(factor), low), abs(factor)


def check_value_range(layer, value_range):
    if (not isinstance(value_range, (tuple, list)) or len(value_range) != 2
            or not all(_is_number(v) for v in value_range)):
        raise ValueError(f"{layer._who()}: `value_range` must be a pair (low, high) of numbers, "
                         f"got value_range={value_range!r}")
    return value_range


def rescale(images, source, target):
    """Map values linearly from the range ``source`` to ``target`` (both (low, high))."""
    scale = (target[1] - target[0]) / (source[1] - source[0])
    return (images - source[0]) * scale + target[0]


def plain(value):
    """Tuples as lists, for configs."""
    return list(value) if isinstance(value, tuple) else value


class KerasImageAugmentation(BaseImageAugmentationLayer):
    """Subclasses implement ``transform(images)`` on a channels-last float32 batch (a NumPy array)."""

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        from glassnet import config

        data_format = data_format or config.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"{self._who()}: `data_format` must be 'channels_last' or 'channels_first', "
                             f"got data_format={data_format!r}")
        self.data_format = data_format

    def augment(self, images):
        array = images.data
        if self.data_format == "channels_first":
            array = array.transpose(0, 2, 3, 1)
        out = np.asarray(self.transform(np.ascontiguousarray(array)), dtype=images.data.dtype)
        if self.data_format == "channels_first":
            out = out.transpose(0, 3, 1, 2)
        return Tensor(np.ascontiguousarray(out))

    def transform(self, images):
        raise NotImplementedError

    def apply_some(self, images, transformed, probability_range):
        """``transformed`` for the images whose uniform draw falls below a probability drawn from
        ``probability_range``, ``images`` for the others (Keras' per-image "apply" decision)."""
        batch = images.shape[0]
        probability = self.generator.uniform(probability_range[0], probability_range[1], size=batch)
        chosen = self.generator.uniform(size=batch) < probability
        return np.where(chosen[:, None, None, None], transformed, images)


class ValueRangeAugmentation(KerasImageAugmentation):
    """An augmentation of pixel values in ``value_range``."""

    def __init__(self, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = check_value_range(self, value_range)

    def clip(self, images):
        return np.clip(images, min(self.value_range), max(self.value_range))

    def get_config(self):
        config = super().get_config()
        config["value_range"] = plain(self.value_range)
        return config


class FactorAugmentation(ValueRangeAugmentation):
    """A value augmentation with a Keras ``factor`` in ``FACTOR_BOUNDS``, kept in the config as (lower, upper)."""

    FACTOR_BOUNDS = (-1.0, 1.0)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, data_format=data_format, **kwargs)
        self.factor = keras_factor(self, factor, self.FACTOR_BOUNDS)

    def draw_factor(self, batch):
        return self.generator.uniform(self.factor[0], self.factor[1], size=batch)

    def get_config(self):
        config = super().get_config()
        config["factor"] = list(self.factor)
        return config
