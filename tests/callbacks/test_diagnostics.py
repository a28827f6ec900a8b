"""Diagnostics: per-layer health, and the first op and layer that produced a NaN."""

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers


def _data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 20)).astype("float32")
    y = (x[:, :10].sum(axis=1) > x[:, 10:].sum(axis=1)).astype("int64")
    return x, y


def _first_non_finite_layer(model, x):
    """Run the Dense layers one by one in NumPy float32; the first whose output is not finite.

    A sigmoid maps an overflowed +-inf to 1 or 0, so the first non-finite output can come after the
    layer that overflowed; the softmax layer's logits (before the softmax) count as its output.
    """
    h = x.astype("float32")
    with np.errstate(all="ignore"):
        for layer in model.layers:
            kernel, bias = layer.get_weights()
            z = h @ kernel + bias
            h = 1 / (1 + np.exp(-z)) if layer.activation.__name__ == "sigmoid" else z
            if not np.isfinite(h).all():
                return layer.name
    return None


def test_names_the_layer_where_a_nan_first_appears_and_keeps_the_model_usable():
    x, y = _data()
    x = x * 1000.0  # unnormalised inputs
    model = keras.Sequential([keras.Input(shape=(20,))] + [layers.Dense(32, activation="sigmoid") for _ in range(3)]
                             + [layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e38), loss="sparse_categorical_crossentropy")
    lines = []
    diagnostics = keras.callbacks.Diagnostics(print_fn=lines.append)
    model.fit(x, y, batch_size=len(x), epochs=5, shuffle=False, verbose=0, callbacks=[diagnostics])
    anomaly = diagnostics.anomaly
    assert anomaly is not None, "the huge learning rate should have produced a NaN or infinity"
    # The reported layer is the first whose output overflows with the weights the model kept.
    assert anomaly["layer"] == _first_non_finite_layer(model, x)
    assert anomaly["phase"] == "forward"
    assert "learning rate" in anomaly["hint"]
    assert any(anomaly["layer"] in line for line in lines)
    # the failing update was skipped: the weights are still finite and the model still runs
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert model.predict(x[:8], verbose=0).shape == (8, 2)


def test_saturated_sigmoids_and_a_high_learning_rate_are_named_per_layer():
    x, y = _data()
    model = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(32, activation="sigmoid", name="hidden"),
                              layers.Dense(2, activation="softmax", name="out")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e3), loss="sparse_categorical_crossentropy")
    diagnostics = keras.callbacks.Diagnostics(every=1, verbose=0)
    model.fit(x * 50.0, y, batch_size=32, epochs=2, verbose=0, callbacks=[diagnostics])
    report = diagnostics.reports[-1]
    hidden = report["layers"]["hidden"]
    # independent check of the saturation share on the final weights
    kernel, bias = model.get_layer("hidden").get_weights()
    with np.errstate(over="ignore"):
        outputs = 1 / (1 + np.exp(-((x * 50.0) @ kernel + bias)))
    assert hidden["saturated"] > 0.5 and ((outputs < 0.01) | (outputs > 0.99)).mean() > 0.5
    assert any("hidden" in hint and "saturated" in hint for hint in report["hints"])
    assert any("learning rate" in hint for hint in report["hints"])


def test_healthy_training_reports_stats_without_alarms():
    x, y = _data(512)
    model = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(16, activation="relu", name="hidden"),
                              layers.Dense(2, activation="softmax", name="out")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    diagnostics = keras.callbacks.Diagnostics(every=2, verbose=0)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[diagnostics])
    assert diagnostics.anomaly is None
    stats = diagnostics.reports[-1]["layers"]["hidden"]
    assert {"mean", "std", "dead", "grad_norm", "update_ratio"} <= set(stats)
    assert 1e-5 < stats["update_ratio"] < 1e-1
    assert not any("learning rate" in hint for hint in diagnostics.reports[-1]["hints"])
    # the training loop is restored: no wrappers left on the model or its optimizer
    assert "train_step" not in model.__dict__ and "apply" not in model.optimizer.__dict__


def test_every_must_be_positive():
    with pytest.raises(ValueError, match="every"):
        keras.callbacks.Diagnostics(every=0)


def test_detect_anomaly_reports_the_op_and_layer():
    from glassnet.autodiff import detect_anomaly

    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2, name="first"), layers.Dense(1, name="second")])
    model.get_layer("second").set_weights([np.full((2, 1), np.inf, "float32"), np.zeros(1, "float32")])
    with detect_anomaly() as trace:
        model(np.ones((4, 3), "float32"))
    assert trace.forward.layer.name == "second" and trace.forward.op == "Dense"
    assert "second" in trace.describe()
