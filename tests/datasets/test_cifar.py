"""cifar10 / cifar100 read the python-version archives in place, in Keras' layout, and refuse anything
in a pickled member but NumPy arrays. The archives here are small ones written in the same format."""

import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from glassnet.datasets import cifar10, cifar100


def _add(archive, name, payload):
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    archive.addfile(info, io.BytesIO(payload))


def _batch(rng, count, labels):
    data = rng.integers(0, 256, (count, 3072), dtype=np.uint8)
    return data, {b"batch_label": b"x", b"data": data, **{key.encode(): list(map(int, rng.integers(0, top, count)))
                                                           for key, top in labels.items()}}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATASETS", str(tmp_path))
    return tmp_path


def _write_cifar10(folder, rng, members=None):
    written = {}
    with tarfile.open(folder / cifar10.FILE, "w:gz") as archive:
        for name in members or cifar10.MEMBERS["train"] + cifar10.MEMBERS["test"]:
            data, batch = _batch(rng, 4, {"labels": 10})
            written[name] = (data, batch[b"labels"])
            _add(archive, name, pickle.dumps(batch, protocol=3))
    return written


def test_cifar10_gives_keras_layout_and_values(data_dir):
    written = _write_cifar10(data_dir, np.random.default_rng(0))
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (20, 32, 32, 3) and x_test.shape == (4, 32, 32, 3)
    assert y_train.shape == (20, 1) and x_train.dtype == y_train.dtype == np.uint8
    first, labels = written["cifar-10-batches-py/data_batch_1"]
    np.testing.assert_array_equal(x_train[0], first[0].reshape(3, 32, 32).transpose(1, 2, 0))
    np.testing.assert_array_equal(y_train[:4, 0], labels)
    np.testing.assert_array_equal(y_test[:, 0], written["cifar-10-batches-py/test_batch"][1])


def test_cifar100_fine_and_coarse_labels(data_dir):
    rng = np.random.default_rng(1)
    written = {}
    with tarfile.open(data_dir / cifar100.FILE, "w:gz") as archive:
        for part, (name,) in cifar100.MEMBERS.items():
            data, batch = _batch(rng, 3, {"fine_labels": 100, "coarse_labels": 20})
            written[part] = batch
            _add(archive, name, pickle.dumps(batch, protocol=3))
    (_, y_fine), _ = cifar100.load_data()
    (_, y_coarse), (x_test, _) = cifar100.load_data(label_mode="coarse")
    np.testing.assert_array_equal(y_fine[:, 0], written["train"][b"fine_labels"])
    np.testing.assert_array_equal(y_coarse[:, 0], written["train"][b"coarse_labels"])
    assert x_test.shape == (3, 32, 32, 3)
    with pytest.raises(ValueError, match='"fine" or "coarse"'):
        cifar100.load_data(label_mode="medium")


class _RunsCode:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_a_member_that_would_run_code_is_refused(data_dir):
    rng = np.random.default_rng(2)
    with tarfile.open(data_dir / cifar10.FILE, "w:gz") as archive:
        for name in cifar10.MEMBERS["train"] + cifar10.MEMBERS["test"]:
            _, batch = _batch(rng, 2, {"labels": 10})
            batch[b"labels"] = _RunsCode()
            _add(archive, name, pickle.dumps(batch, protocol=3))
    with pytest.raises(ValueError, match="only NumPy arrays are allowed"):
        cifar10.load_data()


def test_a_wrong_archive_names_what_is_missing(data_dir):
    _write_cifar10(data_dir, np.random.default_rng(3), members=["cifar-10-batches-py/data_batch_1"])
    with pytest.raises(ValueError, match="data_batch_2"):
        cifar10.load_data()
