"""Keras' target rules: a (n,) target for an (n, 1) output (and the reverse) is compared sample by sample, never
broadcast to (n, n); built-in losses, a loss function of one's own, and metrics agree with Keras 3."""

import os

import numpy as np
import pytest

import glassnet as keras


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


def _own_loss(ops):
    def squared(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)
    return squared


@pytest.mark.parametrize("loss", ["mse", "mae", "binary_crossentropy", "huber", "own"])
def test_flat_targets_for_a_column_output_match_keras(loss):
    k = _keras()
    rng = np.random.default_rng(3)
    x = rng.normal(size=(24, 3)).astype("float32")
    y = (rng.random(24) > 0.5).astype("float32")  # shape (24,), the model's output is (24, 1)
    ours = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    theirs = k.Sequential([k.Input((3,)), k.layers.Dense(1, activation="sigmoid")])
    theirs.set_weights(ours.get_weights())
    metrics = ["mae", "accuracy"] if loss == "binary_crossentropy" else ["mae"]
    ours.compile(optimizer="sgd", loss=_own_loss(keras.ops) if loss == "own" else loss, metrics=metrics)
    theirs.compile(optimizer="sgd", loss=_own_loss(k.ops) if loss == "own" else loss, metrics=metrics)
    expected = theirs.evaluate(x, y, batch_size=8, verbose=0)
    np.testing.assert_allclose(ours.evaluate(x, y, batch_size=8, verbose=0), expected, rtol=1e-5)
    predicted = ours.predict(x, verbose=0)[:, 0]
    if loss == "mse":
        assert expected[0] == pytest.approx(float(np.mean((predicted - y) ** 2)), rel=1e-5)


def test_loss_objects_squeeze_or_expand_like_keras():
    k = _keras()
    y = np.array([0.0, 1.0, 2.0, 3.0], dtype="float32")
    column = np.array([[0.5], [1.0], [1.5], [4.0]], dtype="float32")
    for ours, theirs in ((keras.losses.MeanSquaredError(), k.losses.MeanSquaredError()),
                         (keras.losses.Huber(), k.losses.Huber())):
        assert float(np.asarray(ours(y, column))) == pytest.approx(float(theirs(y, column)), rel=1e-6)
        assert float(np.asarray(ours(column, y))) == pytest.approx(float(theirs(column, y)), rel=1e-6)
    assert float(np.asarray(keras.losses.MeanSquaredError()(y, column))) == pytest.approx(0.375)
