"""Wrapper, SpectralNormalization, Pipeline and ReversibleEmbedding: Keras 3 parity, configs, .keras files both ways."""

import os

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def to_numpy(keras, value):
    return np.asarray(keras.ops.convert_to_numpy(value))


def plain(value):
    return (value["class_name"], value["config"]) if isinstance(value, dict) and "class_name" in value else value


# --- Wrapper --------------------------------------------------------------------------------------------------------
class Twice(layers.Wrapper):
    """A user's wrapper: the wrapped layer applied twice."""

    def call(self, inputs):
        return self.layer(self.layer(inputs))


def test_a_wrapper_subclass_builds_calls_and_round_trips(rng):
    x = rng.standard_normal((2, 3)).astype("float32")
    wrapped = Twice(layers.Dense(3, use_bias=False), name="twice")
    y = wrapped(x).numpy()
    kernel = wrapped.layer.kernel.numpy()
    np.testing.assert_allclose(y, x @ kernel @ kernel, rtol=1e-5, atol=1e-6)
    assert [w.name for w in wrapped.weights] == ["kernel"]
    config = wrapped.get_config()
    assert config["layer"]["class_name"] == "Dense" and config["name"] == "twice"
    again = Twice.from_config(config)
    assert isinstance(again.layer, layers.Dense) and again.layer.units == 3


def test_wrapper_refuses_what_is_not_a_layer():
    with pytest.raises(ValueError, match="Layer instance.*got 3"):
        Twice(3)


def test_time_distributed_is_a_wrapper():
    assert issubclass(layers.TimeDistributed, layers.Wrapper)
    td = layers.TimeDistributed(layers.Dense(2))
    assert layers.TimeDistributed.from_config(td.get_config()).layer.units == 2


# --- SpectralNormalization --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, shape, iterations", [
    (lambda m: m.layers.Dense(3), (4, 5), 1),
    (lambda m: m.layers.Dense(4), (2, 3, 5), 3),
    (lambda m: m.layers.Conv2D(2, 3), (2, 6, 6, 3), 2),
])
def test_spectral_normalization_equals_keras_after_a_training_call(make, shape, iterations, rng):
    keras = pytest.importorskip("keras")
    x = rng.standard_normal(shape).astype("float32")
    ours = layers.SpectralNormalization(make(gn), power_iterations=iterations)
    theirs = keras.layers.SpectralNormalization(make(keras), power_iterations=iterations)
    ours.build(shape)
    theirs.build(shape)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    weights = [rng.standard_normal(tuple(w.shape)).astype("float32") for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    np.testing.assert_allclose(ours(x, training=False).numpy(), to_numpy(keras, theirs(x, training=False)),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.kernel.numpy(), weights[0])  # inference leaves the kernel alone
    for _ in range(2):
        want = to_numpy(keras, theirs(x, training=True))
        np.testing.assert_allclose(ours(x, training=True).numpy(), want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.vector_u.numpy(), to_numpy(keras, theirs.vector_u), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.kernel.numpy(), to_numpy(keras, theirs.kernel), rtol=1e-5, atol=1e-6)
    # the kernel now has spectral norm ~1
    top = np.linalg.svd(ours.kernel.numpy().reshape(-1, ours.kernel.shape[-1]), compute_uv=False)[0]
    assert abs(top - 1) < 0.3
    config = {k: plain(v) for k, v in theirs.get_config().items() if k not in ("name", "dtype", "layer")}
    assert {k: plain(ours.get_config()[k]) for k in config} == config


def test_spectral_normalization_leaves_an_all_zero_kernel_and_checks_its_arguments():
    layer = layers.SpectralNormalization(layers.Dense(2, kernel_initializer="zeros"))
    layer(np.ones((1, 3), "float32"), training=True)
    assert not layer.kernel.numpy().any()
    with pytest.raises(ValueError, match="power_iterations.*greater than zero.*got 0"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="'kernel' or 'embeddings'.*Dropout"):
        layers.SpectralNormalization(layers.Dropout(0.5)).build((None, 3))


def test_spectral_normalization_trains_in_fit(rng):
    x, y = rng.standard_normal((16, 4)).astype("float32"), rng.standard_normal((16, 1)).astype("float32")
    model = gn.Sequential([gn.Input((4,)), layers.SpectralNormalization(layers.Dense(1))])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    kernel = model.layers[0].kernel.numpy()
    assert np.isfinite(kernel).all() and model.layers[0].vector_u.trainable is False


# --- Pipeline -----------------------------------------------------------------------------------------------------------
def test_pipeline_equals_keras_and_applies_layers_in_order(rng):
    keras = pytest.importorskip("keras")
    x = rng.standard_normal((3, 4)).astype("float32")

    def make(m):
        return m.layers.Pipeline([m.layers.Dense(5, activation="relu"), m.layers.Rescaling(0.5, offset=1.0),
                                  m.layers.Dense(2)])

    ours, theirs = make(gn), make(keras)
    theirs(x)
    ours(x)
    weights = [rng.standard_normal(tuple(w.shape)).astype("float32") for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    np.testing.assert_allclose(ours(x).numpy(), to_numpy(keras, theirs(x)), rtol=1e-5, atol=1e-5)
    w1, b1, w2, b2 = weights
    np.testing.assert_allclose(ours(x).numpy(), (np.maximum(x @ w1 + b1, 0) * 0.5 + 1) @ w2 + b2, rtol=1e-5,
                               atol=1e-5)
    config = ours.get_config()
    assert set(config) == set(theirs.get_config()) == {"layers", "name"}
    assert [c["class_name"] for c in config["layers"]] == ["Dense", "Rescaling", "Dense"]
    again = layers.Pipeline.from_config(config)
    assert [type(one).__name__ for one in again.layers] == ["Dense", "Rescaling", "Dense"]
    with pytest.raises(ValueError, match="list of keras.layers.Layer"):
        layers.Pipeline([layers.Dense(2), "relu"])
    with pytest.raises(ValueError, match="'layers'"):
        layers.Pipeline.from_config({"name": "p"})


def test_pipeline_passes_training_to_its_layers(rng):
    x = np.ones((4, 8), "float32")
    pipeline = layers.Pipeline([layers.Dropout(0.5)])
    assert (pipeline(x).numpy() == 0).any()  # training defaults to True, as in Keras
    np.testing.assert_array_equal(pipeline(x, training=False).numpy(), x)


# --- ReversibleEmbedding ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"tie_weights": False}, {"logit_soft_cap": 2.0}, {"mask_zero": True},
                                    {"tie_weights": False, "logit_soft_cap": 0.5, "reverse_dtype": "float32"}])
