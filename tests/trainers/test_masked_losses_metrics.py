"""Losses and metrics skip the timesteps masked out by the predictions' mask, as Keras 3 computes them."""

import os

import numpy as np
import pytest

import glassnet as gn


def _tagger(m, weights=None):
    inputs = m.Input(shape=(None,), dtype="int32")
    hidden = m.layers.Embedding(10, 4, mask_zero=True)(inputs)
    outputs = m.layers.TimeDistributed(m.layers.Dense(3, activation="softmax"))(hidden)
    model = m.Model(inputs, outputs)
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  weighted_metrics=["accuracy"])
    return model


def _data(rng):
    ids = rng.integers(1, 10, (8, 6))
    ids[:, 4:] = 0
    ids[2, 2:] = 0
    return ids, rng.integers(0, 3, (8, 6))


def test_targets_of_masked_steps_change_neither_loss_nor_metrics(rng):
    ids, y = _data(rng)
    model = _tagger(gn)
    changed = y.copy()
    changed[ids == 0] = (changed[ids == 0] + 1) % 3
    assert model.evaluate(ids, y, verbose=0) == model.evaluate(ids, changed, verbose=0)


def test_masked_mean_is_over_the_real_steps_only(rng):
    ids, y = _data(rng)
    model = _tagger(gn)
    probabilities = model.predict(ids, verbose=0)
    real = ids != 0
    per_step = -np.log(np.take_along_axis(probabilities, y[..., None], axis=-1)[..., 0])
    accuracy = (probabilities.argmax(-1) == y)[real].mean()
    logs = model.evaluate(ids, y, verbose=0, batch_size=8, return_dict=True)
    np.testing.assert_allclose(logs.pop("loss"), per_step[real].mean(), rtol=1e-5)
    assert logs and all(name.endswith("accuracy") for name in logs)
    np.testing.assert_allclose(list(logs.values()), [accuracy] * len(logs), rtol=1e-6)


@pytest.mark.filterwarnings("ignore")
def test_loss_and_metrics_with_mask_and_sample_weight_equal_keras(rng):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    ids, y = _data(rng)
    weights = rng.uniform(0.5, 2.0, (8, 6)).astype("float32")  # per step: Keras fails on (8,) with a mask
    ours = _tagger(gn)
    theirs = _tagger(keras, ours.get_weights())
    for sample_weight in (None, weights):
        got = ours.evaluate(ids, y, sample_weight=sample_weight, batch_size=8, verbose=0, return_dict=True)
        want = theirs.evaluate(ids, y, sample_weight=sample_weight, batch_size=8, verbose=0, return_dict=True)
        assert sorted(got) == sorted(want)
        for name in want:
            np.testing.assert_allclose(got[name], float(want[name]), rtol=1e-5, err_msg=name)


def test_masked_training_ignores_padding_targets(rng):
    ids, y = _data(rng)
    first, second = _tagger(gn), _tagger(gn)
    second.set_weights(first.get_weights())
    changed = y.copy()
    changed[ids == 0] = (changed[ids == 0] + 1) % 3
    first.fit(ids, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    second.fit(ids, changed, epochs=2, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
