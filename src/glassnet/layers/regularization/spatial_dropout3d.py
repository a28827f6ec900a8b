"""SpatialDropout3D: drop whole feature maps of volumes."""

from glassnet.layers.channels_first import standardize_data_format
from glassnet.layers.regularization.base_spatial_dropout import BaseSpatialDropout


class SpatialDropout3D(BaseSpatialDropout):
    """Dropout on (batch, d, h, w, channels) (or channels first) that zeros a channel's whole volume at once.

    The mask has shape (batch, 1, 1, 1, channels) (or (batch, channels, 1, 1, 1)). Training only;
    scaled by 1 / (1 - rate) (inverted dropout).
    """

    rank = 5

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = standardize_data_format(self, data_format)

    def _noise_shape(self, shape):
        if self.data_format == "channels_first":
            return (shape[0], shape[1], 1, 1, 1)
        return super()._noise_shape(shape)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
