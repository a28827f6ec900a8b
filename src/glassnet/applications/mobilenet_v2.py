"""MobileNetV2: inverted residual blocks with linear bottlenecks, small enough for a phone.

Sandler, Howard, Zhu, Zhmoginov & Chen, "MobileNetV2: Inverted Residuals and
Linear Bottlenecks" (CVPR 2018, https://arxiv.org/abs/1801.04381). Each
block expands a thin tensor 6x with a 1x1 convolution, filters it with a
cheap 3x3 depthwise convolution (one filter per channel), and projects it
back to a thin tensor with a 1x1 convolution *without* ReLU (a ReLU on few
channels would destroy information); where shapes allow, the thin tensors
are joined by a residual connection. ReLU6 (``min(max(x, 0), 6)``) keeps
activations small for low-precision inference. ``alpha`` scales every
layer's width. Default input 224x224 (weights exist for 96, 128, 160, 192
and 224), at least 32x32; ``tf`` preprocessing.
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
    predictions,
)
from glassnet.models.functional import Functional

WEIGHT_SIZES = (96, 128, 160, 192, 224)
WEIGHT_ALPHAS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)
# (filters, stride, expansion) of blocks 0..16
BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6), (64, 1, 6),
          (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6),
          (320, 1, 6))


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet", input_tensor=None, pooling=None,
                classes=1000, classifier_activation="softmax", name=None):
    """MobileNetV2 of width ``alpha``, with ``weights`` None, ``"imagenet"`` or a file's path.

    Note that ``input_shape`` comes first, as in Keras. ``name`` defaults to
    ``mobilenetv2_{alpha:.2f}_{rows}``.
    """
    _check_arguments(weights, include_top, classes)
    _check_input_tensor(input_shape, input_tensor)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=_default_size(input_shape, input_tensor), min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    rows, cols = input_shape[:2] if backend.image_data_format() == "channels_last" else input_shape[1:]
    if weights == "imagenet":
        rows = _imagenet_rows(alpha, rows, cols)
    img_input = image_input(input_tensor, input_shape)
    x = layers.Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2), padding="same", use_bias=False,
                      name="Conv1")(img_input)
    x = batch_norm(x, "bn_Conv1")
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(BLOCKS):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride, expansion=expansion,
                                block_id=block_id)
    last_block_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_block_filters, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = batch_norm(x, "Conv_1_bn")
    x = layers.ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = predictions(x, classes, classifier_activation, weights)
    else:
        x = pool(x, pooling)
    model = Functional(model_inputs(input_tensor, img_input), x, name=name or f"mobilenetv2_{alpha:0.2f}_{rows}")
    top = "" if include_top else "_no_top"
    file_name = f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}{top}.h5"
    return load_weights(model, weights, "mobilenet_v2", file_name, md5=None)  # Keras publishes no hash for these


def _check_arguments(weights, include_top, classes):
    if not is_weights_argument(weights):
        raise ValueError("The `weights` argument should be either `None` (random initialization), `imagenet` "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded.  "
                         f"Received `weights={weights}`")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000. '
                         f"Received `classes={classes}`")


def _check_input_tensor(input_shape, input_tensor):
    """An ``input_tensor`` given with an ``input_shape`` must be symbolic and as wide as the shape says."""
    if input_shape is None or input_tensor is None:
        return
    if not backend.is_keras_tensor(input_tensor):
        raise ValueError(f"input_tensor is not a Keras tensor; Received `input_tensor={input_tensor}`")
    if backend.image_data_format() == "channels_first":
        if input_tensor.shape[1] != input_shape[1]:
            raise ValueError("input_shape[1] must equal shape(input_tensor)[1] when `image_data_format` is "
                             f"`channels_first`; Received `input_tensor.shape={input_tensor.shape}`, "
                             f"`input_shape={input_shape}`")
    elif input_tensor.shape[2] != input_shape[1]:
        raise ValueError("input_tensor.shape[2] must equal input_shape[1]; Received "
                         f"`input_tensor.shape={input_tensor.shape}`, `input_shape={input_shape}`")


def _default_size(input_shape, input_tensor):
    """The input's side when it is square and one of the sizes weights exist for, otherwise 224."""
    if input_shape is not None:
        rows, cols = input_shape[:2] if backend.image_data_format() == "channels_last" else input_shape[1:]
    elif input_tensor is not None and backend.is_keras_tensor(input_tensor):
        first = 1 if backend.image_data_format() == "channels_last" else 2
        rows, cols = input_tensor.shape[first:first + 2]
    else:
        return 224
    return rows if rows == cols and rows in WEIGHT_SIZES else 224


def _imagenet_rows(alpha, rows, cols):
    """The input size whose ImageNet weights are loaded (224 unless the input is one of the others)."""
    if alpha not in WEIGHT_ALPHAS:
        raise ValueError("If imagenet weights are being loaded, alpha must be one of `0.35`, `0.50`, `0.75`, "
                         f"`1.0`, `1.3` or `1.4` only; Received `alpha={alpha}`")
    if rows != cols or rows not in WEIGHT_SIZES:
        warnings.warn("`input_shape` is undefined or non-square, or `rows` is not in [96, 128, 160, 192, 224]. "
                      "Weights for input shape (224, 224) will be loaded as the default.", stacklevel=3)
        return 224
    return rows


def batch_norm(x, name):
    return layers.BatchNormalization(axis=channel_axis(), epsilon=1e-3, momentum=0.999, name=name)(x)


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    """Expand (1x1, ReLU6) -> depthwise 3x3 (ReLU6) -> project (1x1, linear), plus ``inputs`` where shapes match."""
    in_channels = inputs.shape[channel_axis()]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same", use_bias=False, activation=None,
                          name=f"{prefix}expand")(x)
        x = batch_norm(x, f"{prefix}expand_BN")
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid", name=f"{prefix}depthwise")(x)
    x = batch_norm(x, f"{prefix}depthwise_BN")
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False, activation=None,
                      name=f"{prefix}project")(x)
    x = batch_norm(x, f"{prefix}project_BN")
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def _make_divisible(v, divisor, min_value=None):
    """``v`` rounded to the nearest multiple of ``divisor`` (at least ``min_value``), never 10% below ``v``."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def preprocess_input(x, data_format=None):
    """Pixels scaled to [-1, 1] (``tf`` mode), as MobileNetV2's weights expect."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: ``(class_id, name, score)`` tuples."""
    return imagenet_utils.decode_predictions(preds, top=top)
