"""CenterCrop: the centred (height, width) window of every image."""

from glassnet import ops
from glassnet.layers.layer import Layer
from glassnet.layers.preprocessing import image_sizing
from glassnet.layers.reshaping._arguments import check_data_format


class CenterCrop(Layer):
    """Cut the centred (height, width) window out of NHWC images (or one HWC image).

    The window starts at ((H - height) // 2, (W - width) // 2). An image
    smaller than the target in either direction is instead cropped to the
    target's aspect ratio and resized (bilinear) to it, as Keras does.
    Outputs are floats; the gradient reaches the input pixels that were kept.
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height, self.width = image_sizing.check_size(self, height, width)
        self.data_format = check_data_format(self, data_format)

    def call(self, inputs):
        images, single = image_sizing.as_batch(self, inputs)
        in_h, in_w = images.shape[1], images.shape[2]
        if in_h >= self.height and in_w >= self.width:
            images = image_sizing.crop(images, (in_h - self.height) // 2, (in_w - self.width) // 2, self.height,
                                       self.width)
        else:
            images = image_sizing.smart_resize(images, self.height, self.width)
        return ops.squeeze(images, axis=0) if single else images

    def compute_output_shape(self, input_shape):
        return image_sizing.output_shape(input_shape, self.height, self.width)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "data_format": self.data_format})
        return config
