"""MobileNet: a plain stack of depthwise separable convolutions, for phones.

Howard et al., "MobileNets: Efficient Convolutional Neural Networks for
Mobile Vision Applications" (2017, https://arxiv.org/abs/1704.04861). Each
block is a 3x3 depthwise convolution (one filter per channel) then a 1x1
pointwise convolution that mixes channels, each with batch normalization and
ReLU6: about 8-9x fewer multiplications than full 3x3 convolutions. ``alpha``
scales every layer's width, ``depth_multiplier`` the depthwise outputs. The
classifier is a 1x1 convolution on the pooled features. Default input
224x224 (weights exist for 128, 160, 192, 224), at least 32x32; ``tf``
preprocessing.
"""

import warnings

from glassnet import backend, layers
from glassnet.applications import imagenet_utils
from glassnet.applications.common import (
    channel_axis,
    image_input,
    is_weights_argument,
    load_weights,
    model_inputs,
    pool,
)
from glassnet.models.functional import Functional

WEIGHT_SIZES = (128, 160, 192, 224)
ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.50: "5_0", 0.25: "2_5"}
# (pointwise filters, strides) of blocks 1..13
BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1),
          (512, 1), (1024, 2), (1024, 1))


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True, weights="imagenet",
              input_tensor=None, pooling=None, classes=1000, classifier_activation="softmax", name=None):
    """MobileNet of width ``alpha``, with ``weights`` None, ``"imagenet"`` or a file's path.

    ``input_shape`` comes first, as in Keras; ``name`` defaults to ``mobilenet_{alpha:.2f}_{rows}``.
    """
    _check_arguments(weights, include_top, classes)
    channels_last = backend.image_data_format() == "channels_last"
    default_size = 224
    if input_shape is not None:
        rows, cols = input_shape[:2] if channels_last else input_shape[1:]
        default_size = rows if rows == cols and rows in WEIGHT_SIZES else 224
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    rows, cols = input_shape[:2] if channels_last else input_shape[1:]
    if weights == "imagenet":
        rows = _imagenet_rows(alpha, depth_multiplier, rows, cols)
    img_input = image_input(input_tensor, input_shape)
    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier, strides=(stride, stride), block_id=block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = pool(x, pooling)
    model = Functional(model_inputs(input_tensor, img_input), x, name=name or f"mobilenet_{alpha:0.2f}_{rows}")
    top = "" if include_top else "_no_top"
    file_name = f"mobilenet_{ALPHA_TEXT.get(alpha, '2_5')}_{rows}_tf{top}.h5"
    return load_weights(model, weights, "mobilenet", file_name, md5=None)  # Keras publishes no hash for these


def _check_arguments(weights, include_top, classes):
    if not is_weights_argument(weights):
        raise ValueError("The `weights` argument should be either `None` (random initialization), 'imagenet' "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded. "
                         f"Received weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  "
                         f"Received classes={classes}")


def _imagenet_rows(alpha, depth_multiplier, rows, cols):
    """The input size whose ImageNet weights are loaded (224 unless the input is one of the others)."""
    if depth_multiplier != 1:
        raise ValueError("If imagenet weights are being loaded, depth multiplier must be 1.  "
                         f"Received depth_multiplier={depth_multiplier}")
    if alpha not in ALPHA_TEXT:
        raise ValueError("If imagenet weights are being loaded, alpha can be one of`0.25`, `0.50`, `0.75` or "
                         f"`1.0` only.  Received alpha={alpha}")
    if rows != cols or rows not in WEIGHT_SIZES:
        warnings.warn("`input_shape` is undefined or non-square, or `rows` is not in [128, 160, 192, 224]. "
                      "Weights for input shape (224, 224) will be loaded as the default.", stacklevel=3)
        return 224
    return rows


def _conv_block(inputs, filters, alpha, kernel=(3, 3), strides=(1, 1)):
    """The first layer: a full 3x3 convolution, batch normalization, ReLU6."""
    x = layers.Conv2D(int(filters * alpha), kernel, padding="same", use_bias=False, strides=strides,
                      name="conv1")(inputs)
    x = layers.BatchNormalization(axis=channel_axis(), name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(inputs, pointwise_conv_filters, alpha, depth_multiplier=1, strides=(1, 1), block_id=1):
    """Depthwise 3x3 (BN, ReLU6) then pointwise 1x1 (BN, ReLU6); a strided one pads bottom and right first."""
    x = inputs
    if strides != (1, 1):
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == (1, 1) else "valid",
                               depth_multiplier=depth_multiplier, strides=strides, use_bias=False,
                               name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=channel_axis(), name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(pointwise_conv_filters * alpha), (1, 1), padding="same", use_bias=False, strides=(1, 1),
                      name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=channel_axis(), name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def preprocess_input(x, data_format=None):
    """Pixels scaled to [-1, 1] (``tf`` mode), as MobileNet's weights expect."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: ``(class_id, name, score)`` tuples."""
    return imagenet_utils.decode_predictions(preds, top=top)
