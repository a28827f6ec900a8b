"""The shared part of the random image augmentation layers (RandomFlip, RandomRotation, ...).

An augmentation layer changes images only in training (``fit`` calls it with
``training=True``); with ``training`` False or None — ``predict``,
``evaluate``, or a plain call — it returns its input, as a float tensor.
(Keras 3 augments on a plain call, whose ``training`` defaults to True for
these layers; glassnet keeps one rule for every training-only layer, as
Dropout.) Inputs are a batch (batch, height, width, channels) or a single image
(height, width, channels); each image of a batch gets its own random draw.
Randomness comes from ``glassnet.random.SeedGenerator(seed)``: with
``seed=None`` from the global generator, so ``glassnet.utils.
set_random_seed(s)`` repeats a run; with an integer seed from the layer's
own generator, so two layers made with the same seed make the same draws.
"""

import numbers

from glassnet.autodiff.tensor import Tensor
from glassnet.layers.layer import Layer
from glassnet.layers.reshaping._arguments import check_data_format
from glassnet.ops import image as image_ops
from glassnet.random import SeedGenerator


class BaseImageAugmentationLayer(Layer):
    """Training-only, per-image random transforms of NHWC images. Subclasses implement ``augment``."""

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise ValueError(f"{self._who()}: `seed` must be an integer or None, got seed={seed!r}")
        self.seed = seed
        self.data_format = check_data_format(self, data_format)
        self._seed_generator = SeedGenerator(seed)

    def _who(self):
        return f"{type(self).__name__} '{self.name}'"

    @property
    def generator(self):
        """The ``numpy.random.Generator`` to draw this call's random parameters from."""
        return self._seed_generator.generator

    def call(self, inputs, training=None):
        rank = inputs.ndim
        if rank not in (3, 4):
            raise ValueError(f"{self._who()} expects images of shape (batch, height, width, channels) or a single "
                             f"image (height, width, channels), got shape {tuple(inputs.shape)}")
        if inputs.dtype.kind != "f":  # integer pixels become floats (Keras outputs the compute dtype)
            inputs = Tensor(inputs.data.astype(self.dtype))
        if not training:
            return inputs
        if rank == 3:
            from glassnet import ops

            return ops.squeeze(self.augment(ops.expand_dims(inputs, 0)), axis=0)
        return self.augment(inputs)

    def augment(self, images):
        """Transform a (batch, height, width, channels) Tensor with this call's random draws."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"seed": self.seed, "data_format": self.data_format})
        return config


class BaseAffineAugmentationLayer(BaseImageAugmentationLayer):
    """Augmentations that resample images through an affine map (rotation, translation, zoom).

    The new pixels are computed from the old ones with ``glassnet.ops.image.
    affine_transform`` on the arrays, so the output is data, not a step of
    the graph: gradients do not flow back through it to the input (Keras'
    preprocessing layers are not meant to be differentiated either). Put
    these layers first in a model, where the input is data.
    """

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if fill_mode not in image_ops.FILL_MODES:
            raise ValueError(f"{self._who()}: `fill_mode` must be one of {image_ops.FILL_MODES}, "
                             f"got fill_mode={fill_mode!r}")
        if interpolation not in image_ops.INTERPOLATIONS:
            raise ValueError(f"{self._who()}: `interpolation` must be one of {image_ops.INTERPOLATIONS}, "
                             f"got interpolation={interpolation!r}")
        if isinstance(fill_value, bool) or not isinstance(fill_value, numbers.Real):
            raise ValueError(f"{self._who()}: `fill_value` must be a number, got fill_value={fill_value!r}")
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = float(fill_value)

    def transforms(self, batch, height, width):
        """An (batch, 8) array of affine transforms, one random draw per image."""
        raise NotImplementedError

    def augment(self, images):
        batch, height, width, _ = images.shape
        transforms = self.transforms(batch, height, width)
        return Tensor(image_ops.affine_transform(images.data, transforms, self.interpolation, self.fill_mode,
                                                 self.fill_value))

    def get_config(self):
        config = super().get_config()
        config.update({"fill_mode": self.fill_mode, "interpolation": self.interpolation,
                       "fill_value": self.fill_value})
        return config


def parse_factor(layer, factor, name, low=-1.0, high=1.0, low_inclusive=True):
    """Keras' factor forms: a number f -> (-|f|, |f|); a pair (a, b) -> sorted. Bounds are checked."""
    def ok(value):
        return (isinstance(value, numbers.Real) and not isinstance(value, bool) and value <= high
                and (value >= low if low_inclusive else value > low))

    bracket = "[" if low_inclusive else "("
    message = (f"{layer._who()}: `{name}` must be a number or a pair of numbers in {bracket}{low}, {high}], "
               f"got {name}={factor!r}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(ok(f) for f in factor):
            raise ValueError(message)
        lower, upper = sorted(float(f) for f in factor)
        return lower, upper
    if not ok(factor):
        raise ValueError(message)
    return -abs(float(factor)), abs(float(factor))


def plain_factor(factor):
    """A factor as written in a config: numbers stay numbers, pairs become lists."""
    return list(factor) if isinstance(factor, (tuple, list)) else factor
