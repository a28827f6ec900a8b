"""Models written as the Keras 3 guides write them: constructors with any arguments, losses from add_loss or
compute_loss, and a custom train_step in the torch-backend style (zero_grad, backward, v.value.grad)."""

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers, ops


def _data(n=64, features=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x @ rng.normal(size=(features, 1))).astype("float32")
    return x, y


class AutoEncoder(keras.Model):
    """A VAE-shaped subclass: the constructor takes two models positionally; the loss comes from add_loss."""

    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder

    def call(self, x):
        reconstruction = self.decoder(self.encoder(x))
        self.add_loss(ops.mean(ops.square(reconstruction - x)))
        return reconstruction


def _encoder_decoder():
    encoder = keras.Sequential([keras.Input((8,)), layers.Dense(3)])
    decoder = keras.Sequential([keras.Input((3,)), layers.Dense(8)])
    return encoder, decoder


def test_subclass_taking_two_models_positionally_is_not_functional():
    model = AutoEncoder(*_encoder_decoder())
    assert type(model) is AutoEncoder
    assert model.encoder is not None and model.decoder is not None


def test_fit_on_add_loss_alone_lowers_it():
    x, _ = _data()
    model = AutoEncoder(*_encoder_decoder())
    model.compile(optimizer="adam")
    history = model.fit(x, epochs=15, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] * 0.9
    assert model.evaluate(x, verbose=0) == pytest.approx(losses[-1], rel=0.5)


def test_fit_without_any_loss_still_says_so():
    model = keras.Sequential([keras.Input((8,)), layers.Dense(1)])
    model.compile(optimizer="adam")
    x, y = _data()
    with pytest.raises(ValueError, match="needs a loss"):
        model.fit(x, y, verbose=0)


def test_model_called_with_symbolic_tensors_is_still_functional():
    inputs = keras.Input((8,))
    outputs = layers.Dense(1)(inputs)
    assert isinstance(keras.Model(inputs, outputs), keras.models.Functional)
    assert isinstance(keras.Model(inputs=inputs, outputs=outputs), keras.models.Functional)
    assert isinstance(TorchStyleStep(inputs, outputs), keras.models.Functional)


