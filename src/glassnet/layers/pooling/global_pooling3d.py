"""GlobalAveragePooling3D and GlobalMaxPooling3D: one value per channel of each volume."""

from glassnet import ops
from glassnet.layers.channels_first import standardize_data_format
from glassnet.layers.pooling.global_pooling import _GlobalPooling


class _GlobalPooling3D(_GlobalPooling):
    """Reduce the three spatial axes: (N, D, H, W, C) -> (N, C), or (N, C, D, H, W) -> (N, C) channels first."""

    rank = 3

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=None, keepdims=keepdims, **kwargs)
        self.data_format = standardize_data_format(self, data_format)

    def _spatial_axes(self):
        return (2, 3, 4) if self.data_format == "channels_first" else (1, 2, 3)

    def call(self, inputs):
        return type(self).reduce(inputs, axis=self._spatial_axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        channels_axis = 1 if self.data_format == "channels_first" else -1
        if not self.keepdims:
            return (input_shape[0], input_shape[channels_axis])
        kept = [1 if axis in self._spatial_axes() else size for axis, size in enumerate(input_shape)]
        return tuple(kept)


class GlobalAveragePooling3D(_GlobalPooling3D):
    """Mean over depth, height and width."""

    reduce = staticmethod(ops.mean)


class GlobalMaxPooling3D(_GlobalPooling3D):
    """Maximum over depth, height and width."""

    reduce = staticmethod(ops.max)

GlobalAvgPool3D, GlobalMaxPool3D = GlobalAveragePooling3D, GlobalMaxPooling3D
