"""ResNet50, ResNet101, ResNet152: deep networks of residual bottleneck blocks.

He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition" (CVPR
2016, https://arxiv.org/abs/1512.03385). Each block learns a residual
``F(x)`` added to its input, ``y = relu(x + F(x))``, so that a very deep
network can still pass signal and gradient through the identity path. The
bottleneck ``F`` is 1x1 (reduce) -> 3x3 -> 1x1 (expand to 4x the filters),
each followed by batch normalization. A 7x7 stride-2 convolution and a max
pooling start the network; four stages (conv2..conv5) of 64..512 filters
follow. Default input 224x224, at least 32x32; ``caffe`` preprocessing.

ResNetV2 (``resnet_v2``) moves batch normalization and ReLU before each
convolution ("pre-activation", https://arxiv.org/abs/1603.05027).
"""

from glassnet import backend, layers
from glassnet.applications import imagenet_utils
from glassnet.applications.common import (
    channel_axis,
    check_weights_argument,
    image_input,
    load_weights,
    model_inputs,
    pool,
    predictions,
)
from glassnet.models.functional import Functional

WEIGHTS_MD5 = {  # (with the classifier, without): Keras publishes MD5s only
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
EPSILON = 1.001e-5
STAGE_FILTERS = (64, 128, 256, 512)


def ResNet(stack_fn, preact, use_bias, include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
           pooling=None, classes=1000, classifier_activation="softmax", name="resnet", weights_name=None):
    """A ResNet whose residual stages are ``stack_fn(x)``; ``preact`` for ResNetV2's pre-activation."""
    check_weights_argument(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = image_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = batch_norm(x, "conv1_bn")
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = batch_norm(x, "post_bn")
        x = layers.Activation("relu", name="post_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = predictions(x, classes, classifier_activation, weights)
    else:
        x = pool(x, pooling, avg_name="avg_pool", max_name="max_pool")
    model = Functional(model_inputs(input_tensor, img_input), x, name=name)
    suffix = "" if include_top else "_notop"
    md5 = WEIGHTS_MD5.get(weights_name, (None, None))[0 if include_top else 1]
    return load_weights(model, weights, "resnet", f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5",
                        md5)


def batch_norm(x, name):
    return layers.BatchNormalization(axis=channel_axis(), epsilon=EPSILON, name=name)(x)


def residual_block_v1(x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None):
    """The bottleneck block: ``relu(shortcut + bn(conv1x1(relu(bn(conv3x3(relu(bn(conv1x1(x)))))))))``.

    The shortcut is ``x`` itself, or a strided 1x1 convolution (and batch
    normalization) where the block changes the shape.
    """
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = batch_norm(shortcut, f"{name}_0_bn")
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = batch_norm(x, f"{name}_1_bn")
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="SAME", name=f"{name}_2_conv")(x)
    x = batch_norm(x, f"{name}_2_bn")
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = batch_norm(x, f"{name}_3_bn")
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(x, filters, blocks, stride1=2, name=None):
    """A stage: one block that may downsample (``stride1``) and project, then ``blocks - 1`` identity blocks."""
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for index in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{index}")
    return x


def residual_block_v2(x, filters, kernel_size=3, stride=1, conv_shortcut=False, name=None):
    """The pre-activation bottleneck: ``shortcut + conv1x1(relu(bn(conv3x3(relu(bn(conv1x1(relu(bn(x)))))))))``."""
    preact = batch_norm(x, f"{name}_preact_bn")
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = batch_norm(x, f"{name}_1_bn")
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False, name=f"{name}_2_conv")(x)
    x = batch_norm(x, f"{name}_2_bn")
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack_residual_blocks_v2(x, filters, blocks, stride1=2, name=None):
    """A pre-activation stage: it projects in its first block and downsamples in its last."""
    x = residual_block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for index in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{index}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def stages(block_counts, stack, last_stride=2):
    """``stack_fn`` for four stages named conv2..conv5 with ``block_counts`` blocks each."""
    def stack_fn(x):
        for index, (filters, blocks) in enumerate(zip(STAGE_FILTERS, block_counts)):
            first, last = index == 0, index == len(block_counts) - 1
            if stack is stack_residual_blocks_v1:
                stride = 1 if first else 2
            else:
                stride = last_stride if last else 2
            x = stack(x, filters, blocks, stride1=stride, name=f"conv{index + 2}")
        return x

    return stack_fn


def _resnet_v1(block_counts, weights_name, name, **arguments):
    return ResNet(stages(block_counts, stack_residual_blocks_v1), preact=False, use_bias=True,
                  weights_name=weights_name, name=name, **arguments)


def ResNet50(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="resnet50"):
    """ResNet50: stages of 3, 4, 6, 3 bottleneck blocks (50 layers with weights)."""
    return _resnet_v1((3, 4, 6, 3), "resnet50", name, include_top=include_top, weights=weights,
                      input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
                      classifier_activation=classifier_activation)


def ResNet101(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name="resnet101"):
    """ResNet101: stages of 3, 4, 23, 3 bottleneck blocks."""
    return _resnet_v1((3, 4, 23, 3), "resnet101", name, include_top=include_top, weights=weights,
                      input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
                      classifier_activation=classifier_activation)


def ResNet152(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name="resnet152"):
    """ResNet152: stages of 3, 8, 36, 3 bottleneck blocks."""
    return _resnet_v1((3, 8, 36, 3), "resnet152", name, include_top=include_top, weights=weights,
                      input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
                      classifier_activation=classifier_activation)


def preprocess_input(x, data_format=None):
    """RGB -> BGR, then each channel minus its ImageNet mean (``caffe`` mode), as ResNet's weights expect."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: ``(class_id, name, score)`` tuples."""
    return imagenet_utils.decode_predictions(preds, top=top)
