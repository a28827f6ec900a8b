"""TerminateOnNaN: a diverging model stops at the first non-finite batch loss (or raises)."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.callbacks import Callback, LambdaCallback, TerminateOnNaN


def diverging_model():
    """Linear regression on unnormalised data with a huge learning rate: the loss overflows in a few steps."""
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(256, 8)) * 1000).astype("float32")
    y = (rng.normal(size=(256, 1)) * 1000).astype("float32")
    model = gn.Sequential([gn.Input(shape=(8,)), layers.Dense(1)])
    model.compile(optimizer=gn.optimizers.SGD(learning_rate=10.0), loss="mse")
    return model, x, y


def test_stops_training_at_the_first_bad_batch(capsys):
    model, x, y = diverging_model()
    losses = []
    record = LambdaCallback(on_train_batch_end=lambda batch, logs: losses.append(logs["loss"]))
    with np.errstate(all="ignore"):
        history = model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[record, TerminateOnNaN()])
    bad = next(i for i, loss in enumerate(losses) if not np.isfinite(loss))
    assert len(losses) == bad + 1  # nothing ran after the bad batch
    assert history.epoch == [0]  # the epoch ends, its logs are recorded, no further epoch
    assert f"Batch {bad}: Invalid loss, terminating training" in capsys.readouterr().out
    assert model.stop_training


def test_raise_error_raises_and_skips_on_train_end():
    model, x, y = diverging_model()
    ended = []

    class Ends(Callback):
        def on_train_end(self, logs=None):
            ended.append(True)

    with np.errstate(all="ignore"), pytest.raises(RuntimeError, match=r"NaN or Inf loss encountered at batch \d+"):
        model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[TerminateOnNaN(raise_error=True), Ends()])
    assert ended == []


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf"), np.float32("nan")])
def test_every_non_finite_value_counts(bad):
    model, _, _ = diverging_model()
    callback = TerminateOnNaN()
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_batch_end(3, {"loss": 1.0})
    assert not model.stop_training
    callback.on_train_batch_end(4, {"loss": bad})
    assert model.stop_training


def test_no_loss_in_the_logs_is_ignored():
    callback = TerminateOnNaN()
    callback.on_train_batch_end(0, {})
    callback.on_train_batch_end(0, None)
    callback.on_batch_end(0, {"accuracy": float("nan")})


def test_a_healthy_fit_runs_to_the_end():
    rng = np.random.default_rng(0)
    model = gn.Sequential([gn.Input(shape=(3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(rng.random((32, 3)), rng.random((32, 1)), epochs=3, verbose=0, callbacks=[TerminateOnNaN()])
    assert history.epoch == [0, 1, 2]
