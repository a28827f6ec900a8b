"""Wrapper: the base class of layers that take another layer and change how it is applied."""

from glassnet.layers.layer import Layer


class Wrapper(Layer):
    """Base class of wrappers (``keras.layers.Wrapper``): ``TimeDistributed``, ``SpectralNormalization``.

    It holds the wrapped layer as ``self.layer``, builds it on the wrapper's
    input shape, and writes it into the config under ``"layer"`` (Keras'
    key), so a subclass only writes ``call``. Not a usable layer on its own.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"{type(self).__name__} expects a keras.layers.Layer instance to wrap, got {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer._maybe_build(input_shape)
        self.built = True

    def get_config(self):
        from glassnet.saving.serialization_lib import serialize_keras_object

        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from glassnet.saving.serialization_lib import deserialize_keras_object

        config = dict(config)
        if "layer" not in config:
            raise ValueError(f"{cls.__name__}: the config must hold the wrapped layer under 'layer', "
                             f"got keys {sorted(config)}")
        layer = config.pop("layer")
        if isinstance(layer, dict):
            layer = deserialize_keras_object(layer, custom_objects=custom_objects)
        return cls(layer, **config)
