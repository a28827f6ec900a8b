"""RandomContrast: stretch or squeeze each image's values about its mean, at random, in training."""

import numbers

from glassnet import ops
from glassnet.layers.preprocessing.base_image_augmentation import BaseImageAugmentationLayer, plain_factor


class RandomContrast(BaseImageAugmentationLayer):
    """In training, y = clip((x - mean) * c + mean, *value_range) per image and channel.

    ``mean`` is the mean of the channel over the image's height and width;
    ``c`` is drawn uniformly from [1 - lower, 1 + upper] once per image,
    where ``factor`` is a number f (lower = upper = f) or a pair
    (lower, upper), each in [0, 1] (sorted, as Keras does). ``value_range`` (default (0, 255)) is the
    range the images' values live in; outputs are clipped to it. Identity at
    inference. Differentiable with respect to the input (except where the
    clip is active).

    Keras 3's code turns a single number f into the range [1, 1 + f] (it can
    only raise contrast), although its documentation says [1 - f, 1 + f];
    glassnet follows the documentation (and Keras 2). Pairs behave alike.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        message = (f"RandomContrast '{self.name}': `factor` must be a number or a pair of numbers in [0, 1], "
                   f"got factor={factor!r}")

        def ok(value):
            return isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 <= value <= 1

        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or not all(ok(f) for f in factor):
                raise ValueError(message)
            self._lower, self._upper = sorted(float(f) for f in factor)
        elif ok(factor):
            self._lower = self._upper = float(factor)
        else:
            raise ValueError(message)
        if (not isinstance(value_range, (tuple, list)) or len(value_range) != 2
                or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value_range)
                or not value_range[0] < value_range[1]):
            raise ValueError(f"RandomContrast '{self.name}': `value_range` must be a pair (low, high) with "
                             f"low < high, got value_range={value_range!r}")
        self.factor = factor
        self.value_range = (float(value_range[0]), float(value_range[1]))

    def augment(self, images):
        batch = images.shape[0]
        contrast = self.generator.uniform(1.0 - self._lower, 1.0 + self._upper, size=(batch, 1, 1, 1))
        contrast = contrast.astype(images.dtype)
        mean = ops.mean(images, axis=(1, 2), keepdims=True)
        adjusted = ops.add(ops.multiply(ops.subtract(images, mean), contrast), mean)
        return ops.clip(adjusted, self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": plain_factor(self.factor), "value_range": list(self.value_range)})
        return config
