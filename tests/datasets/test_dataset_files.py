"""Datasets: Keras' layout, where files are looked for, checks on files placed by hand, verified downloads."""

import hashlib
import io
import os
import re
import urllib.request

import numpy as np
import pytest
from _shared_data import requires_mnist

from glassnet.datasets import digits, download, fashion_mnist, mnist


@pytest.fixture
def places(tmp_path, monkeypatch):
    """Point every search folder at a fresh temporary one; return them."""
    configured = tmp_path / "configured"
    home = tmp_path / "home"
    glassnet_home = tmp_path / "glassnet_home"
    for folder in (configured, home):
        folder.mkdir()
    monkeypatch.setenv("GLASSNET_DATASETS", str(configured))
    monkeypatch.setenv("GLASSNET_HOME", str(glassnet_home))
    monkeypatch.setenv("HOME", str(home))
    return {
        "configured": configured,
        "glassnet": glassnet_home / "datasets",
        "keras": home / ".keras" / "datasets",
        "home": home,
        "glassnet_home": glassnet_home,
    }


@pytest.fixture
def offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network is unreachable (test)")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def place(folder, name, content=b"x"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return str(folder / name)


# --- the real files ------------------------------------------------------------------------------------------------
@requires_mnist
@pytest.mark.parametrize("module", [mnist, fashion_mnist])
def test_keras_layout(module):
    (x_train, y_train), (x_test, y_test) = module.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8
    assert x_train.max() == 255 and x_train.min() == 0
    assert set(np.unique(y_train)) == set(range(10)) and set(np.unique(y_test)) == set(range(10))


@requires_mnist
def test_mnist_label_counts_match_the_published_ones():
    (_, y_train), (_, y_test) = mnist.load_data()
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_digits_bundled(offline, places):
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8
    assert x_train.min() == 0 and x_train.max() == 255
    assert set(np.unique(y_train)) == set(range(10)) and set(np.unique(y_test)) == set(range(10))
    # the UCI values 0..16 scaled by 255/16 and rounded
    allowed = {int(np.floor(v * 255 / 16 + 0.5)) for v in range(17)}
    assert set(np.unique(np.concatenate([x_train.ravel(), x_test.ravel()]))) <= allowed


def test_digits_match_scikit_learn():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    bunch = sklearn_datasets.load_digits()
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    images = np.concatenate([x_train, x_test]).astype("float64")
    np.testing.assert_allclose(images * 16 / 255, bunch.images, atol=16 / 255 / 2 + 1e-9)
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), bunch.target)


# --- where files are looked for ------------------------------------------------------------------------------------------
def test_lookup_order(places):
    name = "probe.bin"
    in_keras = place(places["keras"], name)
    assert download.find_file((name,)) == in_keras
    in_glassnet = place(places["glassnet"], name)
    assert download.find_file((name,)) == in_glassnet
    in_configured = place(places["configured"], name)
    assert download.find_file((name,)) == in_configured
    os.remove(in_configured)
    assert download.find_file((name,)) == in_glassnet
    os.remove(in_glassnet)
    assert download.find_file((name,)) == in_keras
    os.remove(in_keras)
    assert download.find_file((name,)) is None


def test_glassnet_home_defaults_to_dot_glassnet(places, monkeypatch):
    monkeypatch.delenv("GLASSNET_HOME")
    monkeypatch.delenv("GLASSNET_DATASETS")
    assert download.search_dirs() == [str(places["home"] / ".glassnet" / "datasets"), str(places["keras"])]
    expected = place(places["home"] / ".glassnet" / "datasets", "probe.bin")
    assert download.find_file(("probe.bin",)) == expected


