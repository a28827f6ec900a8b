"""``data_format="channels_first"`` for layers computed on channels-last arrays.

glassnet's window ops are channels last (N, *spatial, C). A layer that also
takes (N, C, *spatial) inputs mixes in ``ChannelsFirst`` before its
channels-last base: inputs are transposed to channels last, the base computes,
and outputs are transposed back. Weights are the same in both formats (as in Keras).
"""

from glassnet import config, ops
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.layer import Layer

DATA_FORMATS = ("channels_last", "channels_first")


def standardize_data_format(layer, data_format):
    """None -> the configured image data format; anything but the two formats is an error naming ``layer``."""
    value = config.image_data_format() if data_format is None else str(data_format).lower()
    if value not in DATA_FORMATS:
        raise ValueError(f"{type(layer).__name__} '{layer.name}': data_format must be 'channels_last' or "
                         f"'channels_first', got data_format={data_format!r}")
    return value


def last_shape(shape, data_format):
    """(N, C, *spatial) -> (N, *spatial, C) for channels_first; unchanged otherwise."""
    shape = tuple(shape)
    if data_format != "channels_first":
        return shape
    return (shape[0],) + shape[2:] + (shape[1],)


def first_shape(shape, data_format):
    """(N, *spatial, C) -> (N, C, *spatial) for channels_first; unchanged otherwise."""
    shape = tuple(shape)
    if data_format != "channels_first":
        return shape
    return (shape[0], shape[-1]) + shape[1:-1]


def to_channels_last(x, data_format):
    if data_format != "channels_first":
        return x
    return ops.transpose(x, (0, *range(2, len(x.shape)), 1))


def to_channels_first(x, data_format):
    if data_format != "channels_first":
        return x
    ndim = len(x.shape)
    return ops.transpose(x, (0, ndim - 1, *range(1, ndim - 1)))


class ChannelsFirst:
    """Mixin: the channels-last base layer's build, shapes and call, transposed for channels_first.

    The layer computes in ``call_channels_last``; its channels-last output shape is
    ``output_shape_channels_last`` (by default the base's ``compute_output_shape``).
    """

    def build(self, input_shape):
        super().build(last_shape(input_shape, self.data_format))
        spec = getattr(self, "input_spec", None)
        if self.data_format == "channels_first" and isinstance(spec, InputSpec) and spec.axes:
            self.input_spec = InputSpec(ndim=spec.ndim, axes={1: input_shape[1]})

    def _check_inputs(self, spec, inputs):
        """The input spec, then the shape rules of the base (on the channels-last shape)."""
        Layer._check_inputs(self, spec, inputs)
        self.compute_output_shape(tuple(inputs.shape))

    def compute_output_shape(self, input_shape):
        shape = self.output_shape_channels_last(last_shape(input_shape, self.data_format))
        return first_shape(shape, self.data_format)

    def output_shape_channels_last(self, input_shape):
        return super().compute_output_shape(input_shape)

    def call(self, inputs):
        outputs = self.call_channels_last(to_channels_last(inputs, self.data_format))
        return to_channels_first(outputs, self.data_format)

    def call_channels_last(self, inputs):
        return super().call(inputs)
