"""``glassnet export MODEL.keras OUT.onnx``."""

import numpy as np
import pytest
from _onnx_check import run_onnx

import glassnet as keras
from glassnet import layers
from glassnet.cli import main


@pytest.fixture
def saved_model(tmp_path):
    model = keras.Sequential([keras.Input((5,)), layers.Dense(4, activation="relu"), layers.Dense(3)])
    path = tmp_path / "model.keras"
    model.save(str(path))
    return model, path


def test_export_command_writes_what_predict_computes(saved_model, tmp_path, capsys, rng):
    import onnx

    model, path = saved_model
    out = tmp_path / "model.onnx"
    assert main(["export", str(path), str(out)]) == 0
    assert "Saved artifact" in capsys.readouterr().out
    x = rng.normal(size=(6, 5)).astype("float32")
    got = run_onnx(onnx.load(str(out)), [x])[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), atol=1e-5)


def test_missing_model_file(tmp_path):
    with pytest.raises(SystemExit, match="does not exist"):
        main(["export", str(tmp_path / "nothing.keras"), str(tmp_path / "out.onnx")])
    assert not (tmp_path / "out.onnx").exists()


def test_unreadable_model_file(tmp_path):
    bad = tmp_path / "broken.keras"
    bad.write_bytes(b"this is not a zip file")
    with pytest.raises(SystemExit, match="cannot load the model"):
        main(["export", str(bad), str(tmp_path / "out.onnx")])


def test_output_folder_missing(saved_model, tmp_path):
    _, path = saved_model
    with pytest.raises(SystemExit, match="does not exist"):
        main(["export", str(path), str(tmp_path / "no" / "out.onnx")])


def test_unsupported_layer_through_the_command(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.UnitNormalization(name="unit")(inputs))
    path = tmp_path / "unit.keras"
    model.save(str(path))
    with pytest.raises(SystemExit, match=r"'unit' \(UnitNormalization\)"):
        main(["export", str(path), str(tmp_path / "out.onnx")])


def test_export_needs_two_arguments(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["export", "model.keras"])
    assert raised.value.code == 2
