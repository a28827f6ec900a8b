"""What every ImageNet model shares: input preprocessing, decoding predictions, the checks on its arguments.

    x = glassnet.applications.vgg16.preprocess_input(images)   # caffe mode: RGB -> BGR, minus the mean pixel
    probabilities = model.predict(x)
    glassnet.applications.vgg16.decode_predictions(probabilities, top=3)
    # [[('n02123045', 'tabby', 0.71), ('n02123159', 'tiger_cat', 0.18), ...]]

The three preprocessing modes are the ones the published weights were
trained with:

- ``caffe`` (VGG, ResNet): RGB -> BGR, then each channel minus its ImageNet
  mean (103.939, 116.779, 123.68), no scaling;
- ``tf`` (MobileNet, Xception, ...): pixels scaled to [-1, 1], ``x / 127.5 - 1``;
- ``torch`` (DenseNet): pixels scaled to [0, 1], then each channel
  normalized with ImageNet's mean (0.485, 0.456, 0.406) and standard
  deviation (0.229, 0.224, 0.225).

A NumPy array is changed in place when it is already floating point (as in
Keras; pass ``np.copy(x)`` to keep it); a tensor, eager or symbolic (the
output of ``keras.Input``), goes through ``glassnet.ops``.
"""

import json
import warnings

import numpy as np

from glassnet import activations, backend, ops
from glassnet.applications.weights import weights_file

CLASS_INDEX = None
CLASS_INDEX_PATH = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"  # the only hash Keras publishes for it

CAFFE_MEAN = (103.939, 116.779, 123.68)  # B, G, R
TORCH_MEAN = (0.485, 0.456, 0.406)
TORCH_STD = (0.229, 0.224, 0.225)


# --- preprocess_input -----------------------------------------------------------------------------------------------
def preprocess_input(x, data_format=None, mode="caffe"):
    """Scale a batch (or one image) of RGB pixels in [0, 255] as the model's ImageNet weights expect.

    ``mode`` is ``"caffe"``, ``"tf"`` or ``"torch"`` (see the module docstring);
    ``data_format`` defaults to ``keras.config.image_data_format()``.
    """
    if mode not in {"caffe", "tf", "torch"}:
        raise ValueError(f"Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode}")
    if data_format is None:
        data_format = backend.image_data_format()
    elif data_format not in {"channels_first", "channels_last"}:
        raise ValueError("Expected data_format to be one of `channels_first` or `channels_last`. "
                         f"Received: data_format={data_format}")
    if isinstance(x, np.ndarray):
        return _preprocess_array(x, data_format, mode)
    return _preprocess_tensor(x, data_format, mode)


def _channel_index(x, data_format, channel):
    """The index that selects one colour channel of a 3D image or a 4D batch."""
    if data_format == "channels_last":
        return (Ellipsis, channel)
    return (channel,) if x.ndim == 3 else (slice(None), channel)


def _preprocess_array(x, data_format, mode):
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(backend.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
        mean, std = TORCH_MEAN, TORCH_STD
    else:
        x = np.flip(x, axis=-1 if data_format == "channels_last" else x.ndim - 3)  # RGB -> BGR, a view
        mean, std = CAFFE_MEAN, None
    for channel in range(3):
        index = _channel_index(x, data_format, channel)
        x[index] -= mean[channel]
        if std is not None:
            x[index] /= std[channel]
    return x


def _preprocess_tensor(x, data_format, mode):
    """The same on a tensor, with ``ops`` so that a symbolic input records the steps."""
    if mode == "tf":
        return ops.subtract(ops.divide(x, 127.5), 1.0)
    channel_axis = x.ndim - 1 if data_format == "channels_last" else x.ndim - 3
    per_channel = (1,) * (x.ndim - 1) + (3,) if data_format == "channels_last" else (3, 1, 1)
    if mode == "torch":
        x = ops.divide(x, 255.0)
        mean, std = TORCH_MEAN, TORCH_STD
    else:
        x = ops.flip(x, axis=channel_axis)
        mean, std = CAFFE_MEAN, None
    x = ops.subtract(x, ops.convert_to_tensor(np.reshape(mean, per_channel), dtype=x.dtype))
    if std is not None:
        x = ops.divide(x, ops.convert_to_tensor(np.reshape(std, per_channel), dtype=x.dtype))
    return x


# --- decode_predictions ---------------------------------------------------------------------------------------------
def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: a list per sample of ``(class_id, name, score)``.

    The class names come from ``imagenet_class_index.json``, looked for in
    glassnet's and Keras' model caches and otherwise downloaded (checked
    against the MD5 Keras publishes for it).
    """
    global CLASS_INDEX
    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape "
                         f"(samples, 1000)). Received array with shape: {preds.shape}")
    if CLASS_INDEX is None:
        with open(weights_file("imagenet_class_index.json", CLASS_INDEX_PATH, md5=CLASS_INDEX_MD5)) as handle:
            CLASS_INDEX = json.load(handle)
    results = []
    for pred in ops.convert_to_numpy(preds):
        best = pred.argsort()[-top:][::-1]
        result = [tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in best]
        result.sort(key=lambda entry: entry[2], reverse=True)
        results.append(result)
    return results


# --- the checks every model makes -----------------------------------------------------------------------------------
def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten, weights=None):
    """The model's input shape: ``input_shape`` checked, or the default one (``None`` sides without a top).

    ``require_flatten`` (``include_top``) needs a fixed size; ImageNet
    weights with the top need exactly ``default_size`` and 3 channels.
    """
    default_shape = _default_shape(input_shape, default_size, data_format, weights)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default_shape}.  Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        _check_input_shape(input_shape, min_size, data_format, weights)
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if data_format == "channels_first" else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def _default_shape(input_shape, default_size, data_format, weights):
    channels_first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was passed an input_shape "
                          f"with {channels} input channels.", stacklevel=3)
        if channels_first:
            return (input_shape[0], default_size, default_size)
        return (default_size, default_size, input_shape[-1])
    return (3, default_size, default_size) if channels_first else (default_size, default_size, 3)


def _check_input_shape(input_shape, min_size, data_format, weights):
    if len(input_shape) != 3:
        raise ValueError("`input_shape` must be a tuple of three integers.")
    channels, rows, cols = input_shape if data_format == "channels_first" else (input_shape[2], *input_shape[:2])
    if channels != 3 and weights == "imagenet":
        raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
    if (rows is not None and rows < min_size) or (cols is not None and cols < min_size):
        raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: input_shape={input_shape}")


def correct_pad(inputs, kernel_size):
    """The ``ZeroPadding2D`` padding before a strided ``valid`` convolution that acts as TensorFlow's ``same``.

    TensorFlow pads ``same`` convolutions with the extra row and column at the
    bottom and right; an even-sized input therefore gets one less on the top
    and left.
    """
    first = 2 if backend.image_data_format() == "channels_first" else 1
    size = inputs.shape[first:first + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights):
    """Pretrained weights allow only a softmax or no activation on the classifier."""
    if weights is None:
        return
    activation = activations.get(classifier_activation)
    if activation not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError("Only `None` and `softmax` activations are allowed for the `classifier_activation` argument "
                         "when using pretrained weights, with `include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")
