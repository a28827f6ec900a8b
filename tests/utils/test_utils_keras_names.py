"""keras.utils names: image files, get_file, split_dataset, get_source_inputs, pack_x_y_sample_weight, aliases."""

import hashlib
import io
import os
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import utils

keras = pytest.importorskip("keras")
pytest.importorskip("PIL")


def _image(channels=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(6, 8, channels)).astype("float32")


@pytest.mark.parametrize("suffix", ["png", "jpg"])
@pytest.mark.parametrize("color_mode", ["rgb", "grayscale", "rgba"])
def test_image_round_trip_against_keras(tmp_path, suffix, color_mode):
    path = str(tmp_path / f"x.{suffix}")
    utils.save_img(path, _image(4 if suffix == "png" else 3), scale=False)
    for target, keep in [(None, False), ((3, 5), False), ((4, 4), True)]:
        ours = utils.img_to_array(utils.load_img(path, color_mode=color_mode, target_size=target,
                                                 keep_aspect_ratio=keep))
        theirs = keras.utils.img_to_array(keras.utils.load_img(path, color_mode=color_mode, target_size=target,
                                                               keep_aspect_ratio=keep))
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == theirs.dtype


@pytest.mark.parametrize("scale", [True, False])
@pytest.mark.parametrize("channels", [1, 3, 4])
def test_array_to_img_against_keras(scale, channels):
    x = _image(channels) * (3 if channels == 1 else 1)  # > 255 gives a 32-bit grayscale image unscaled
    ours, theirs = utils.array_to_img(x, scale=scale), keras.utils.array_to_img(x, scale=scale)
    assert ours.mode == theirs.mode
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
    first = utils.img_to_array(ours, data_format="channels_first")
    np.testing.assert_array_equal(first, keras.utils.img_to_array(theirs, data_format="channels_first"))
    back = utils.array_to_img(first, data_format="channels_first", scale=False)
    np.testing.assert_array_equal(np.asarray(back), np.asarray(ours))


def test_save_img_rgba_jpeg_and_bytes(tmp_path):
    path = tmp_path / "x.jpeg"
    with pytest.warns(UserWarning, match="RGBA"):
        utils.save_img(path, _image(4))
    buffer = io.BytesIO(path.read_bytes())
    assert utils.load_img(buffer).mode == "RGB"


def test_image_bad_input():
    with pytest.raises(ValueError, match="rank 3"):
        utils.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="channels axis"):
        utils.array_to_img(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="color_mode"):
        utils.load_img("nothing.png", color_mode="cmyk")
    with pytest.raises(TypeError, match="io.BytesIO"):
        utils.load_img(3)


def test_preprocessing_image_names():
    for name in ["load_img", "img_to_array", "array_to_img", "save_img"]:
        assert getattr(glassnet.preprocessing.image, name) is getattr(utils, name)


def _serve(tmp_path, name, data):
    source = tmp_path / "server" / name
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(data)
    return source.as_uri()


def test_get_file_downloads_verifies_and_caches(tmp_path):
    data = b"glassnet" * 100
    url = _serve(tmp_path, "data.bin", data)
    sha = hashlib.sha256(data).hexdigest()
    cache = str(tmp_path / "cache")
    path = utils.get_file("data.bin", url, file_hash=sha, cache_dir=cache)
    assert path == os.path.join(cache, "datasets", "data.bin")
    assert Path(path).read_bytes() == data
    os.remove(tmp_path / "server" / "data.bin")  # cached: no download
    assert utils.get_file("data.bin", url, file_hash=sha, cache_dir=cache) == path
    assert utils.get_file(origin=url, md5_hash=hashlib.md5(data).hexdigest(), cache_dir=cache) == path


def test_get_file_rejects_wrong_hash_and_keeps_nothing(tmp_path):
    url = _serve(tmp_path, "data.bin", b"abc")
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="hash does not match"):
        utils.get_file("data.bin", url, file_hash="0" * 64, cache_dir=str(cache))
    assert not (cache / "datasets" / "data.bin").exists()
    with pytest.raises(ValueError, match="origin"):
        utils.get_file("x")
    with pytest.raises(ValueError, match="not a path"):
        utils.get_file(os.path.join("a", "b"), url, cache_dir=str(cache))