class OwnLoss(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(1)

    def call(self, x):
        return self.dense(x)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return ops.mean(ops.abs(y - y_pred))


def test_fit_with_an_overridden_compute_loss():
    x, y = _data()
    model = OwnLoss()
    model.compile(optimizer=keras.optimizers.Adam(0.05))
    history = model.fit(x, y, epochs=10, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    mae = float(np.mean(np.abs(model.predict(x, verbose=0) - y)))
    assert history.history["loss"][-1] == pytest.approx(mae, rel=0.3)


class TorchStyleStep(keras.Model):
    """The train_step of keras.io's "Customizing what happens in fit() with PyTorch", unchanged."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_torch_style_train_step_trains_and_reports_metrics():
    x, y = _data()
    inputs = keras.Input(shape=(8,))
    model = TorchStyleStep(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=8, verbose=0)
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["mae"][-1] < history.history["mae"][0]


def test_variable_value_grad_is_the_gradient():
    v = keras.Variable(np.array([1.0, 2.0], dtype="float32"))
    loss = ops.sum(v * v)
    loss.backward()
    np.testing.assert_allclose(v.value.grad, [2.0, 4.0])


def test_keras2_compiled_loss_and_compiled_metrics():
    class Keras2Step(keras.Model):
        def train_step(self, data):
            x, y = data
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            self.zero_grad()
            loss.backward()
            self.optimizer.apply([v.value.grad for v in self.trainable_weights], self.trainable_weights)
            self.compiled_metrics.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    x, y = _data()
    inputs = keras.Input(shape=(8,))
    model = Keras2Step(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=6, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["mae"][-1] < history.history["mae"][0]


def test_sequential_inputs_outputs_make_a_feature_extractor():
    model = keras.Sequential([keras.Input((8,)), layers.Dense(4, name="hidden"), layers.Dense(2)])
    assert [tuple(t.shape) for t in model.inputs] == [(None, 8)]
    assert [tuple(t.shape) for t in model.outputs] == [(None, 2)]
    extractor = keras.Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])
    x, _ = _data(5)
    hidden, out = extractor.predict(x, verbose=0)
    np.testing.assert_allclose(out, model.predict(x, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(hidden, model.get_layer("hidden")(x).numpy(), rtol=1e-6)


def test_unbuilt_sequential_has_no_inputs_yet():
    with pytest.raises(AttributeError, match="no defined inputs"):
        _ = keras.Sequential([layers.Dense(2)]).inputs


class Blend(layers.Layer):
    """A layer whose call takes two tensors positionally and a third by keyword."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, a, b, scale=None):
        out = a * self.w + b
        return out if scale is None else out * scale


def test_layer_called_with_several_tensor_arguments(tmp_path):
    a, b, scale = keras.Input((3,)), keras.Input((3,)), keras.Input((1,))
    blended = Blend()(a, b, scale=scale)
    assert tuple(blended.shape) == (None, 3)
    model = keras.Model([a, b, scale], layers.Dense(2)(blended))
    rng = np.random.default_rng(1)
    x = [rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=(4, 3)).astype("float32"),
         rng.normal(size=(4, 1)).astype("float32")]
    expected = model.layers[-1]((x[0] + x[1]) * x[2]).numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, np.zeros((4, 2), "float32"), epochs=1, verbose=0)
    model.save(tmp_path / "blend.keras")
    loaded = keras.saving.load_model(tmp_path / "blend.keras", custom_objects={"Blend": Blend})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_custom_test_step_logs_reach_callbacks_flat():
    class OwnTestStep(keras.Model):
        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            for metric in self.metrics:
                metric.update_state(loss) if metric.name == "loss" else metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    seen = []
    recorder = keras.callbacks.LambdaCallback(on_test_batch_end=lambda batch, logs: seen.append(dict(logs)))
    x, y = _data()
    inputs = keras.Input((8,))
    model = OwnTestStep(inputs, layers.Dense(1)(inputs))
    model.compile(loss="mse", metrics=["mae"])
    result = model.evaluate(x, y, batch_size=32, callbacks=[recorder], verbose=0, return_dict=True)
    assert set(seen[-1]) == {"loss", "mae"} and all(isinstance(v, float) for v in seen[-1].values())
    assert seen[-1]["mae"] == pytest.approx(result["mae"])


class TinyGAN(keras.Model):
    """The guide's GAN pattern: constructor taking two models, compile() of its own, two optimizers, zero_grad."""

    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator, self.generator, self.latent_dim = discriminator, generator, latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.rng = np.random.default_rng(0)
        self.built = True

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer, self.g_optimizer, self.loss_fn = d_optimizer, g_optimizer, loss_fn

    def _latent(self, n):
        return self.rng.normal(size=(n, self.latent_dim)).astype("float32")

    def train_step(self, real):
        real = real[0] if isinstance(real, tuple) else real
        n = real.shape[0]
        combined = ops.concatenate([self.generator(self._latent(n)), real], axis=0)
        labels = np.concatenate([np.ones((n, 1)), np.zeros((n, 1))]).astype("float32")
        self.zero_grad()
        d_loss = self.loss_fn(labels, self.discriminator(combined))
        d_loss.backward()
        self.d_optimizer.apply([v.value.grad for v in self.discriminator.trainable_weights],
                               self.discriminator.trainable_weights)
        self.zero_grad()
        g_loss = self.loss_fn(np.zeros((n, 1), "float32"), self.discriminator(self.generator(self._latent(n))))
        g_loss.backward()
        self.g_optimizer.apply([v.value.grad for v in self.generator.trainable_weights],
                               self.generator.trainable_weights)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def test_gan_pattern_updates_each_network_with_its_own_optimizer():
    discriminator = keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
    generator = keras.Sequential([keras.Input((3,)), layers.Dense(6, activation="sigmoid")])
    gan = TinyGAN(discriminator, generator, latent_dim=3)
    assert type(gan) is TinyGAN
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2),
                keras.losses.BinaryCrossentropy(from_logits=True))
    before = [w.numpy().copy() for w in generator.weights + discriminator.weights]
    real = np.random.default_rng(1).random((64, 6)).astype("float32")
    history = gan.fit(real, batch_size=16, epochs=2, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss"} and len(history.history["d_loss"]) == 2
    after = [w.numpy() for w in generator.weights + discriminator.weights]
    assert all(not np.allclose(a, b) for a, b in zip(before, after))
