"""VGG19: VGG16 with a fourth convolution in blocks 3, 4 and 5 (16 convolutions + 3 dense layers).

Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
Recognition" (ICLR 2015, https://arxiv.org/abs/1409.1556), configuration E.
Default input 224x224, at least 32x32; ``caffe`` preprocessing.

    model = glassnet.applications.VGG19(weights="imagenet")
"""

from glassnet.applications.vgg16 import decode_predictions, preprocess_input, vgg  # noqa: F401 (vgg19.* as Keras)


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg19"):
    """VGG19, with ``weights`` None, ``"imagenet"`` or a file's path; arguments as ``VGG16``."""
    return vgg((2, 2, 4, 4, 4), "vgg19", include_top, weights, input_tensor, input_shape, pooling, classes,
               classifier_activation, name)
