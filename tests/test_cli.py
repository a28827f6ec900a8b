"""The `glassnet train` command."""

import os
import re
import subprocess
import sys
import urllib.request

import numpy as np
import pytest

from glassnet import cli


def test_train_on_digits_prints_and_saves(tmp_path, capsys):
    output = tmp_path / "x.weights.h5"
    assert cli.main(["train", "--dataset", "digits", "--epochs", "2", "--seed", "0", "--output", str(output),
                     "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert "Dataset: digits (1437 training and 360 test images of (8, 8))" in out
    match = re.search(r"Test accuracy: (\d\.\d{4}) \(test loss (\d+\.\d{4})\)", out)
    assert match, out
    assert f"Saved the trained weights to {output}" in out
    assert "Epoch" not in out  # --verbose 0
    assert output.is_file()

    # the saved weights reproduce the printed accuracy
    import glassnet

    (_, _), (x_test, y_test) = glassnet.datasets.digits.load_data()
    model = cli.build_model((8, 8))
    model.load_weights(output)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    loss, accuracy = model.evaluate(x_test.astype("float32") / 255.0, y_test, verbose=0)
    assert f"{accuracy:.4f}" == match.group(1) and f"{loss:.4f}" == match.group(2)
    assert accuracy > 0.5  # two epochs on 1437 images already beat chance by far


def test_same_seed_same_result(tmp_path, capsys):
    accuracies = []
    for run in range(2):
        cli.main(["train", "--dataset", "digits", "--epochs", "1", "--seed", "3", "--verbose", "0",
                  "--output", str(tmp_path / f"run{run}.weights.h5")])
        accuracies.append(re.search(r"Test accuracy: .*", capsys.readouterr().out).group(0))
    assert accuracies[0] == accuracies[1]


def test_verbose_1_shows_summary_and_progress(tmp_path, capsys):
    cli.main(["train", "--dataset", "digits", "--epochs", "1", "--verbose", "1", "--output",
              str(tmp_path / "v.weights.h5")])
    out = capsys.readouterr().out
    assert "Total params: 9,610" in out  # 64*128+128 + 128*10+10
    assert "Epoch 1/1" in out and "45/45 ━" in out  # ceil(1437 / 32) steps


@pytest.fixture
def no_mnist(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    home = tmp_path / "home"
    empty.mkdir()
    home.mkdir()
    monkeypatch.setenv("GLASSNET_DATASETS", str(empty))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("GLASSNET_HOME", raising=False)

    def refuse(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return tmp_path


def test_auto_falls_back_to_digits_without_mnist(no_mnist, capsys):
    output = no_mnist / "auto.weights.h5"
    cli.main(["train", "--epochs", "1", "--seed", "0", "--verbose", "0", "--output", str(output)])
    out = capsys.readouterr().out
    assert "MNIST is not available" in out and "using the bundled digits set instead" in out
    assert "mnist.npz" in out  # says what was missing
    assert "Dataset: digits" in out and "Test accuracy:" in out
    assert output.is_file()


def test_explicit_mnist_without_data_exits_with_the_reason(no_mnist, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["train", "--dataset", "mnist", "--epochs", "1"])
    message = str(info.value.code)
    assert "could not load mnist" in message and "mnist.npz" in message
    assert "Test accuracy" not in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["train", "--epochs", "0"], ["train", "--dataset", "cifar"],
                                  ["train", "--batch-size", "-2"], []])
def test_bad_arguments_are_rejected(argv, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    assert "usage: glassnet" in capsys.readouterr().err


def test_console_script_runs(tmp_path):
    env = dict(os.environ)
    result = subprocess.run([sys.executable, "-m", "glassnet.cli", "train", "--dataset", "digits", "--epochs", "1",
                             "--verbose", "0", "--output", str(tmp_path / "s.weights.h5")],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Dataset: digits" in result.stdout and "Test accuracy:" in result.stdout
    assert (tmp_path / "s.weights.h5").is_file()
    assert np.isfinite(float(re.search(r"Test accuracy: (\S+)", result.stdout).group(1)))


# --- --output is checked before anything is loaded or trained --------------------------------------------------------
@pytest.fixture
def no_training(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the data was loaded: --output should have been refused first")

    monkeypatch.setattr(cli, "_load", refuse)


@pytest.mark.parametrize("name, message", [
    ("model.txt", "must end in '.weights.h5' .* or '.keras'"),
    ("model.h5", "must end in '.weights.h5'"),
    ("missing/x.weights.h5", "the folder .*missing' does not exist"),
    ("folder.keras", "is a folder"),
])
def test_a_bad_output_fails_before_training(tmp_path, capsys, no_training, name, message):
    (tmp_path / "folder.keras").mkdir()
    with pytest.raises(SystemExit) as info:
        cli.main(["train", "--dataset", "digits", "--output", str(tmp_path / name)])
    assert info.value.code == 2
    assert re.search(message, capsys.readouterr().err)


@pytest.mark.skipif(os.name != "posix", reason="POSIX folder modes")
def test_an_unwritable_output_folder_fails_before_training(tmp_path, capsys, no_training, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.geteuid() == 0:  # root writes anywhere: pretend to be a user whom the mode stops
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(locked) else real(p, mode))
    with pytest.raises(SystemExit):
        cli.main(["train", "--dataset", "digits", "--output", str(locked / "x.weights.h5")])
    assert "is not writable" in capsys.readouterr().err


def test_the_default_output_is_checked_too(tmp_path, capsys, no_training, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "digits_mlp.weights.h5").mkdir()  # where the default name would be written
    with pytest.raises(SystemExit):
        cli.main(["train", "--dataset", "digits"])
    assert "'digits_mlp.weights.h5' is a folder" in capsys.readouterr().err


def test_output_keras_saves_the_whole_model(tmp_path, capsys):
    output = tmp_path / "digits.keras"
    cli.main(["train", "--dataset", "digits", "--epochs", "1", "--seed", "0", "--verbose", "0",
              "--output", str(output)])
    out = capsys.readouterr().out
    assert f"Saved the trained model to {output}" in out
    import glassnet

    model = glassnet.saving.load_model(output)
    (_, _), (x_test, y_test) = glassnet.datasets.digits.load_data()
    accuracy = model.evaluate(x_test.astype("float32") / 255.0, y_test, verbose=0)[1]
    assert f"Test accuracy: {accuracy:.4f}" in out