def test_reversible_embedding_equals_keras_both_ways(kwargs, rng):
    keras = pytest.importorskip("keras")
    ids = np.array([[1, 0, 7, 3], [9, 2, 0, 0]])
    ours, theirs = layers.ReversibleEmbedding(10, 6, **kwargs), keras.layers.ReversibleEmbedding(10, 6, **kwargs)
    ours.build(ids.shape)
    theirs.build(ids.shape)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    weights = [rng.standard_normal(tuple(w.shape)).astype("float32") for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    vectors = ours(ids)
    np.testing.assert_allclose(vectors.numpy(), to_numpy(keras, theirs(ids)), rtol=1e-6)
    hidden = rng.standard_normal((2, 4, 6)).astype("float32")
    logits = ours(hidden, reverse=True).numpy()
    np.testing.assert_allclose(logits, to_numpy(keras, theirs(hidden, reverse=True)), rtol=1e-5, atol=1e-5)
    assert logits.shape == (2, 4, 10)
    if kwargs.get("mask_zero"):
        np.testing.assert_array_equal(vectors._keras_mask, ids != 0)
    config = {k: plain(v) for k, v in theirs.get_config().items() if k not in ("name", "dtype")}
    assert {k: plain(ours.get_config()[k]) for k in config} == config


def test_reversible_embedding_formula_and_gradient(rng):
    layer = layers.ReversibleEmbedding(5, 3, logit_soft_cap=1.5)
    layer.build((1, 2))
    table = layer.embeddings.numpy()
    hidden = gn.autodiff.tensor.Tensor(rng.standard_normal((2, 3)).astype("float32"), requires_grad=True)
    logits = layer(hidden, reverse=True)
    np.testing.assert_allclose(logits.numpy(), np.tanh(hidden.numpy() @ table.T / 1.5) * 1.5, rtol=1e-5, atol=1e-6)
    gn.ops.sum(logits).backward()
    assert layer.embeddings.grad is not None and np.abs(layer.embeddings.grad).sum() > 0
    with pytest.raises(ValueError, match="output_dim=3.*got inputs of shape \\(2, 4\\)"):
        layer(np.ones((2, 4), "float32"), reverse=True)


def test_reversible_embedding_in_a_functional_language_model(rng):
    ids = gn.Input((4,), dtype="int32")
    embedding = layers.ReversibleEmbedding(12, 8, tie_weights=False)
    logits = embedding(layers.Dense(8)(embedding(ids)), reverse=True)
    model = gn.Model(ids, logits)
    assert model.output_shape == (None, 4, 12)
    tokens = rng.integers(0, 12, (6, 4))
    model.compile(optimizer="adam", loss=gn.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(tokens, tokens, epochs=1, verbose=0)
    assert model.predict(tokens, verbose=0).shape == (6, 4, 12)


# --- .keras files, both ways -----------------------------------------------------------------------------------------------
def _models(m):
    return {
        "spectral": (lambda: m.Sequential([m.Input((5,)), m.layers.SpectralNormalization(m.layers.Dense(3),
                                                                                         power_iterations=2)]),
                     np.random.default_rng(1).standard_normal((2, 5)).astype("float32")),
        "pipeline": (lambda: m.Sequential([m.Input((5,)), m.layers.Pipeline([m.layers.Dense(4),
                                                                             m.layers.Dense(2)])]),
                     np.random.default_rng(2).standard_normal((2, 5)).astype("float32")),
        "reversible": (lambda: m.Sequential([m.Input((3,), dtype="int32"),
                                             m.layers.ReversibleEmbedding(7, 4, tie_weights=False,
                                                                          logit_soft_cap=3.0)]),
                       np.array([[1, 2, 6], [0, 5, 3]])),
    }


@pytest.mark.parametrize("kind", ["spectral", "pipeline", "reversible"])
@pytest.mark.parametrize("direction", ["keras_to_glassnet", "glassnet_to_keras"])
def test_keras_files_both_ways(kind, direction, tmp_path, rng):
    keras = pytest.importorskip("keras")
    source, target = (keras, gn) if direction == "keras_to_glassnet" else (gn, keras)
    make, x = _models(source)[kind]
    model = make()
    model.set_weights([rng.standard_normal(tuple(w.shape)).astype("float32") for w in model.weights])
    path = str(tmp_path / f"{kind}.keras")
    model.save(path)
    loaded = target.models.load_model(path)
    want = to_numpy(keras, model(x)) if source is keras else model(x).numpy()
    got = to_numpy(keras, loaded(x)) if target is keras else loaded(x).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    assert [np.asarray(to_numpy(keras, w) if target is keras else w.numpy()).shape for w in loaded.weights] == \
        [tuple(w.shape) for w in model.weights]
