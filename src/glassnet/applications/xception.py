"""Xception: Inception's idea taken to the extreme, with depthwise separable convolutions and residuals.

Chollet, "Xception: Deep Learning with Depthwise Separable Convolutions"
(CVPR 2017, https://arxiv.org/abs/1610.02357). Every 3x3 convolution is
separable: a depthwise convolution (space, one filter per channel) then a
1x1 pointwise one (channels), far fewer weights than a full convolution.
An entry flow of three downsampling blocks, a middle flow of eight
728-channel blocks, and an exit flow, all with residual connections (a
strided 1x1 convolution where the shape changes). Default input 299x299, at
least 71x71; ``tf`` preprocessing.
"""

from glassnet import backend, layers
from glassnet.applications import imagenet_utils
from glassnet.applications.common import (
    channel_axis,
    image_input,
    is_weights_argument,
    load_weights,
    model_inputs,
    pool,
    predictions,
)
from glassnet.models.functional import Functional

WEIGHTS_MD5 = ("0a58e3b7378bc2990ea3b43d5981f1f6", "b0042744bf5b25fce3cb969f33bebb97")  # Keras publishes MD5s only


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="xception"):
    """Xception, with ``weights`` None, ``"imagenet"`` or a file's path."""
    if not is_weights_argument(weights):
        raise ValueError("The `weights` argument should be either `None` (random initialization), 'imagenet' "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded.")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  "
                         f"Received classes={classes}")
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=299, min_size=71, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = image_input(input_tensor, input_shape)
    x = entry_flow(img_input)
    for index in range(5, 13):
        x = middle_block(x, f"block{index}")
    x = exit_flow(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = predictions(x, classes, classifier_activation, weights)
    else:
        x = pool(x, pooling)
    model = Functional(model_inputs(input_tensor, img_input), x, name=name)
    suffix = "" if include_top else "_notop"
    return load_weights(model, weights, "xception", f"xception_weights_tf_dim_ordering_tf_kernels{suffix}.h5",
                        WEIGHTS_MD5[0 if include_top else 1])


def conv_bn(x, filters, name, strides=(1, 1)):
    """A valid 3x3 convolution without bias, batch normalization and ReLU."""
    x = layers.Conv2D(filters, (3, 3), strides=strides, use_bias=False, name=name)(x)
    x = layers.BatchNormalization(axis=channel_axis(), name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_act")(x)


def separable_bn(x, filters, name):
    """A same-padded 3x3 separable convolution without bias, then batch normalization."""
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=channel_axis(), name=f"{name}_bn")(x)


def projection(x, filters):
    """The residual branch of a downsampling block: a strided 1x1 convolution and batch normalization (unnamed)."""
    residual = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    return layers.BatchNormalization(axis=channel_axis())(residual)


def downsampling_block(x, filters, name, relu_first=True):
    """Two separable convolutions and a stride-2 max pooling, added to a 1x1 projection of ``x``."""
    first, second = filters if isinstance(filters, tuple) else (filters, filters)
    residual = projection(x, second)
    if relu_first:
        x = layers.Activation("relu", name=f"{name}_sepconv1_act")(x)
    x = separable_bn(x, first, f"{name}_sepconv1")
    x = layers.Activation("relu", name=f"{name}_sepconv2_act")(x)
    x = separable_bn(x, second, f"{name}_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"{name}_pool")(x)
    return layers.add([x, residual])


def entry_flow(x):
    """Two plain convolutions, then three downsampling blocks to 728 channels."""
    x = conv_bn(x, 32, "block1_conv1", strides=(2, 2))
    x = conv_bn(x, 64, "block1_conv2")
    x = downsampling_block(x, 128, "block2", relu_first=False)
    x = downsampling_block(x, 256, "block3")
    return downsampling_block(x, 728, "block4")


def middle_block(x, name):
    """Three ReLU + separable convolution steps of 728 channels, added to ``x``."""
    residual = x
    for index in (1, 2, 3):
        x = layers.Activation("relu", name=f"{name}_sepconv{index}_act")(x)
        x = separable_bn(x, 728, f"{name}_sepconv{index}")
    return layers.add([x, residual])


def exit_flow(x):
    """A last downsampling block (728 -> 1024 channels), then separable convolutions to 1536 and 2048."""
    x = downsampling_block(x, (728, 1024), "block13")
    x = separable_bn(x, 1536, "block14_sepconv1")
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = separable_bn(x, 2048, "block14_sepconv2")
    return layers.Activation("relu", name="block14_sepconv2_act")(x)


def preprocess_input(x, data_format=None):
    """Pixels scaled to [-1, 1] (``tf`` mode), as Xception's weights expect."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: ``(class_id, name, score)`` tuples."""
    return imagenet_utils.decode_predictions(preds, top=top)
