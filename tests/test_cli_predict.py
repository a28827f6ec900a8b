"""`glassnet predict`: photo-like digits drawn with Pillow, .npy arrays, the JSON report, and clear errors."""

import json

import numpy as np
import pytest

import glassnet
from glassnet import cli

Image = pytest.importorskip("PIL.Image")


@pytest.fixture(scope="module")
def mnist():
    return glassnet.datasets.mnist.load_data()


@pytest.fixture(scope="module")
def model_file(mnist, tmp_path_factory):
    """The tutorial MLP, trained briefly on part of MNIST (about 95 % on the test set)."""
    (x_train, y_train), _ = mnist
    glassnet.utils.set_random_seed(0)
    model = cli.build_model((28, 28))
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x_train[:20000] / 255.0, y_train[:20000], epochs=2, batch_size=64, verbose=0)
    path = tmp_path_factory.mktemp("model") / "mnist.keras"
    model.save(path)
    return path, model


def photo_of(digit, rng):
    """An MNIST digit as a photo of dark ink on uneven, noisy paper, larger and off centre."""
    ink = Image.fromarray(digit).resize((150, 150), Image.Resampling.BILINEAR)
    ink = np.asarray(ink, dtype="float32") / 255.0
    height, width = 230, 260
    light = np.linspace(0.72, 0.95, width)[None, :] * np.linspace(0.9, 1.0, height)[:, None]
    paper = light + rng.normal(0, 0.03, (height, width))
    top, left = rng.integers(10, height - 160), rng.integers(10, width - 160)
    paper[top: top + 150, left: left + 150] *= 1.0 - 0.85 * ink
    return Image.fromarray((np.clip(paper, 0, 1) * 255).astype("uint8"))


def predict_json(capsys, *args):
    status = cli.main(["predict", *map(str, args), "--json"])
    return status, json.loads(capsys.readouterr().out)


def test_photos_of_digits_are_read_as_mnist_pictures(mnist, model_file, tmp_path, capsys):
    _, (x_test, _) = mnist
    path, model = model_file
    rng = np.random.default_rng(1)
    digits = x_test[:30]
    expected = model.predict(digits / 255.0, verbose=0).argmax(axis=1)
    files = []
    for index, digit in enumerate(digits):
        files.append(tmp_path / f"digit{index}.{'png' if index % 2 else 'jpg'}")
        photo_of(digit, rng).save(files[-1])
    status, report = predict_json(capsys, path, *files)
    assert status == 0 and len(report["predictions"]) == 30
    got = np.array([entry["top"][0]["class"] for entry in report["predictions"]])
    assert (got == expected).mean() >= 0.8, (got, expected)
    status, plain = predict_json(capsys, path, *files, "--no-invert")
    got_plain = np.array([entry["top"][0]["class"] for entry in plain["predictions"]])
    assert (got_plain == expected).mean() < 0.5  # the automatic inversion is what makes photos work


def test_light_digits_on_dark_are_not_inverted(mnist, model_file, tmp_path, capsys):
    _, (x_test, _) = mnist
    path, model = model_file
    Image.fromarray(x_test[0]).save(tmp_path / "mnist.png")
    _, report = predict_json(capsys, path, tmp_path / "mnist.png", "--top", "2")
    top = report["predictions"][0]["top"]
    assert len(top) == 2 and top[0]["probability"] >= top[1]["probability"]
    assert top[0]["class"] == int(model.predict(x_test[:1] / 255.0, verbose=0).argmax())


def test_npy_batches_and_single_samples_match_predict(mnist, model_file, tmp_path, capsys):
    _, (x_test, _) = mnist
    path, model = model_file
    batch = (x_test[:5] / 255.0).astype("float32")
    np.save(tmp_path / "batch.npy", batch)
    np.save(tmp_path / "one.npy", batch[0])
    _, report = predict_json(capsys, path, tmp_path / "batch.npy", tmp_path / "one.npy")
    probabilities = model.predict(batch, verbose=0)
    assert [entry["file"].rsplit("/", 1)[-1] for entry in report["predictions"]][:2] == ["batch.npy[0]",
                                                                                           "batch.npy[1]"]
    for entry, row in zip(report["predictions"], np.concatenate([probabilities, probabilities[:1]])):
        assert entry["top"][0]["class"] == int(row.argmax())
        assert entry["top"][0]["probability"] == pytest.approx(float(row.max()), rel=1e-5)


def test_text_report_names_each_file_and_class_names(model_file, mnist, tmp_path, capsys):
    _, (x_test, _) = mnist
    path, _ = model_file
    np.save(tmp_path / "one.npy", x_test[0] / 255.0)
    names = ",".join(f"digit-{i}" for i in range(10))
    assert cli.main(["predict", str(path), str(tmp_path / "one.npy"), "--class-names", names]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{tmp_path / 'one.npy'}: digit-") and line.count("(") == 3


def test_bad_files_are_reported_and_skipped(model_file, mnist, tmp_path, capsys):
    _, (x_test, _) = mnist
    path, _ = model_file
    (tmp_path / "broken.png").write_text("not an image")
    np.save(tmp_path / "wrong.npy", np.zeros((3, 5)))
    np.save(tmp_path / "good.npy", x_test[0] / 255.0)
    status = cli.main(["predict", str(path), str(tmp_path / "broken.png"), str(tmp_path / "wrong.npy"),
                       str(tmp_path / "missing.png"), str(tmp_path / "good.npy")])
    captured = capsys.readouterr()
    assert status == 1
    assert "broken.png: not a readable image" in captured.err
    assert "expects samples of shape (28, 28)" in captured.err and "(3, 5)" in captured.err
    assert "missing.png: no such file" in captured.err
    assert "good.npy:" in captured.out


def test_images_for_a_model_that_takes_no_image(tmp_path, capsys):
    model = glassnet.Sequential([glassnet.Input((5,)), glassnet.layers.Dense(3, activation="softmax")])
    model.save(tmp_path / "table.keras")
    Image.new("L", (28, 28)).save(tmp_path / "x.png")
    assert cli.main(["predict", str(tmp_path / "table.keras"), str(tmp_path / "x.png")]) == 1
    assert "is not a fixed-size image" in capsys.readouterr().err


def test_an_unreadable_model_is_a_clear_error(tmp_path):
    (tmp_path / "bad.keras").write_text("nope")
    with pytest.raises(SystemExit, match="cannot load the model"):
        cli.main(["predict", str(tmp_path / "bad.keras"), "x.npy"])


def test_logits_and_sigmoid_outputs_become_probabilities():
    from glassnet.prediction.command import as_probabilities

    logits = np.array([[2.0, -1.0, 0.5]])
    np.testing.assert_allclose(as_probabilities(logits), np.exp(logits) / np.exp(logits).sum(), rtol=1e-12)
    np.testing.assert_allclose(as_probabilities(np.array([[0.8]])), [[0.2, 0.8]])
    softmax = np.array([[0.1, 0.7, 0.2]])
    np.testing.assert_array_equal(as_probabilities(softmax), softmax)
