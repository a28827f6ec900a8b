"""RandomCrop: a random (height, width) window in training, the centred one at inference."""

import numbers

from glassnet import ops
from glassnet.layers.layer import Layer
from glassnet.layers.preprocessing import image_sizing
from glassnet.layers.reshaping._arguments import check_data_format
from glassnet.random import SeedGenerator


class RandomCrop(Layer):
    """In training, cut a (height, width) window at a random position (one position per batch, as Keras).

    At inference (and in training when the images are not larger than the
    target in both directions) the largest centred window of the target
    aspect ratio is cropped and resized (bilinear) to (height, width), as
    Keras documents, so the output shape is always (height, width).
    Randomness comes from ``SeedGenerator(seed)``: ``set_random_seed``
    governs it when ``seed`` is None.
    """

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.height, self.width = image_sizing.check_size(self, height, width)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
            raise ValueError(f"RandomCrop '{self.name}': `seed` must be a non-negative integer or None, "
                             f"got seed={seed!r}")
        self.seed = seed
        self.data_format = check_data_format(self, data_format)
        self._seed_generator = SeedGenerator(seed)

    def call(self, inputs, training=None):
        images, single = image_sizing.as_batch(self, inputs)
        in_h, in_w = images.shape[1], images.shape[2]
        if training and in_h > self.height and in_w > self.width:
            generator = self._seed_generator.generator
            top = int(generator.integers(0, in_h - self.height + 1))
            left = int(generator.integers(0, in_w - self.width + 1))
            images = image_sizing.crop(images, top, left, self.height, self.width)
        else:
            images = image_sizing.smart_resize(images, self.height, self.width)
        return ops.squeeze(images, axis=0) if single else images

    def compute_output_shape(self, input_shape):
        return image_sizing.output_shape(input_shape, self.height, self.width)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "seed": self.seed,
                       "data_format": self.data_format})
        return config
