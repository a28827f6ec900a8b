"""RandomFlip: mirror images left-right and/or top-bottom at random in training."""

from glassnet import ops
from glassnet.layers.preprocessing.base_image_augmentation import BaseImageAugmentationLayer

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"
_MODES = (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL)


class RandomFlip(BaseImageAugmentationLayer):
    """In training, flip each image left-right ("horizontal") and/or top-bottom ("vertical"), each with
    probability 1/2.

    With ``mode="horizontal_and_vertical"`` the two flips are drawn
    independently, so an image is left alone, mirrored, flipped upside down
    or turned 180 degrees, each with probability 1/4 (as in Keras 2; Keras 3
    uses one draw for both axes, so it only ever turns images 180 degrees).
    Identity at inference. A flip only moves values, so gradients pass
    through to the input.
    """

    def __init__(self, mode=HORIZONTAL_AND_VERTICAL, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in _MODES:
            raise ValueError(f"RandomFlip '{self.name}': `mode` must be one of {_MODES}, got mode={mode!r}")
        self.mode = mode

    def augment(self, images):
        batch = images.shape[0]
        generator = self.generator
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            flips = generator.random((batch, 1, 1, 1)) < 0.5
            images = ops.where(flips, ops.get_item(images, (slice(None), slice(None), slice(None, None, -1))),
                               images)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            flips = generator.random((batch, 1, 1, 1)) < 0.5
            images = ops.where(flips, ops.get_item(images, (slice(None), slice(None, None, -1))), images)
        return images

    def get_config(self):
        config = super().get_config()
        config["mode"] = self.mode
        return config
