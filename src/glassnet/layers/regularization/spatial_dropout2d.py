"""SpatialDropout2D: drop whole feature maps of images."""

from glassnet.layers.regularization.base_spatial_dropout import BaseSpatialDropout
from glassnet.layers.reshaping._arguments import check_data_format


class SpatialDropout2D(BaseSpatialDropout):
    """Dropout on (batch, h, w, channels) that zeros a channel's whole feature map at once.

    The mask has shape (batch, 1, 1, channels). Training only; scaled by
    1 / (1 - rate) (inverted dropout).
    """

    rank = 4

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = check_data_format(self, data_format)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
