"""Metric.add_variable: Keras 3's way to keep a metric's state in variables."""

import numpy as np
import pytest

import glassnet as keras
from glassnet import ops


class CountPositives(keras.metrics.Metric):
    def __init__(self, name="count_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.positives = self.add_variable(shape=(), initializer="zeros", name="positives")
        self.seen = self.add_variable(shape=(2,), initializer="ones", dtype="int32", name="seen", aggregation="mean")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = y_pred.numpy() if hasattr(y_pred, "numpy") else np.asarray(y_pred)
        self.positives.assign(self.positives + ops.sum(np.float32(y_pred > 0.5)))
        self.seen.assign(self.seen + 1)

    def result(self):
        return self.positives


def test_add_variable_state_updates_and_resets():
    metric = CountPositives()
    metric.update_state(None, np.array([0.9, 0.1, 0.7], dtype="float32"))
    metric.update_state(None, np.array([0.6], dtype="float32"))
    assert float(metric.result().numpy()) == 3.0
    assert metric.seen.numpy().tolist() == [3, 3] and metric.seen.dtype == np.int32
    assert [v.name for v in metric.variables] == ["positives", "seen"]
    assert not any(v.trainable for v in metric.variables)
    metric.reset_state()
    assert float(metric.result().numpy()) == 0.0 and metric.seen.numpy().tolist() == [1, 1]


def test_add_variable_metric_in_fit_and_evaluate_logs():
    x = np.random.default_rng(0).normal(size=(40, 4)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=[CountPositives()])
    history = model.fit(x, (x[:, 0] > 0).astype("float32"), epochs=2, batch_size=16, verbose=0).history
    assert len(history["count_positives"]) == 2 and 0 <= history["count_positives"][1] <= 40
    logs = model.evaluate(x, (x[:, 0] > 0).astype("float32"), batch_size=16, verbose=0, return_dict=True)
    assert logs["count_positives"] == float((model.predict(x, verbose=0) > 0.5).sum())


def test_bad_aggregation_is_refused():
    class Bad(keras.metrics.Metric):
        def __init__(self):
            super().__init__()
            self.add_variable((), "zeros", aggregation="median")

    with pytest.raises(ValueError, match="aggregation.*received 'median'"):
        Bad()