@requires_mnist
def test_mnist_is_found_in_keras_cache(places, offline):
    from _shared_data import SHARED_DATA

    places["keras"].mkdir(parents=True)
    os.symlink(os.path.join(SHARED_DATA, "mnist.npz"), places["keras"] / "mnist.npz")
    (x_train, _), _ = mnist.load_data()
    assert x_train.shape == (60000, 28, 28)
    # a file in GLASSNET_DATASETS comes first, even a bad one, and the error names it
    bad = place(places["configured"], "mnist.npz", b"not a zip file")
    with pytest.raises(ValueError, match=bad):
        mnist.load_data()


# --- files placed by hand -----------------------------------------------------------------------------------------------
def save_npz(path, **arrays):
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


def full_mnist_like(**overrides):
    arrays = {
        "x_train": np.zeros((60000, 28, 28), np.uint8), "y_train": np.zeros(60000, np.uint8),
        "x_test": np.zeros((10000, 28, 28), np.uint8), "y_test": np.zeros(10000, np.uint8),
    }
    arrays.update(overrides)
    return arrays


@pytest.mark.parametrize("content", [b"hello, not a zip file", b"PK\x03\x04 truncated", b""])
def test_corrupt_npz_gives_a_clear_value_error(places, offline, content):
    path = place(places["configured"], "mnist.npz", content)
    with pytest.raises(ValueError) as info:
        mnist.load_data()
    message = str(info.value)
    assert path in message and ("corrupt" in message or "not a readable" in message)


def test_truncated_copy_of_a_real_npz(places, offline, tmp_path):
    good = tmp_path / "good.npz"
    save_npz(good, **full_mnist_like())
    path = place(places["configured"], "mnist.npz", good.read_bytes()[:5000])
    with pytest.raises(ValueError, match="corrupt or incomplete"):
        mnist.load_data()
    assert os.path.exists(path)


def test_wrong_shape_npz(places, offline):
    path = places["configured"] / "mnist.npz"
    save_npz(path, **full_mnist_like(x_train=np.zeros((100, 28, 28), np.uint8)))
    with pytest.raises(ValueError) as info:
        mnist.load_data()
    message = str(info.value)
    assert str(path) in message and "'x_train'" in message and "(60000, 28, 28)" in message
    assert "(100, 28, 28)" in message


def test_wrong_dtype_npz(places, offline):
    save_npz(places["configured"] / "mnist.npz", **full_mnist_like(y_test=np.zeros(10000, np.int64)))
    with pytest.raises(ValueError, match="'y_test' should be uint8.*got int64"):
        mnist.load_data()


def test_missing_keys_npz(places, offline):
    save_npz(places["configured"] / "mnist.npz", images=np.zeros((3, 2), np.uint8))
    with pytest.raises(ValueError, match=r"no array 'x_train' \(found \['images'\]\)"):
        mnist.load_data()


def test_labels_out_of_range_npz(places, offline):
    save_npz(places["configured"] / "mnist.npz", **full_mnist_like(y_train=np.full(60000, 12, np.uint8)))
    with pytest.raises(ValueError, match="labels in 'y_train' go up to 12"):
        mnist.load_data()


def test_pickled_npz_is_never_unpickled(places, offline):
    save_npz(places["configured"] / "mnist.npz", x_train=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="mnist.npz"):
        mnist.load_data()


# --- downloads --------------------------------------------------------------------------------------------------------------
def source_file(tmp_path, content=b"dataset bytes " * 1000):
    path = tmp_path / "source" / "data.bin"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path.as_uri(), hashlib.sha256(content).hexdigest(), content


def test_download_file_url_with_matching_sha256(tmp_path):
    url, sha, content = source_file(tmp_path)
    destination = tmp_path / "cache" / "data.bin"
    assert download.download(url, str(destination), sha) == str(destination)
    assert destination.read_bytes() == content
    assert os.listdir(destination.parent) == ["data.bin"]  # no temporary file left


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_a_downloaded_file_gets_the_mode_open_would_give(tmp_path, umask):
    import stat

    url, sha, _ = source_file(tmp_path)
    destination = tmp_path / "cache" / "data.bin"
    previous = os.umask(umask)
    try:
        download.download(url, str(destination), sha)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(destination).st_mode) == 0o666 & ~umask


