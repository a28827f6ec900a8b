"""Resizing: scale every image of a batch to (height, width)."""

import numbers

import numpy as np

from glassnet import ops
from glassnet.autodiff.tensor import Tensor
from glassnet.layers.layer import Layer
from glassnet.layers.preprocessing import image_sizing
from glassnet.layers.reshaping._arguments import check_data_format


class Resizing(Layer):
    """Resize NHWC images (or one HWC image) to (height, width), in training and at inference.

    ``interpolation`` "bilinear" (default) or "nearest", with half-pixel
    centres as Keras. ``crop_to_aspect_ratio=True`` first crops the largest
    centred window of the target aspect ratio (no distortion);
    ``pad_to_aspect_ratio=True`` instead pads to it with ``fill_value``.
    Float images give float outputs, differentiable with respect to the
    input; integer images come back rounded in their own dtype, as in Keras.
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False, data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.height, self.width = image_sizing.check_size(self, height, width)
        if interpolation not in image_sizing.INTERPOLATIONS:
            raise ValueError(f"Resizing '{self.name}': `interpolation` must be one of "
                             f"{image_sizing.INTERPOLATIONS}, got interpolation={interpolation!r}")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(f"Resizing '{self.name}': only one of `crop_to_aspect_ratio` and "
                             "`pad_to_aspect_ratio` can be True")
        if fill_mode != "constant":
            raise ValueError(f"Resizing '{self.name}': `fill_mode` must be 'constant', got fill_mode={fill_mode!r}")
        if isinstance(fill_value, bool) or not isinstance(fill_value, numbers.Real):
            raise ValueError(f"Resizing '{self.name}': `fill_value` must be a number, got fill_value={fill_value!r}")
        if antialias:
            raise ValueError(f"Resizing '{self.name}': antialias=True is not supported")
        self.interpolation = interpolation
        self.crop_to_aspect_ratio, self.pad_to_aspect_ratio = bool(crop_to_aspect_ratio), bool(pad_to_aspect_ratio)
        self.fill_mode, self.fill_value, self.antialias = fill_mode, float(fill_value), False
        self.data_format = check_data_format(self, data_format)

    def call(self, inputs):
        integer_dtype = None if inputs.dtype.kind == "f" else inputs.dtype
        images, single = image_sizing.as_batch(self, inputs)
        if self.crop_to_aspect_ratio:
            images = image_sizing.smart_resize(images, self.height, self.width, self.interpolation)
        else:
            if self.pad_to_aspect_ratio:
                images = image_sizing.pad_to_aspect(images, self.height, self.width, self.fill_value)
            images = image_sizing.resize(images, self.height, self.width, self.interpolation)
        if single:
            images = ops.squeeze(images, axis=0)
        if integer_dtype is not None:  # round and saturate back into the input's integer type
            limits = np.iinfo(integer_dtype)
            images = Tensor(np.clip(np.round(images.data), limits.min, limits.max).astype(integer_dtype))
        return images

    def _output_dtype(self, inputs):
        dtype = str(getattr(inputs, "dtype", self.dtype))
        return dtype if np.dtype(dtype).kind in "iu" else self.dtype

    def compute_output_shape(self, input_shape):
        return image_sizing.output_shape(input_shape, self.height, self.width)

    def get_config(self):
        config = super().get_config()
        config.update({
            "height": self.height, "width": self.width, "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio, "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode, "fill_value": self.fill_value, "antialias": self.antialias,
            "data_format": self.data_format,
        })
        return config
