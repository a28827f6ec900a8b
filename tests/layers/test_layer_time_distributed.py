"""TimeDistributed: the wrapped layer on every timestep, as Keras 3 computes it."""

import os

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.testing import run_layer_test


def test_dense_and_conv_per_step_equal_a_loop_over_steps(rng):
    x = rng.standard_normal((3, 4, 6, 6, 2)).astype("float32")
    conv = layers.TimeDistributed(layers.Conv2D(5, 3, activation="relu"))
    out = conv(x).numpy()
    assert out.shape == (3, 4, 4, 4, 5)
    for t in range(4):
        np.testing.assert_allclose(out[:, t], conv.layer(x[:, t]).numpy(), rtol=1e-6, atol=1e-6)
    dense = layers.TimeDistributed(layers.Dense(3))
    seq = rng.standard_normal((2, 5, 4)).astype("float32")
    np.testing.assert_allclose(dense(seq).numpy()[:, 2], dense.layer(seq[:, 2]).numpy(), rtol=1e-6)


def test_run_layer_test_shares_one_set_of_weights():
    layer = run_layer_test(layers.TimeDistributed, {"layer": layers.Dense(4)}, input_shape=(2, 3, 5),
                           expected_output_shape=(2, 3, 4), expected_num_trainable_weights=2)
    assert [tuple(w.shape) for w in layer.weights] == [(5, 4), (4,)]


def test_each_step_gets_its_mask_and_the_mask_passes_on():
    seen = []

    class Recorder(gn.layers.Layer):
        def call(self, inputs, mask=None):
            seen.append(None if mask is None else np.asarray(mask).tolist())
            return inputs

    ids = np.array([[1, 2, 0], [3, 0, 0]])
    embedded = layers.Embedding(4, 2, mask_zero=True)(ids)
    out = layers.TimeDistributed(Recorder())(embedded)
    assert seen == [[True, True], [True, False], [False, False]]
    np.testing.assert_array_equal(out._keras_mask, ids != 0)


def test_trains_inside_a_sequence_model(rng):
    model = gn.Sequential([gn.Input(shape=(6, 3)), layers.TimeDistributed(layers.Dense(8, activation="relu")),
                           layers.TimeDistributed(layers.Dense(1))])
    model.compile(optimizer="adam", loss="mse")
    x = rng.standard_normal((64, 6, 3)).astype("float32")
    history = model.fit(x, x.sum(axis=-1, keepdims=True), epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_bad_inputs_get_clear_errors():
    with pytest.raises(ValueError, match="expects a keras.layers.Layer instance"):
        layers.TimeDistributed("dense")
    with pytest.raises(ValueError, match=r"at least 3 dimensions \(batch, time, ...\), got shape \(2, 3\)"):
        layers.TimeDistributed(layers.Dense(2))(np.ones((2, 3), "float32"))


@pytest.mark.filterwarnings("ignore")
def test_keras_files_load_both_ways(tmp_path, rng):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    k = pytest.importorskip("keras")

    def model(m):
        inputs = m.Input(shape=(5, 4, 4, 2))
        y = m.layers.TimeDistributed(m.layers.Conv2D(3, 2))(inputs)
        y = m.layers.TimeDistributed(m.layers.Flatten())(y)
        return m.Model(inputs, m.layers.TimeDistributed(m.layers.Dense(2))(y))

    x = rng.standard_normal((3, 5, 4, 4, 2)).astype("float32")
    theirs = model(k)
    theirs.save(tmp_path / "theirs.keras")
    np.testing.assert_allclose(gn.models.load_model(tmp_path / "theirs.keras").predict(x, verbose=0),
                               np.asarray(theirs.predict(x, verbose=0)), atol=1e-5)
    ours = model(gn)
    ours.save(tmp_path / "ours.keras")
    np.testing.assert_allclose(np.asarray(k.models.load_model(tmp_path / "ours.keras").predict(x, verbose=0)),
                               ours.predict(x, verbose=0), atol=1e-5)