@pytest.mark.parametrize("kind", ["tar.gz", "zip"])
def test_get_file_extracts_like_keras(tmp_path, kind):
    archive = tmp_path / f"a.{kind}"
    (tmp_path / "inner.txt").write_text("hello")
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as out:
            out.write(tmp_path / "inner.txt", "folder/inner.txt")
    else:
        with tarfile.open(archive, "w:gz") as out:
            out.add(tmp_path / "inner.txt", "folder/inner.txt")
    url = archive.as_uri()
    (tmp_path / "ours").mkdir()
    (tmp_path / "keras").mkdir()  # Keras falls back to /tmp/.keras for a cache_dir that does not exist yet
    for fname in [f"data.{kind}", "data"]:
        ours = utils.get_file(fname, url, extract=True, cache_dir=str(tmp_path / "ours"))
        theirs = keras.utils.get_file(fname, url, extract=True, cache_dir=str(tmp_path / "keras"))
        assert os.path.relpath(ours, tmp_path / "ours") == os.path.relpath(theirs, tmp_path / "keras")
        assert Path(ours, "folder", "inner.txt").read_text() == "hello"


def test_split_dataset_against_keras():
    x = np.arange(20, dtype="float32").reshape(10, 2)
    y = np.arange(10)
    for left_size, right_size in [(0.8, None), (None, 3), (4, 0.6), (6, 4), (4, 0.5)]:
        left, right = utils.split_dataset((x, y), left_size=left_size, right_size=right_size)
        if (left_size, right_size) == (4, 0.5):  # 9 of 10 samples: Keras' torch backend refuses, not its tf one
            assert (len(left), len(right)) == (4, 5)
            continue
        k_left, k_right = keras.utils.split_dataset((x, y), left_size=left_size, right_size=right_size)
        assert (len(left), len(right)) == (len(k_left), len(k_right))
        # Keras' torch backend draws a random split (torch's random_split) even without shuffle; its
        # documentation (and tensorflow backend) keep the order: the first samples left, the last right
        left_x = np.stack([sample[0] for sample in left])
        right_y = [int(sample[1]) for sample in right]
        np.testing.assert_array_equal(left_x, x[:len(k_left)])
        assert right_y == list(y[len(y) - len(k_right):])
    batched = left.batch(2)
    assert batched[0][0].shape == (2, 2)


def test_split_dataset_shuffle_and_errors():
    x = np.arange(10)
    a, _ = utils.split_dataset(x, left_size=5, shuffle=True, seed=3)
    b, _ = utils.split_dataset(x, left_size=5, shuffle=True, seed=3)
    assert [int(v) for v in a] == [int(v) for v in b]
    import random
    order = list(x)
    random.Random(3).shuffle(order)
    assert [int(v) for v in a] == [int(v) for v in order[:5]]
    with pytest.raises(ValueError, match="at least one"):
        utils.split_dataset(x)
    with pytest.raises(ValueError, match="smaller than 10"):
        utils.split_dataset(x, left_size=10)
    with pytest.raises(ValueError, match="at most 1"):
        utils.split_dataset(x, left_size=0.6, right_size=0.6)
    with pytest.raises(ValueError, match="same length"):
        utils.split_dataset((x, x[:3]), left_size=2)


def test_get_source_inputs_and_is_keras_tensor():
    a, b = glassnet.Input((3,)), glassnet.Input((3,))
    out = glassnet.layers.Dense(2)(glassnet.layers.Add()([a, b]))
    assert utils.get_source_inputs(out) == [a, b] or all(x is y for x, y in zip(utils.get_source_inputs(out), [a, b]))
    assert utils.get_source_inputs(a)[0] is a
    assert utils.is_keras_tensor(out) and not utils.is_keras_tensor(np.zeros(2))


def test_pack_x_y_sample_weight_and_aliases():
    x, y, w = np.zeros(2), np.ones(2), np.full(2, 2.0)
    for args in [(x,), ((x, x),), (x, y), (x, y, w)]:
        ours, theirs = utils.pack_x_y_sample_weight(*args), keras.utils.pack_x_y_sample_weight(*args)
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
    assert utils.unpack_x_y_sample_weight(utils.pack_x_y_sample_weight(x, y, w))[2] is w
    assert utils.CustomObjectScope is utils.custom_object_scope
    for dtype in [float, bool, "float64", np.int32, "bfloat16"]:
        assert utils.standardize_dtype(dtype) == keras.utils.standardize_dtype(dtype)
