"""preprocess_input and decode_predictions against Keras', and the class index found in the model cache."""

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import glassnet
from glassnet.applications import imagenet_utils

FAMILIES = [("vgg16", "caffe"), ("vgg19", "caffe"), ("resnet50", "caffe"), ("resnet", "caffe"),
            ("resnet_v2", "tf"), ("mobilenet", "tf"), ("mobilenet_v2", "tf"), ("xception", "tf")]


def images(shape, dtype="float32", seed=0):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype(dtype)


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("data_format, shape", [("channels_last", (2, 5, 4, 3)), ("channels_last", (5, 4, 3)),
                                                ("channels_first", (2, 3, 5, 4)), ("channels_first", (3, 5, 4))])
@pytest.mark.parametrize("dtype", ["float32", "float64", "uint8"])
def test_preprocess_input_matches_keras(mode, data_format, shape, dtype):
    x = images(shape, dtype)
    expected = keras.applications.imagenet_utils.preprocess_input(x.copy(), data_format=data_format, mode=mode)
    got = imagenet_utils.preprocess_input(x.copy(), data_format=data_format, mode=mode)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("data_format, shape", [("channels_last", (2, 5, 4, 3)), ("channels_first", (2, 3, 5, 4)),
                                                ("channels_first", (3, 5, 4))])
def test_preprocess_input_on_tensors_eager_and_symbolic(mode, data_format, shape):
    x = images(shape)
    expected = keras.applications.imagenet_utils.preprocess_input(x.copy(), data_format=data_format, mode=mode)
    eager = imagenet_utils.preprocess_input(glassnet.ops.convert_to_tensor(x), data_format=data_format, mode=mode)
    np.testing.assert_allclose(glassnet.ops.convert_to_numpy(eager), expected, rtol=1e-6, atol=1e-5)
    if len(shape) == 4:
        inputs = glassnet.Input(shape[1:])
        model = glassnet.Model(inputs, imagenet_utils.preprocess_input(inputs, data_format=data_format, mode=mode))
        np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("family, mode", FAMILIES)
def test_each_family_preprocesses_as_keras(family, mode):
    import importlib

    x = images((2, 6, 6, 3), seed=1)
    theirs = importlib.import_module(f"keras.applications.{family}")
    ours = getattr(glassnet.applications, family)
    np.testing.assert_allclose(ours.preprocess_input(x.copy()), theirs.preprocess_input(x.copy()), rtol=1e-6)
    np.testing.assert_allclose(ours.preprocess_input(x.copy()),
                               imagenet_utils.preprocess_input(x.copy(), mode=mode), rtol=1e-6)


def test_preprocess_input_bad_arguments_match_keras():
    x = images((1, 2, 2, 3))
    for arguments in (dict(mode="bgr"), dict(data_format="nhwc")):
        with pytest.raises(ValueError) as theirs:
            keras.applications.imagenet_utils.preprocess_input(x.copy(), **arguments)
        with pytest.raises(ValueError) as ours:
            imagenet_utils.preprocess_input(x.copy(), **arguments)
        assert str(ours.value) == str(theirs.value)


@pytest.fixture
def class_index(tmp_path, monkeypatch):
    """A made-up class index file in glassnet's model cache (no network here), loaded afresh."""
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "imagenet_class_index.json").write_text(json.dumps(index))
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    monkeypatch.setattr(keras.src.applications.imagenet_utils, "CLASS_INDEX", index)
    return index


def test_decode_predictions_matches_keras(class_index):
    preds = np.random.default_rng(0).random((3, 1000)).astype("float32")
    expected = keras.applications.imagenet_utils.decode_predictions(preds, top=4)
    got = glassnet.applications.vgg16.decode_predictions(preds, top=4)
    assert got == expected
    assert got[0][0][:2] == tuple(class_index[str(int(preds[0].argmax()))])
    assert glassnet.applications.xception.decode_predictions(preds)[1] == \
        keras.applications.imagenet_utils.decode_predictions(preds)[1]


def test_decode_predictions_wrong_shape_matches_keras(class_index):
    preds = np.zeros((2, 10), "float32")
    with pytest.raises(ValueError) as theirs:
        keras.applications.imagenet_utils.decode_predictions(preds)
    with pytest.raises(ValueError) as ours:
        imagenet_utils.decode_predictions(preds)
    assert str(ours.value) == str(theirs.value)
