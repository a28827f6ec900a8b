"""SpatialDropout1D: drop whole feature channels of sequences."""

from glassnet.layers.regularization.base_spatial_dropout import BaseSpatialDropout


class SpatialDropout1D(BaseSpatialDropout):
    """Dropout on (batch, steps, channels) that zeros a channel at every step at once.

    Neighbouring steps of a feature map are strongly correlated, so dropping
    single values regularises little; dropping the whole channel does.
    Training only; scaled by 1 / (1 - rate) (inverted dropout).
    """

    rank = 3

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
