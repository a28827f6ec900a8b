"""Bad arguments give Keras' errors; weights load from a file's path or, as "imagenet", from the model cache."""

import hashlib

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import glassnet
from glassnet.applications import weights as weights_module

BAD_ARGUMENTS = [
    dict(weights="imagenet", include_top=True, classes=10),
    dict(weights="no/such/weights.h5"),
    dict(weights=None, include_top=False, input_shape=(16, 16, 3)),
    dict(weights="imagenet", include_top=True, input_shape=(100, 100, 3)),
    dict(weights=None, include_top=False, input_shape=(32, 32)),
    dict(weights="imagenet", include_top=False, input_shape=(64, 64, 1)),
    dict(weights=None, include_top=True, input_shape=(None, None, 3)),
]
MODELS = ["VGG16", "ResNet50", "MobileNet", "MobileNetV2", "Xception", "ResNet50V2"]


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("arguments", BAD_ARGUMENTS, ids=range(len(BAD_ARGUMENTS)))
def test_bad_arguments_raise_keras_errors(name, arguments):
    with pytest.raises(ValueError) as theirs:
        getattr(keras.applications, name)(**arguments)
    with pytest.raises(ValueError) as ours:
        getattr(glassnet.applications, name)(**arguments)
    assert str(ours.value) == str(theirs.value)


def test_pretrained_weights_allow_only_softmax_or_no_activation(tmp_path):
    path = str(tmp_path / "any.h5")
    open(path, "wb").close()
    arguments = dict(weights=path, input_shape=(32, 32, 3), classifier_activation="relu")
    with pytest.raises(ValueError) as theirs:
        keras.applications.VGG16(**arguments)
    with pytest.raises(ValueError) as ours:
        glassnet.applications.VGG16(**arguments)
    prefix = str(theirs.value).split("classifier_activation=<")[0]  # Keras shows the function object; we, "relu"
    assert str(ours.value) == prefix + "classifier_activation=relu"


def test_imagenet_weights_missing_without_network_say_where_to_put_them(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    monkeypatch.setattr(weights_module, "search_dirs", lambda: [weights_module.cache_dir()])
    monkeypatch.setattr(weights_module, "KERAS_APPLICATIONS", "file:///nonexistent/")
    monkeypatch.setattr("glassnet.applications.common.KERAS_APPLICATIONS", "file:///nonexistent/")
    with pytest.raises(FileNotFoundError) as info:
        glassnet.applications.VGG16(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    message = str(info.value)
    assert "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5" in message and str(tmp_path) in message
    assert "6d6bbae143d832006294945121d1f1fc" in message


def test_weights_file_download_is_checked_against_md5(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(weights_module, "search_dirs", lambda: [weights_module.cache_dir()])
    source = tmp_path / "w.h5"
    source.write_bytes(b"weights")
    md5 = hashlib.md5(b"weights").hexdigest()
    with pytest.raises(FileNotFoundError, match="MD5"):
        weights_module.weights_file("w.h5", source.as_uri(), md5="0" * 32)
    path = weights_module.weights_file("w.h5", source.as_uri(), md5=md5)
    assert path == weights_module.cache_dir() + "/w.h5" and open(path, "rb").read() == b"weights"


@pytest.fixture(scope="module")
def keras_vgg_legacy_file(tmp_path_factory):
    """A Keras VGG16 (no top, 32x32) and its weights in Keras' legacy HDF5 layout, as the published files are."""
    pytest.importorskip("glassnet.saving.legacy_h5")
    h5py = pytest.importorskip("h5py")
    from keras.src.legacy.saving import legacy_h5_format

    keras.backend.clear_session()
    model = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0, 0.05, w.shape).astype("float32") for w in model.get_weights()])
    path = tmp_path_factory.mktemp("weights") / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    with h5py.File(path, "w") as handle:
        legacy_h5_format.save_weights_to_hdf5_group(handle, model)
    return model, path


def test_weights_from_a_legacy_h5_path(keras_vgg_legacy_file):
    theirs, path = keras_vgg_legacy_file
    ours = glassnet.applications.VGG16(weights=str(path), include_top=False, input_shape=(32, 32, 3))
    images = np.random.default_rng(1).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    expected = keras.ops.convert_to_numpy(theirs(images))
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(ours.predict(images, verbose=0), expected, rtol=1e-4, atol=1e-5 * scale)


def test_imagenet_weights_found_in_the_model_cache(keras_vgg_legacy_file, monkeypatch):
    theirs, path = keras_vgg_legacy_file
    monkeypatch.setenv("GLASSNET_HOME", str(path.parent.parent))
    (path.parent.parent / "models").mkdir(exist_ok=True)
    (path.parent.parent / "models" / path.name).write_bytes(path.read_bytes())
    ours = glassnet.applications.VGG16(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    for mine, reference in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(mine, reference)
