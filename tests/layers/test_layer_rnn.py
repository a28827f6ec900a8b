"""The recurrent layers on their own: run_layer_test for each, the one-op path against the step-by-step path
(outputs and gradients), custom cells, stateful layers, dropout, masks passed on, bad input, and an
encoder-decoder model wired through ``initial_state``.
"""

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.autodiff.tensor import Tensor
from glassnet.testing import run_layer_test

RNG = np.random.default_rng(11)
BATCH, STEPS, FEATURES = 3, 5, 4


def sequences(batch=BATCH, steps=STEPS):
    return RNG.standard_normal((batch, steps, FEATURES)).astype("float32")


@glassnet.saving.register_keras_serializable(package="tests_rnn")
class MinimalRNNCell(layers.Layer):
    """The cell of Keras' RNN documentation: output = x W + h U, one state."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        output = glassnet.ops.matmul(inputs, self.kernel) + glassnet.ops.matmul(states[0], self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


LAYER_CASES = [
    (layers.SimpleRNN, {"units": 3}, (BATCH, 3), 3),
    (layers.SimpleRNN, {"units": 3, "return_sequences": True, "use_bias": False}, (BATCH, STEPS, 3), 2),
    (layers.LSTM, {"units": 3}, (BATCH, 3), 3),
    (layers.LSTM, {"units": 3, "return_sequences": True, "go_backwards": True}, (BATCH, STEPS, 3), 3),
    (layers.GRU, {"units": 3}, (BATCH, 3), 3),
    (layers.GRU, {"units": 2, "reset_after": False, "return_sequences": True}, (BATCH, STEPS, 2), 3),
    (layers.LSTM, {"units": 3, "activation": "softsign"}, (BATCH, 3), 3),  # the step-by-step path
    (layers.RNN, {"cell": layers.GRUCell(3)}, (BATCH, 3), 3),
    (layers.RNN, {"cell": [layers.LSTMCell(3), layers.SimpleRNNCell(2)], "return_sequences": True},
     (BATCH, STEPS, 2), 6),
    (layers.RNN, {"cell": MinimalRNNCell(3)}, (BATCH, 3), 2),
]


@pytest.mark.parametrize("layer_class,kwargs,output_shape,weights", LAYER_CASES,
                         ids=[f"{c.__name__}-{i}" for i, (c, *_) in enumerate(LAYER_CASES)])
def test_run_layer_test(layer_class, kwargs, output_shape, weights):
    run_layer_test(layer_class, kwargs, input_shape=(BATCH, STEPS, FEATURES), expected_output_shape=output_shape,
                   expected_num_trainable_weights=weights, expected_num_non_trainable_weights=0)


# --- the one-op path equals the step-by-step path --------------------------------------------------------------------
PATH_CASES = [(layers.SimpleRNN, {}), (layers.LSTM, {}), (layers.GRU, {}), (layers.GRU, {"reset_after": False}),
              (layers.RNN, {"cell": [layers.LSTMCell(3), layers.GRUCell(2)]})]


@pytest.mark.parametrize("layer_class,kwargs", PATH_CASES, ids=lambda v: getattr(v, "__name__", str(v)))
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("zero_output_for_mask", [False, True])
def test_one_op_path_equals_step_by_step(layer_class, kwargs, go_backwards, zero_output_for_mask):
    """Outputs, final states and every gradient agree, with a mask, a masked first and last step, initial states."""
    if "cell" not in kwargs:
        kwargs = dict(kwargs, units=3)
    layer = layer_class(**kwargs, return_sequences=True, return_state=True, go_backwards=go_backwards,
                        zero_output_for_mask=zero_output_for_mask)
    x = sequences()
    layer.build(x.shape)
    mask = np.ones((BATCH, STEPS), bool)
    mask[0, 1:3], mask[1, 0], mask[2, -1] = False, False, False
    sizes = layer._flat_state_sizes()
    initial = [RNG.standard_normal((BATCH, s)).astype("float32") for s in sizes]

    def run(path):
        inputs = Tensor(x, requires_grad=True)
        states = [Tensor(s, requires_grad=True) for s in initial]
        for w in layer.trainable_weights:
            w.grad = None
        output, finals = path(inputs, states, mask, False)
        total = (output * Tensor(np.linspace(-1, 1, output.size).reshape(output.shape).astype("float32"))).sum()
        for f in finals:
            total = total + (f * f).sum()
        total.backward()
        return ([output.numpy()] + [f.numpy() for f in finals] + [inputs.grad] + [s.grad for s in states]
                + [w.grad for w in layer.trainable_weights])

    for fused, stepped in zip(run(layer._run), run(layer._step_loop)):
        np.testing.assert_allclose(fused, stepped, rtol=1e-4, atol=1e-5)


# --- custom cells -----------------------------------------------------------------------------------------------------
def test_custom_cell_matches_its_formula():
    cell = MinimalRNNCell(2)
    layer = layers.RNN(cell, return_sequences=True)
    x = sequences()
    out = layer(x).numpy()
    w, u = cell.kernel.numpy(), cell.recurrent_kernel.numpy()
    h = np.zeros((BATCH, 2), "float32")
    for t in range(STEPS):
        h = x[:, t] @ w + h @ u
        np.testing.assert_allclose(out[:, t], h, rtol=1e-5, atol=1e-6)


def test_cell_without_state_size_is_refused():
    with pytest.raises(ValueError, match="state_size"):
        layers.RNN(layers.Dense(3))


# --- stateful ---------------------------------------------------------------------------------------------------------
def test_stateful_layer_continues_where_the_last_batch_ended():
    x = sequences(steps=6)
    whole = layers.LSTM(3, return_sequences=True)
    stateful = layers.LSTM(3, return_sequences=True, stateful=True)
    whole.build(x.shape)
    stateful.build(x.shape)
    stateful.set_weights(whole.get_weights())
    expected = whole(x).numpy()
    first, second = stateful(x[:, :3]).numpy(), stateful(x[:, 3:]).numpy()
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), expected, rtol=1e-5, atol=1e-6)
    stateful.reset_states()
    np.testing.assert_allclose(stateful(x[:, :3]).numpy(), expected[:, :3], rtol=1e-5, atol=1e-6)


def test_stateful_layer_refuses_another_batch_size_and_keeps_its_states():
    layer = layers.GRU(3, stateful=True)
    layer(sequences(batch=4))
    kept = [s.copy() for s in layer.states]
    with pytest.raises(ValueError, match="batches of 4 samples, got a batch of 2"):
        layer(sequences(batch=2))
    for before, after in zip(kept, layer.states):
        np.testing.assert_array_equal(before, after)


# --- dropout ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("layer_class", [layers.SimpleRNN, layers.LSTM, layers.GRU])
@pytest.mark.parametrize("rates", [{"dropout": 0.5}, {"recurrent_dropout": 0.5},
                                   {"dropout": 0.3, "recurrent_dropout": 0.3}], ids=str)
def test_dropout_only_in_training_and_seeded(layer_class, rates):
    x = sequences()
    plain = layer_class(3, return_sequences=True)
    plain.build(x.shape)

    def dropped():
        layer = layer_class(3, return_sequences=True, seed=5, **rates)
        layer.build(x.shape)
        layer.set_weights(plain.get_weights())
        return layer

    layer = dropped()
    np.testing.assert_allclose(layer(x, training=False).numpy(), plain(x).numpy(), rtol=1e-6)
    training = layer(Tensor(x), training=True)
    assert not np.allclose(training.numpy(), plain(x).numpy())
    np.testing.assert_array_equal(dropped()(x, training=True).numpy(), training.numpy())  # same seed, same masks
    training.sum().backward()
    assert all(w.grad is not None and np.all(np.isfinite(w.grad)) for w in layer.trainable_weights)


# --- masks, regularizers, initial bias --------------------------------------------------------------------------------
def test_mask_passes_on_only_with_return_sequences():
    tokens = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    embedded = layers.Embedding(5, 3, mask_zero=True)(tokens)
    sequences_out = layers.LSTM(2, return_sequences=True)(embedded)
    np.testing.assert_array_equal(np.asarray(sequences_out._keras_mask), tokens != 0)
    assert layers.LSTM(2)(embedded)._keras_mask is None
    out, h, c = layers.LSTM(2, return_sequences=True, return_state=True)(embedded)
    assert out._keras_mask is not None and h._keras_mask is None and c._keras_mask is None


def test_weight_penalties_are_added_to_the_losses():
    layer = layers.GRU(3, kernel_regularizer="l2", recurrent_regularizer="l1", bias_regularizer="l2")
    layer(sequences())
    assert len(layer.losses) == 3


def test_constraints_hold_after_a_training_step():
    model = glassnet.Sequential([glassnet.Input((STEPS, FEATURES)),
                                 layers.LSTM(3, kernel_constraint="non_neg", recurrent_constraint="non_neg",
                                             bias_constraint="non_neg"),
                                 layers.Dense(1)])
    model.compile(optimizer=glassnet.optimizers.SGD(1.0), loss="mse")
    model.train_on_batch(sequences(), np.full((BATCH, 1), 5.0, "float32"))
    for weight in model.layers[0].weights:
        assert weight.numpy().min() >= 0.0


def test_unit_forget_bias_starts_the_forget_gate_at_one():
    layer = layers.LSTM(3)
    layer.build((None, STEPS, FEATURES))
    np.testing.assert_array_equal(layer.cell.bias.numpy(), [0] * 3 + [1] * 3 + [0] * 6)
    layer = layers.LSTM(3, unit_forget_bias=False)
    layer.build((None, STEPS, FEATURES))
    np.testing.assert_array_equal(layer.cell.bias.numpy(), np.zeros(12))


# --- bad input --------------------------------------------------------------------------------------------------------
def test_two_dimensional_input_is_refused_with_a_hint():
    layer = layers.LSTM(3)
    with pytest.raises(ValueError, match=r"\(batch, timesteps, features\), got shape \(3, 5\).*reshape to \(3, 5, 1\)"):
        layer(np.zeros((3, 5), "float32"))
    assert not layer.built


def test_other_feature_count_after_build_is_refused():
    layer = layers.SimpleRNN(3)
    layer(sequences())
    with pytest.raises(ValueError, match="built for 4 features"):
        layer(np.zeros((BATCH, STEPS, 6), "float32"))


@pytest.mark.parametrize("initial_state,message", [
    ([np.zeros((BATCH, 3), "float32")], r"list of 2 state\(s\)"),
    ([np.zeros((BATCH, 3), "float32"), np.zeros((BATCH, 4), "float32")],
     r"initial_state\[1\] must have shape \(3, 3\)"),
    ([np.zeros((BATCH + 1, 3), "float32")] * 2, r"initial_state\[0\] must have shape \(3, 3\)"),
])
def test_wrong_initial_states_are_refused(initial_state, message):
    with pytest.raises(ValueError, match=message):
        layers.LSTM(3)(sequences(), initial_state=initial_state)


def test_bad_units_are_refused():
    with pytest.raises(ValueError, match="units must be a positive integer"):
        layers.GRU(0)


# --- functional models ------------------------------------------------------------------------------------------------
def test_encoder_decoder_through_initial_state():
    """Keras' seq2seq pattern: the encoder's final states start the decoder; the decoder sees them as inputs."""
    encoder_inputs, decoder_inputs = glassnet.Input((STEPS, FEATURES)), glassnet.Input((3, FEATURES))
    _, h, c = layers.LSTM(4, return_state=True)(encoder_inputs)
    decoded = layers.LSTM(4, return_sequences=True)(decoder_inputs, initial_state=[h, c])
    model = glassnet.Model([encoder_inputs, decoder_inputs], layers.Dense(2)(decoded))
    x, y = sequences(), sequences(steps=3)
    out = model.predict([x, y], verbose=0)
    assert out.shape == (BATCH, 3, 2)
    other = y.copy()
    x2 = x.copy()
    x2[:, 0] += 1.0  # a change seen only by the encoder reaches the output through the states
    assert not np.allclose(model.predict([x2, other], verbose=0), out)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit([x, y], np.zeros((BATCH, 3, 2), "float32"), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
