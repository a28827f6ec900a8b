"""VGG16: five blocks of 3x3 convolutions and max pooling, then three dense layers.

Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
Recognition" (ICLR 2015, https://arxiv.org/abs/1409.1556). Stacks of small
3x3 convolutions (two of them see a 5x5 patch, three a 7x7 one, with fewer
weights and more non-linearities), the channels doubling from 64 to 512 as
max pooling halves the image. Default input 224x224, at least 32x32; inputs
are preprocessed in ``caffe`` mode (BGR, mean pixel subtracted).

    model = glassnet.applications.VGG16(weights="imagenet")
    x = glassnet.applications.vgg16.preprocess_input(images)
    glassnet.applications.vgg16.decode_predictions(model.predict(x))
"""

from glassnet import backend, layers
from glassnet.applications import imagenet_utils
from glassnet.applications.common import (
    check_weights_argument,
    image_input,
    load_weights,
    model_inputs,
    pool,
    predictions,
)
from glassnet.models.functional import Functional

WEIGHTS_MD5 = {  # (with the classifier, without): Keras publishes MD5s only
    "vgg16": ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc"),
    "vgg19": ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6"),
}
BLOCK_FILTERS = (64, 128, 256, 512, 512)


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg16"):
    """VGG16 (13 convolutions + 3 dense layers), with ``weights`` None, ``"imagenet"`` or a file's path.

    ``include_top`` keeps the classifier (flatten, two 4096-unit layers,
    ``classes`` outputs; needs the 224x224 input); without it ``pooling``
    (``None``, ``"avg"``, ``"max"``) says what to do with the last feature maps.
    """
    return vgg((2, 2, 3, 3, 3), "vgg16", include_top, weights, input_tensor, input_shape, pooling, classes,
               classifier_activation, name)


def vgg(convs_per_block, weights_name, include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation, name):
    """A VGG network with ``convs_per_block[i]`` convolutions in block ``i + 1``."""
    check_weights_argument(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = image_input(input_tensor, input_shape)
    x = img_input
    for block, (filters, convs) in enumerate(zip(BLOCK_FILTERS, convs_per_block), start=1):
        x = conv_block(x, filters, convs, f"block{block}")
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = predictions(x, classes, classifier_activation, weights)
    else:
        x = pool(x, pooling)
    model = Functional(model_inputs(input_tensor, img_input), x, name=name)
    suffix = "" if include_top else "_notop"
    return load_weights(model, weights, weights_name, f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5",
                        WEIGHTS_MD5[weights_name][0 if include_top else 1])


def conv_block(x, filters, convs, name):
    """``convs`` same-padded 3x3 ReLU convolutions, then a 2x2 max pooling that halves the image."""
    for index in range(1, convs + 1):
        x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same", name=f"{name}_conv{index}")(x)
    return layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"{name}_pool")(x)


def preprocess_input(x, data_format=None):
    """RGB -> BGR, then each channel minus its ImageNet mean (``caffe`` mode), as VGG's weights expect."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: ``(class_id, name, score)`` tuples."""
    return imagenet_utils.decode_predictions(preds, top=top)
