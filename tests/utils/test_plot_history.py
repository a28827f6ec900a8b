"""plot_history / History.plot: a PNG with one subplot per quantity, train and validation curves."""

import struct
import sys

import pytest

import glassnet as gn
from glassnet import layers
from glassnet.utils import plot_history

pytest.importorskip("matplotlib")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def trained_history(epochs=3, validation=True):
    import numpy as np

    rng = np.random.default_rng(0)
    x, y = rng.random((40, 4)).astype("float32"), rng.integers(0, 3, 40)
    model = gn.Sequential([gn.Input(shape=(4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model.fit(x, y, epochs=epochs, validation_split=0.25 if validation else 0.0, verbose=0)


def test_writes_a_png_with_one_subplot_per_metric(tmp_path):
    history = trained_history()
    path = plot_history(history, tmp_path / "curves.png")
    assert path == str(tmp_path / "curves.png")
    assert (tmp_path / "curves.png").stat().st_size > 10_000
    assert png_size(tmp_path / "curves.png") == (900, 350)  # two subplots side by side: loss, accuracy


def test_history_plot_delegates_and_metrics_selects(tmp_path):
    history = trained_history()
    path = history.plot(filename=tmp_path / "loss.png", metrics=["loss"])
    assert png_size(tmp_path / "loss.png") == (450, 350) and path.endswith("loss.png")
    history.plot(tmp_path / "val.png", metrics="val_accuracy")  # a val_ name means that metric's pair of curves
    assert png_size(tmp_path / "val.png") == (450, 350)


def test_a_plain_dict_and_more_metrics_wrap_into_rows(tmp_path):
    logs = {name: [1.0, 0.5, 0.25] for name in ("loss", "a", "b", "c", "val_loss", "val_c", "learning_rate")}
    plot_history(logs, tmp_path / "many.png")
    assert png_size(tmp_path / "many.png") == (1350, 700)  # 5 quantities: 3 columns, 2 rows


def test_training_without_validation(tmp_path):
    plot_history(trained_history(validation=False), tmp_path / "train.png")
    assert png_size(tmp_path / "train.png") == (900, 350)


def test_default_file_name_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert plot_history(trained_history(epochs=1)) == "curves.png"
    assert (tmp_path / "curves.png").read_bytes()[:8] == PNG_SIGNATURE


def test_creates_the_folder(tmp_path):
    plot_history({"loss": [1.0, 0.5]}, tmp_path / "plots" / "run1" / "c.png")
    assert (tmp_path / "plots" / "run1" / "c.png").exists()


def test_clear_errors(tmp_path):
    with pytest.raises(KeyError, match="no \\['precision'\\] in the history; it has \\['loss'\\]"):
        plot_history({"loss": [1.0]}, tmp_path / "x.png", metrics=["precision"])
    with pytest.raises(ValueError, match="the history is empty"):
        plot_history({}, tmp_path / "x.png")
    with pytest.raises(TypeError, match="expects the History returned by fit"):
        plot_history([1, 2, 3], tmp_path / "x.png")


def test_a_clear_error_without_matplotlib(tmp_path, monkeypatch):
    for name in [name for name in sys.modules if name == "matplotlib" or name.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_history({"loss": [1.0]}, tmp_path / "x.png")


def test_pyplot_state_is_left_alone(tmp_path):
    import matplotlib

    backend = matplotlib.get_backend()
    plot_history({"loss": [1.0, 0.5]}, tmp_path / "c.png")
    assert matplotlib.get_backend() == backend
    if "matplotlib.pyplot" in sys.modules:
        assert sys.modules["matplotlib.pyplot"].get_fignums() == []
