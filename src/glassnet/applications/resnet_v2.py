"""ResNet50V2, ResNet101V2, ResNet152V2: ResNets with pre-activation blocks.

He, Zhang, Ren & Sun, "Identity Mappings in Deep Residual Networks" (ECCV
2016, https://arxiv.org/abs/1603.05027). Batch normalization and ReLU come
before each convolution, so the shortcut path is a pure identity from the
input to the last block; a final ``post_bn``/``post_relu`` closes the
network. Each stage downsamples in its last block. ``tf`` preprocessing.
"""

from glassnet.applications import imagenet_utils
from glassnet.applications.resnet import ResNet, stack_residual_blocks_v2, stages


def _resnet_v2(block_counts, weights_name, name, **arguments):
    return ResNet(stages(block_counts, stack_residual_blocks_v2, last_stride=1), preact=True, use_bias=True,
                  weights_name=weights_name, name=name, **arguments)


def ResNet50V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
               classes=1000, classifier_activation="softmax", name="resnet50v2"):
    """ResNet50V2: stages of 3, 4, 6, 3 pre-activation blocks."""
    return _resnet_v2((3, 4, 6, 3), "resnet50v2", name, include_top=include_top, weights=weights,
                      input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
                      classifier_activation=classifier_activation)


def ResNet101V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="resnet101v2"):
    """ResNet101V2: stages of 3, 4, 23, 3 pre-activation blocks."""
    return _resnet_v2((3, 4, 23, 3), "resnet101v2", name, include_top=include_top, weights=weights,
                      input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
                      classifier_activation=classifier_activation)


def ResNet152V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="resnet152v2"):
    """ResNet152V2: stages of 3, 8, 36, 3 pre-activation blocks."""
    return _resnet_v2((3, 8, 36, 3), "resnet152v2", name, include_top=include_top, weights=weights,
                      input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
                      classifier_activation=classifier_activation)


def preprocess_input(x, data_format=None):
    """Pixels scaled to [-1, 1] (``tf`` mode), as ResNetV2's weights expect."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: ``(class_id, name, score)`` tuples."""
    return imagenet_utils.decode_predictions(preds, top=top)
