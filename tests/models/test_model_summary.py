"""model.summary(): the table Keras 3 prints, with the same counts."""

import os

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers


def tutorial_model(dropout=False, names=False):
    named = (lambda n: {"name": n}) if names else (lambda n: {})
    stack = [keras.Input(shape=(28, 28)), layers.Flatten(**named("flat")),
             layers.Dense(128, activation="relu", **named("hidden"))]
    if dropout:
        stack.append(layers.Dropout(0.2, **named("drop")))
    stack.append(layers.Dense(10, activation="softmax", **named("out")))
    return keras.Sequential(stack, **({"name": "tutorial"} if names else {}))


def summary_text(model):
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def test_summary_rows_and_totals():
    text = summary_text(tutorial_model())
    hidden = 784 * 128 + 128
    out = 128 * 10 + 10
    assert text.startswith('Model: "sequential"')
    assert "Layer (type)" in text and "Output Shape" in text and "Param #" in text
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert len(rows) == 3
    assert "flatten (Flatten)" in rows[0] and "(None, 784)" in rows[0] and rows[0].rstrip("│ ").endswith("0")
    assert "dense (Dense)" in rows[1] and "(None, 128)" in rows[1] and f"{hidden:,}" in rows[1]
    assert f"{hidden:,}" == "100,480"
    assert "dense_1 (Dense)" in rows[2] and "(None, 10)" in rows[2] and f"{out:,}" in rows[2]
    assert f"Total params: {hidden + out:,} " in text and "Total params: 101,770" in text
    assert f"Trainable params: {hidden + out:,}" in text
    assert "Non-trainable params: 0 (0.00 B)" in text
    assert f"({(hidden + out) * 4 / 1024:.2f} KB)" in text  # float32: 4 bytes a parameter
    assert "Optimizer params" not in text


def test_summary_prints_by_default(capsys):
    tutorial_model().summary()
    assert "Total params: 101,770" in capsys.readouterr().out


def test_summary_counts_optimizer_slots_after_training():
    model = tutorial_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(np.zeros((4, 28, 28), dtype="float32"), np.zeros(4, dtype="int64"), epochs=1, verbose=0)
    text = summary_text(model)
    weights = 101_770
    optimizer = 2 * weights + 2  # Adam's two moments per weight, the iteration counter and the learning rate
    assert f"Optimizer params: {optimizer:,}" in text
    assert f"Total params: {weights + optimizer:,}" in text
    assert f"Trainable params: {weights:,}" in text


def test_summary_of_an_unbuilt_model_explains_instead_of_raising():
    model = keras.Sequential([layers.Dense(4), layers.Dense(2)])
    text = summary_text(model)
    assert "dense (Dense)" in text and "dense_1 (Dense)" in text
    assert "unbuilt" in text
    assert "not built yet" in text and "keras.Input" in text
    assert "Total params: 0" in text


def test_summary_counts_non_trainable_weights():
    model = tutorial_model()
    model.get_layer("dense").trainable = False
    text = summary_text(model)
    assert "Trainable params: 1,290" in text
    assert "Non-trainable params: 100,480" in text


# --- against the installed Keras -------------------------------------------------------------------------------------
def _keras():
    os.environ["KERAS_BACKEND"] = "torch"
    return pytest.importorskip("keras")


def _keras_model(k, dropout):
    stack = [k.Input(shape=(28, 28)), k.layers.Flatten(name="flat"), k.layers.Dense(128, activation="relu", name="hidden")]
    if dropout:
        stack.append(k.layers.Dropout(0.2, name="drop"))
    stack.append(k.layers.Dense(10, activation="softmax", name="out"))
    return k.Sequential(stack, name="tutorial")


def _keras_summary(model):
    chunks = []
    model.summary(print_fn=lambda text, **kwargs: chunks.append(text))
    return "".join(chunks).strip("\n")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("dropout", [False, True])
def test_summary_matches_keras_exactly(dropout):
    k = _keras()
    ours = summary_text(tutorial_model(dropout=dropout, names=True))
    theirs = _keras_summary(_keras_model(k, dropout))
    assert ours == theirs


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_summary_after_training_matches_keras_exactly():
    k = _keras()
    x, y = np.zeros((4, 28, 28), dtype="float32"), np.zeros(4, dtype="int64")
    ours_model = tutorial_model(dropout=True, names=True)
    theirs_model = _keras_model(k, dropout=True)
    for model in (ours_model, theirs_model):
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=1, verbose=0)
    assert summary_text(ours_model) == _keras_summary(theirs_model)
