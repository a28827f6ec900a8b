"""Bidirectional: forward and backward copies of a recurrent layer, merged as Keras 3 merges them."""

import os

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.testing import run_layer_test

MODES = ["concat", "sum", "mul", "ave", None]


def _reference(layer, x, mask=None):
    """Forward and backward outputs computed with plain copies of the two inner layers."""
    forward = layer.forward_layer(x, mask=mask)
    backward = layer.backward_layer(x, mask=mask)
    return forward, backward


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("return_sequences", [True, False])
def test_merge_modes_combine_forward_and_time_flipped_backward(mode, return_sequences, rng):
    x = rng.standard_normal((3, 6, 4)).astype("float32")
    layer = layers.Bidirectional(layers.GRU(5, return_sequences=return_sequences), merge_mode=mode)
    out = layer(x)
    forward, backward = (t.numpy() for t in _reference(layer, x))
    if return_sequences:
        backward = backward[:, ::-1]
    expected = {"concat": np.concatenate([forward, backward], axis=-1), "sum": forward + backward,
                "mul": forward * backward, "ave": (forward + backward) / 2, None: [forward, backward]}[mode]
    got = [t.numpy() for t in out] if mode is None else out.numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    shape = layer.compute_output_shape((None, 6, 4))
    assert (shape[0] if mode is None else shape)[1:] == np.shape(expected[0] if mode is None else expected)[1:]


def test_backward_layer_is_a_copy_with_go_backwards_flipped():
    inner = layers.LSTM(3, name="lstm_a")
    layer = layers.Bidirectional(inner)
    assert layer.forward_layer is not inner and layer.backward_layer is not inner
    assert (layer.forward_layer.go_backwards, layer.backward_layer.go_backwards) == (False, True)
    assert (layer.forward_layer.name, layer.backward_layer.name) == ("forward_lstm_a", "backward_lstm_a")
    layer(np.ones((2, 4, 3), "float32"))
    assert len(layer.weights) == 6 and len(layer.trainable_weights) == 6


def test_return_state_and_initial_state_split_in_halves(rng):
    x = rng.standard_normal((2, 5, 3)).astype("float32")
    states = [rng.standard_normal((2, 4)).astype("float32") for _ in range(4)]
    layer = layers.Bidirectional(layers.LSTM(4, return_state=True))
    output, fh, fc, bh, bc = layer(x, initial_state=states)
    forward = layer.forward_layer(x, initial_state=states[:2])
    backward = layer.backward_layer(x, initial_state=states[2:])
    np.testing.assert_allclose(output.numpy(), np.concatenate([forward[0].numpy(), backward[0].numpy()], -1),
                               rtol=1e-6)
    for got, want in zip([fh, fc, bh, bc], forward[1:] + backward[1:]):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="even number of initial states"):
        layer(x, initial_state=states[:3])


def test_masked_steps_and_padding_do_not_change_the_result(rng):
    inputs = gn.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(20, 4, mask_zero=True)(inputs)
    x = layers.Bidirectional(layers.LSTM(3, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(3))(x)
    model = gn.Model(inputs, layers.Dense(1)(x))
    short, padded = np.array([[4, 7, 9]]), np.array([[4, 7, 9, 0, 0]])
    np.testing.assert_allclose(model.predict(short, verbose=0), model.predict(padded, verbose=0), rtol=1e-5)
    hidden = model.layers[2](model.layers[1](padded))
    np.testing.assert_array_equal(hidden.numpy()[0, 3:], 0.0)  # return_sequences: masked steps give zeros
    np.testing.assert_array_equal(hidden._keras_mask, padded != 0)


def test_matches_torch_bidirectional_lstm(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 7, 3)).astype("float32")
    layer = layers.Bidirectional(layers.LSTM(4, return_sequences=True))
    ours = layer(x).numpy()
    reference = torch.nn.LSTM(3, 4, batch_first=True, bidirectional=True)
    with torch.no_grad():
        for suffix, inner in (("", layer.forward_layer), ("_reverse", layer.backward_layer)):
            kernel, recurrent, bias = (w.numpy() for w in inner.weights)
            getattr(reference, "weight_ih_l0" + suffix).copy_(torch.from_numpy(kernel.T.copy()))
            getattr(reference, "weight_hh_l0" + suffix).copy_(torch.from_numpy(recurrent.T.copy()))
            getattr(reference, "bias_ih_l0" + suffix).copy_(torch.from_numpy(bias))
            getattr(reference, "bias_hh_l0" + suffix).zero_()
        expected = reference(torch.from_numpy(x))[0].numpy()
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_run_layer_test_and_training():
    run_layer_test(layers.Bidirectional, {"layer": layers.SimpleRNN(3)}, input_shape=(2, 4, 5),
                   expected_output_shape=(2, 6), expected_num_trainable_weights=6)


def test_stateful_layers_reset_together(rng):
    layer = layers.Bidirectional(layers.GRU(2, stateful=True))
    x = rng.standard_normal((2, 3, 4)).astype("float32")
    first = layer(x).numpy()
    assert not np.allclose(layer(x).numpy(), first)  # the states carried over
    layer.reset_states()
    np.testing.assert_allclose(layer(x).numpy(), first, rtol=1e-6)
    with pytest.raises(AttributeError, match="not stateful"):
        layers.Bidirectional(layers.GRU(2)).reset_states()


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="merge_mode must be one of"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="expects a keras.layers.Layer instance"):
        layers.Bidirectional("lstm")
    with pytest.raises(ValueError, match="must differ in go_backwards"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match="must agree on return_sequences"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2, go_backwards=True, return_sequences=True))


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


CASES = [("LSTM", mode, rs) for mode in MODES for rs in (True, False)] + \
        [(rnn, "concat", rs) for rnn in ("GRU", "SimpleRNN") for rs in (True, False)] + [("GRU", None, True)]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("rnn, mode, return_sequences", CASES)
def test_keras_files_load_both_ways_with_masks(tmp_path, rnn, mode, return_sequences, rng):
    """Keras writes the masks of these models as operation nodes (NotEqual, ZerosLike, LogicalOr...)."""
    k = _keras()

    def build(m):
        inputs = m.Input(shape=(None,), dtype="int32")
        x = m.layers.Embedding(30, 5, mask_zero=True)(inputs)
        y = m.layers.Bidirectional(getattr(m.layers, rnn)(4, return_sequences=return_sequences), merge_mode=mode)(x)
        if mode is None:
            y = m.layers.Concatenate()(y)
        if return_sequences:
            y = m.layers.GlobalAveragePooling1D()(y)
        return m.Model(inputs, y)

    ids = rng.integers(1, 30, (4, 9))
    ids[0, 6:], ids[2, 3:] = 0, 0
    theirs = build(k)
    theirs.save(tmp_path / "theirs.keras")
    expected = np.asarray(theirs.predict(ids, verbose=0))
    loaded = gn.models.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(loaded.predict(ids, verbose=0), expected, atol=1e-5)
    loaded.save(tmp_path / "again.keras")
    np.testing.assert_allclose(np.asarray(k.models.load_model(tmp_path / "again.keras").predict(ids, verbose=0)),
                               expected, atol=1e-5)
    ours = build(gn)
    ours.save(tmp_path / "ours.keras")
    np.testing.assert_allclose(np.asarray(k.models.load_model(tmp_path / "ours.keras").predict(ids, verbose=0)),
                               ours.predict(ids, verbose=0), atol=1e-5)
