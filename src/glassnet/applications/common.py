"""The steps every application model takes around its own layers.

    check_weights_argument(weights, include_top, classes)
    img_input = image_input(input_tensor, input_shape)
    x = ...the architecture's layers...
    x = top(x, include_top, pooling, classes, classifier_activation, weights)
    model = Functional(model_inputs(input_tensor, img_input), x, name=name)
    load_weights(model, weights, file_name, md5)
"""

import os

from glassnet import backend, layers
from glassnet.applications.imagenet_utils import validate_activation
from glassnet.applications.weights import KERAS_APPLICATIONS, weights_file


def is_weights_argument(weights):
    """``None``, ``"imagenet"`` or the path of an existing file."""
    return weights is None or weights == "imagenet" or (isinstance(weights, (str, os.PathLike))
                                                        and os.path.exists(weights))


def check_weights_argument(weights, include_top, classes):
    """Keras' two checks: a known ``weights`` value, and 1000 classes for ImageNet's classifier."""
    if not is_weights_argument(weights):
        raise ValueError("The `weights` argument should be either `None` (random initialization), 'imagenet' "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded.  Received: "
                         f"weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  "
                         f"Received classes={classes}")


def channel_axis():
    return 1 if backend.image_data_format() == "channels_first" else -1


def image_input(input_tensor, input_shape):
    """The model's image input: a new ``Input`` of ``input_shape``, or the given ``input_tensor``."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not backend.is_keras_tensor(input_tensor):
        return layers.Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def source_inputs(tensor):
    """The ``Input`` tensors that ``tensor`` was computed from (``keras.utils.get_source_inputs``)."""
    layer, node_index, _ = tensor._keras_history
    node = layer._inbound_nodes[node_index]
    if node.is_input:
        return [tensor]
    found = []
    for parent in node.input_tensors:
        for source in source_inputs(parent):
            if not any(source is known for known in found):
                found.append(source)
    return found


def model_inputs(input_tensor, img_input):
    """The model's inputs: ``img_input``, or what ``input_tensor`` was computed from (it may follow other layers)."""
    if input_tensor is None:
        return img_input
    sources = source_inputs(input_tensor)
    return sources[0] if len(sources) == 1 else sources


def pool(x, pooling, avg_name=None, max_name=None):
    """``pooling="avg"`` or ``"max"``: a global pooling of the last feature maps; ``None``: the maps as they are."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def predictions(x, classes, classifier_activation, weights):
    """The classifier: ``Dense(classes)`` named ``predictions``."""
    validate_activation(classifier_activation, weights)
    return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)


def load_weights(model, weights, folder=None, file_name=None, md5=None):
    """Load ``"imagenet"`` (the published ``folder/file_name``) or a weights file's path into ``model``.

    The published files are Keras' legacy HDF5 weights; ``Model.load_weights``
    matches them to the layers in order, as Keras does.
    """
    if weights == "imagenet":
        model.load_weights(weights_file(file_name, f"{KERAS_APPLICATIONS}{folder}/{file_name}", md5=md5))
    elif weights is not None:
        model.load_weights(weights)
    return model
