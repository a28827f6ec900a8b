"""Ready-made image models, as ``keras.applications``: the architectures tutorials fine-tune.

    base = glassnet.applications.Xception(weights="imagenet", input_shape=(150, 150, 3), include_top=False)
    base.trainable = False
    x = glassnet.applications.xception.preprocess_input(images)

Each model is a functional ``Model`` built from glassnet layers with Keras'
architecture, layer names and weight order, so the ImageNet weights Keras
publishes (legacy ``.h5`` files, downloaded once into ``~/.glassnet/models``
or found in ``~/.keras/models``) load as they are. Each family's module
(``vgg16``, ``resnet50``, ``mobilenet_v2``, ``xception``...) has the
``preprocess_input`` its weights were trained with and ``decode_predictions``.

The models and modules load on first use, so ``import glassnet`` does not
pay for them.
"""

import importlib

from glassnet.utils.lazy_exports import lazy_exports

MODULES = ("imagenet_utils", "mobilenet", "mobilenet_v2", "resnet", "resnet50", "resnet_v2", "vgg16", "vgg19", "xception")

_LAZY = {
    "VGG16": "glassnet.applications.vgg16",
    "VGG19": "glassnet.applications.vgg19",
    **dict.fromkeys(["ResNet50", "ResNet101", "ResNet152"], "glassnet.applications.resnet"),
    **dict.fromkeys(["ResNet50V2", "ResNet101V2", "ResNet152V2"], "glassnet.applications.resnet_v2"),
    "MobileNet": "glassnet.applications.mobilenet",
    "MobileNetV2": "glassnet.applications.mobilenet_v2",
    "Xception": "glassnet.applications.xception",
}
_model_getattr, _dir, load_all = lazy_exports(globals(), _LAZY)


def __getattr__(name):
    """A model function (``VGG16``) or a family's module (``vgg16``), imported the first time it is asked for."""
    if name in MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    return _model_getattr(name)


def __dir__():
    return sorted(set(_dir()) | set(MODULES))
