"""ConvLSTM1D / ConvLSTM2D: Keras' weights, formulas and files; gradients; masks; bad input."""

import os

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, ops
from glassnet.autodiff import gradcheck
from glassnet.testing import run_layer_test

CASES = [
    ("ConvLSTM2D", (3, 4, 6, 5, 2), dict(filters=3, kernel_size=3, padding="same", return_sequences=True)),
    ("ConvLSTM2D", (2, 3, 7, 6, 2), dict(filters=2, kernel_size=(3, 2), strides=2)),
    ("ConvLSTM1D", (3, 5, 8, 2), dict(filters=4, kernel_size=3, return_state=True)),
    ("ConvLSTM1D", (2, 4, 9, 3), dict(filters=2, kernel_size=2, dilation_rate=2, go_backwards=True,
                                     return_sequences=True)),
]


def _as_list(value):
    return [np.asarray(v) for v in value] if isinstance(value, (list, tuple)) else [np.asarray(value)]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name, shape, kwargs", CASES)
def test_keras_files_load_both_ways(tmp_path, name, shape, kwargs, rng):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    x = rng.standard_normal(shape).astype("float32")

    def build(m):
        inputs = m.Input(shape=shape[1:])
        return m.Model(inputs, getattr(m.layers, name)(**kwargs)(inputs))

    theirs = build(keras)
    theirs.save(tmp_path / "theirs.keras")
    loaded = gn.models.load_model(tmp_path / "theirs.keras")
    for got, want in zip(_as_list(loaded.predict(x, verbose=0)), _as_list(theirs.predict(x, verbose=0))):
        np.testing.assert_allclose(got, want, atol=1e-5)
    ours = build(gn)
    ours.save(tmp_path / "ours.keras")
    back = keras.models.load_model(tmp_path / "ours.keras")
    for got, want in zip(_as_list(back.predict(x, verbose=0)), _as_list(ours.predict(x, verbose=0))):
        np.testing.assert_allclose(got, want, atol=1e-5)


def test_one_step_is_the_conv_lstm_formula(rng):
    layer = layers.ConvLSTM2D(2, 3, padding="same")
    x = rng.standard_normal((1, 1, 5, 5, 2)).astype("float32")
    h = layer(x).numpy()
    cell = layer.cell
    z = ops.conv(x[:, 0], cell.kernel, cell.bias, padding="same").numpy()  # h0 = 0: the recurrent part adds 0
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    i, f, g, o = np.split(z, 4, axis=-1)
    np.testing.assert_allclose(h, sigmoid(o) * np.tanh(sigmoid(i) * np.tanh(g)), rtol=1e-5, atol=1e-6)
    assert cell.kernel.shape == (3, 3, 2, 8) and cell.recurrent_kernel.shape == (3, 3, 2, 8)
    np.testing.assert_array_equal(cell.bias.numpy(), [0, 0, 1, 1, 0, 0, 0, 0])  # unit_forget_bias


def test_gradients_through_time_by_finite_differences(rng):
    layer = layers.ConvLSTM1D(2, 2, return_sequences=True, dtype="float64")
    layer(np.zeros((1, 3, 4, 2)))
    kernel, recurrent, bias = (w.numpy() for w in layer.weights)

    def run(x, k, r, b):
        layer.cell.kernel, layer.cell.recurrent_kernel, layer.cell.bias = k, r, b
        return layer(x)

    assert gradcheck(run, [rng.standard_normal((2, 3, 4, 2)), kernel, recurrent, bias])


def test_run_layer_test_and_masked_steps_keep_the_state(rng):
    run_layer_test(layers.ConvLSTM2D, {"filters": 2, "kernel_size": 2}, input_shape=(2, 3, 4, 4, 1),
                   expected_output_shape=(2, 3, 3, 2), expected_num_trainable_weights=3)
    layer = layers.ConvLSTM1D(2, 2)
    x = rng.standard_normal((2, 4, 5, 1)).astype("float32")
    mask = np.array([[True, True, False, False], [True, True, True, True]])
    np.testing.assert_allclose(layer(x, mask=mask).numpy()[0], layer(x[:, :2]).numpy()[0], rtol=1e-6)


def test_bad_inputs_get_clear_errors():
    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, time, rows, cols, channels\)"):
        layers.ConvLSTM2D(2, 3)(np.ones((2, 3, 4, 4), "float32"))
    with pytest.raises(ValueError, match="filters must be a positive integer"):
        layers.ConvLSTM1D(0, 3)
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        layers.ConvLSTM1D(2, 3, padding="causal")
    layer = layers.ConvLSTM1D(2, 3, padding="same")
    with pytest.raises(ValueError, match=r"initial_state \[h, c\] of shape \(2, 5, 2\)"):
        layer(np.ones((2, 3, 5, 1), "float32"), initial_state=[np.zeros((2, 2)), np.zeros((2, 2))])
