"""``keras.applications.resnet50``: ResNet50 with its ``caffe`` preprocessing (see ``resnet``)."""

from glassnet.applications.resnet import ResNet50, decode_predictions, preprocess_input  # noqa: F401