def test_download_with_mismatching_sha256_leaves_nothing(tmp_path):
    url, sha, _ = source_file(tmp_path)
    destination = tmp_path / "cache" / "data.bin"
    wrong = "0" * 64
    with pytest.raises(OSError) as info:
        download.download(url, str(destination), wrong)
    assert wrong in str(info.value) and sha in str(info.value) and url in str(info.value)
    assert not destination.exists()
    assert os.listdir(destination.parent) == []


class BrokenResponse(io.BytesIO):
    """A response that delivers some bytes, then fails (a connection dropped mid-download)."""

    def __init__(self, error):
        super().__init__(b"partial")
        self.error = error
        self.calls = 0

    def read(self, size=-1):
        self.calls += 1
        if self.calls == 1:
            return super().read(size)
        raise self.error

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def test_an_interrupted_download_never_replaces_the_old_file(tmp_path, monkeypatch):
    destination = tmp_path / "cache" / "data.bin"
    destination.parent.mkdir()
    destination.write_bytes(b"old good copy")
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: BrokenResponse(OSError("connection reset")))
    with pytest.raises(OSError, match="connection reset"):
        download.download("https://example.invalid/data.bin", str(destination), "0" * 64)
    assert destination.read_bytes() == b"old good copy"
    assert os.listdir(destination.parent) == ["data.bin"]


def test_get_file_downloads_into_the_glassnet_cache_once(places, tmp_path, monkeypatch):
    url, sha, content = source_file(tmp_path)
    path = download.get_file("sub/data.bin", url, sha)
    assert path == str(places["glassnet"] / "sub" / "data.bin")
    assert open(path, "rb").read() == content

    def refuse(*args, **kwargs):
        raise AssertionError("must not download again")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    assert download.get_file("sub/data.bin", url, sha) == path


def test_no_file_and_no_network_names_file_url_and_folders(places, offline):
    with pytest.raises(download.DatasetNotFoundError) as info:
        mnist.load_data()
    assert isinstance(info.value, FileNotFoundError)
    message = str(info.value)
    assert "'mnist.npz'" in message
    assert mnist.ORIGIN in message and mnist.SHA256 in message
    for folder in ("configured", "glassnet", "keras"):
        assert str(places[folder]) in message
    assert "network is unreachable" in message
    assert "GLASSNET_DATASETS" in message
    assert not os.path.exists(places["glassnet"] / "mnist.npz")


def test_a_cut_http_download_gives_the_same_clear_error(places, monkeypatch):
    import http.client

    monkeypatch.setattr(urllib.request, "urlopen",
                        lambda *a, **k: BrokenResponse(http.client.IncompleteRead(b"partial", 100)))
    with pytest.raises(download.DatasetNotFoundError, match="mnist.npz"):
        mnist.load_data()
    assert not places["glassnet"].exists() or os.listdir(places["glassnet"]) == []


def test_fashion_mnist_offline_error_names_its_files(places, offline):
    with pytest.raises(download.DatasetNotFoundError) as info:
        fashion_mnist.load_data()
    assert "train-labels-idx1-ubyte.gz" in str(info.value) or "train-images-idx3-ubyte.gz" in str(info.value)
    assert fashion_mnist.BASE in str(info.value)


def test_a_killed_downloads_leftover_is_removed_by_the_next_download(tmp_path):
    from glassnet.saving.atomic import temporary_name_pattern

    url, sha, content = source_file(tmp_path)
    destination = tmp_path / "cache" / "data.bin"
    destination.parent.mkdir()
    leftover = destination.parent / ".data.bin.abcdefgh.tmp"  # what a killed download leaves (nobody locks it)
    leftover.write_bytes(b"partial")
    assert re.fullmatch(temporary_name_pattern("data.bin"), leftover.name)
    download.download(url, str(destination), sha)
    assert sorted(os.listdir(destination.parent)) == ["data.bin"]
