"""Subclassing: custom layers (build/call/add_weight/get_config), custom models, losses, metrics and train_step."""

import os

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers, ops


def _keras():
    os.environ["KERAS_BACKEND"] = "torch"
    return pytest.importorskip("keras")


def digits(n=600):
    (x, y), (xt, yt) = keras.datasets.digits.load_data()
    return (x[:n].reshape(n, 64) / 255.0).astype("float32"), y[:n], (xt.reshape(-1, 64) / 255.0).astype("float32"), yt


class Linear(layers.Layer):
    """The Keras guide's custom layer: y = x w + b."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True,
                                 name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True, name="b")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class MLP(keras.Model):
    """A subclassed model: layers made in __init__, wired in call."""

    def __init__(self, hidden=32, classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden = Linear(hidden)
        self.dropout = layers.Dropout(0.1)
        self.classifier = layers.Dense(classes, activation="softmax")

    def call(self, inputs, training=None):
        return self.classifier(self.dropout(ops.relu(self.hidden(inputs)), training=training))


def test_custom_layer_builds_weights_on_first_call(rng):
    layer = Linear(4)
    x = rng.standard_normal((3, 5)).astype("float32")
    out = layer(x).numpy()
    assert [w.path for w in layer.weights] == ["linear/w", "linear/b"] and layer.w.shape == (5, 4)
    np.testing.assert_allclose(out, x @ layer.w.numpy() + layer.b.numpy(), rtol=1e-5, atol=1e-6)
    clone = Linear.from_config(layer.get_config())
    assert clone.units == 4 and clone.name == layer.name


def test_custom_layer_in_sequential_and_functional_models_trains(rng):
    x, y = rng.random((128, 6)).astype("float32"), rng.random((128, 1)).astype("float32")
    sequential = keras.Sequential([keras.Input(shape=(6,)), Linear(8), layers.Activation("tanh"), Linear(1)])
    inputs = keras.Input(shape=(6,))
    functional = keras.Model(inputs, Linear(1)(layers.Activation("tanh")(Linear(8)(inputs))))
    for model in (sequential, functional):
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(x, y, epochs=15, verbose=0).history
        assert history["loss"][-1] < history["loss"][0]
        assert len(model.trainable_weights) == 4


def test_a_layer_without_get_config_records_its_arguments():
    class Scaled(layers.Layer):
        def __init__(self, factor, offset=0.0, **kwargs):
            super().__init__(**kwargs)
            self.factor, self.offset = factor, offset

        def call(self, inputs):
            return inputs * self.factor + self.offset

    layer = Scaled(2.5, offset=1.0, name="scaled")
    config = layer.get_config()
    assert config["factor"] == 2.5 and config["offset"] == 1.0 and config["name"] == "scaled"
    clone = Scaled.from_config(config)
    np.testing.assert_allclose(clone(np.ones((1, 2))).numpy(), [[3.5, 3.5]])


def test_a_layer_whose_arguments_cannot_be_saved_says_to_write_get_config():
    class Holder(layers.Layer):
        def __init__(self, table, **kwargs):
            super().__init__(**kwargs)
            self.table = table

    with pytest.raises(NotImplementedError, match="Holder 'holder'.*\\['table'\\].*get_config"):
        Holder(object()).get_config()


def test_subclassed_model_trains_with_fit_and_predicts():
    x, y, xt, yt = digits()
    model = MLP()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=25, batch_size=32, verbose=0).history
    assert history["loss"][-1] < history["loss"][0] / 3
    loss, accuracy = model.evaluate(xt, yt, verbose=0)
    assert accuracy > 0.8
    assert [type(layer).__name__ for layer in model.layers] == ["Linear", "Dropout", "Dense"]
    assert model.predict(xt[:5], verbose=0).shape == (5, 10)


def test_subclassed_model_summary_matches_keras():
    k = _keras()

    class KerasMLP(k.Model):
        def __init__(self):
            super().__init__(name="mlp")
            self.hidden = k.layers.Dense(32, activation="relu", name="hidden")
            self.classifier = k.layers.Dense(10, name="classifier")

        def call(self, inputs):
            return self.classifier(self.hidden(inputs))

    class OurMLP(keras.Model):
        def __init__(self):
            super().__init__(name="mlp")
            self.hidden = layers.Dense(32, activation="relu", name="hidden")
            self.classifier = layers.Dense(10, name="classifier")

        def call(self, inputs):
            return self.classifier(self.hidden(inputs))

    ours, theirs = OurMLP(), KerasMLP()
    x = np.zeros((4, 64), dtype="float32")
    ours(x), theirs(x)
    mine, reference = [], []
    ours.summary(print_fn=mine.append)
    theirs.summary(print_fn=lambda text, **_: reference.append(text))
    assert "\n".join(mine) == "".join(reference).strip("\n")


# --- custom losses, metrics and training steps ------------------------------------------------------------------
def make_mse(o):
    def my_mse(y_true, y_pred):
        return o.mean(o.square(y_true - y_pred), axis=-1)

    return my_mse


def make_mean_prediction(o):
    def mean_prediction(y_true, y_pred):
        return o.mean(y_pred, axis=-1)

    return mean_prediction


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_custom_loss_and_metric_functions_match_keras(rng):
    k = _keras()
    x, y = rng.random((64, 4)).astype("float32"), rng.random((64, 2)).astype("float32")
    ours = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    theirs = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(2)])
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    ours.compile(optimizer="sgd", loss=make_mse(keras.ops), metrics=[make_mean_prediction(keras.ops)])
    theirs.compile(optimizer="sgd", loss=make_mse(k.ops), metrics=[make_mean_prediction(k.ops)])
    kwargs = dict(epochs=3, batch_size=16, shuffle=False, verbose=0)
    mine, reference = ours.fit(x, y, **kwargs).history, theirs.fit(x, y, **kwargs).history
    assert sorted(mine) == sorted(reference) == ["loss", "mean_prediction"]
    for key in reference:
        np.testing.assert_allclose(mine[key], reference[key], rtol=1e-4)


def test_loss_and_metric_subclasses(rng):
    class Halved(keras.losses.Loss):
        def call(self, y_true, y_pred):
            return ops.mean(ops.square(y_pred - y_true), axis=-1) / 2.0

    class MaxError(keras.metrics.Metric):
        def __init__(self, name="max_error", **kwargs):
            super().__init__(name=name, **kwargs)
            self.reset_state()

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.worst = max(self.worst, float(np.max(np.abs(np.asarray(y_true) - np.asarray(y_pred)))))

        def result(self):
            return self.worst

        def reset_state(self):
            self.worst = 0.0

    x, y = rng.random((32, 3)).astype("float32"), rng.random((32, 1)).astype("float32")
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss=Halved(), metrics=[MaxError()])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    prediction = model.predict(x, verbose=0)
    assert logs["loss"] == pytest.approx(np.mean((prediction - y) ** 2) / 2, rel=1e-5)
    assert logs["max_error"] == pytest.approx(np.max(np.abs(prediction - y)), rel=1e-5)


class CustomStep(keras.Model):
    """Keras' "customizing fit" guide, written for glassnet's autodiff (backward, then optimizer.apply)."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        weights = self.trainable_weights
        self.optimizer.apply([w.grad for w in weights], weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_overridden_train_step_trains_like_the_built_in_one(rng):
    k = _keras()
    x, y = rng.random((96, 8)).astype("float32"), rng.random((96, 1)).astype("float32")
    inputs = keras.Input(shape=(8,))
    custom = CustomStep(inputs, layers.Dense(1)(inputs))
    plain = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(1)])
    plain.set_weights(custom.get_weights())
    for model in (custom, plain):
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    kwargs = dict(epochs=3, batch_size=32, shuffle=False, verbose=0)
    mine, built_in = custom.fit(x, y, **kwargs).history, plain.fit(x, y, **kwargs).history
    assert sorted(mine) == ["loss", "mae"]
    for key in mine:
        np.testing.assert_allclose(mine[key], built_in[key], rtol=1e-5)

    class KerasCustomStep(k.Model):  # the same guide code in Keras (torch backend): the same log keys
        def train_step(self, data):
            import torch

            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            weights = list(self.trainable_weights)
            with torch.no_grad():
                self.optimizer.apply([w.value.grad for w in weights], weights)
            for metric in self.metrics:
                metric.update_state(loss) if metric.name == "loss" else metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    kin = k.Input(shape=(8,))
    theirs = KerasCustomStep(kin, k.layers.Dense(1)(kin))
    theirs.compile(optimizer="adam", loss="mse", metrics=["mae"])
    assert sorted(theirs.fit(x, y, **kwargs).history) == sorted(mine)
