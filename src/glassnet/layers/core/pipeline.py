"""Pipeline: layers applied one after the other, as one plain layer (preprocessing, augmentation)."""

from glassnet.layers.layer import Layer, _call_accepts, mask_of


class Pipeline(Layer):
    """``Pipeline([RandomFlip(), RandomRotation(0.2)])``: y = layers[-1](...layers[1](layers[0](x))).

    Unlike ``Sequential`` it is not a Model, only a layer: no compile, no fit,
    no Input. Each layer gets the ``training`` flag (the default is True, as
    in Keras, so augmentation runs when the pipeline is mapped over data) and
    the mask the previous layer's output carries.
    """

    def __init__(self, layers, name=None):
        layers = list(layers) if isinstance(layers, (list, tuple)) else layers
        if not isinstance(layers, list) or not all(isinstance(layer, Layer) for layer in layers):
            raise ValueError(f"Pipeline expects a list of keras.layers.Layer instances, got {layers!r}")
        super().__init__(name=name)
        self._pipeline_layers = layers
        self.layers = layers  # an attribute, not a property: weights are saved under "layers/", as Keras does

    def build(self, input_shape=None):
        for layer in self._pipeline_layers:
            layer._maybe_build(input_shape)
            input_shape = layer.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs, training=True, mask=None):
        outputs = inputs
        for layer in self._pipeline_layers:
            accepts_training, accepts_mask = _call_accepts(type(layer))
            kwargs = {}
            if accepts_mask:
                kwargs["mask"] = mask
            if accepts_training and training is not None:
                kwargs["training"] = training
            outputs = layer(inputs, **kwargs)
            inputs = outputs
            mask = mask_of(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        for layer in self._pipeline_layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def get_config(self):
        from glassnet.saving.serialization_lib import serialize_keras_object

        return {"layers": [serialize_keras_object(layer) for layer in self._pipeline_layers], "name": self.name}

    @classmethod
    def from_config(cls, config):
        from glassnet.saving.serialization_lib import deserialize_keras_object

        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError(f"Pipeline's config must map 'layers' to a list of serialized layers, got {layers!r}")
        config = {**config, "layers": [deserialize_keras_object(x) if isinstance(x, dict) else x for x in layers]}
        return cls(**config)
