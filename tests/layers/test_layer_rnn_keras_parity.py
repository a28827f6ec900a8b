"""SimpleRNN, LSTM, GRU and RNN(cell) against Keras 3 (torch backend) with the same weights: outputs and final
states for masks, go_backwards, initial states, return_sequences/return_state, zero_output_for_mask, other
activations, stacked cells; and the same file loading both ways (.keras) with equal predictions.
"""

import os

import numpy as np
import pytest

import glassnet

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

RNG = np.random.default_rng(7)
BATCH, STEPS, FEATURES, UNITS = 3, 6, 4, 5


def sequences():
    return RNG.standard_normal((BATCH, STEPS, FEATURES)).astype("float32")


def a_mask():
    """Some steps masked in every sample: a gap, a masked first step, and a sample whose last step is masked."""
    mask = np.ones((BATCH, STEPS), bool)
    mask[0, 2:4] = False
    mask[1, 0] = False
    mask[2, -2:] = False
    return mask


def pair(name, **kwargs):
    """The same layer in glassnet and Keras, built, with Keras' random weights copied into ours."""
    theirs = getattr(keras.layers, name)(UNITS, **kwargs)
    theirs.build((None, STEPS, FEATURES))
    weights = [w + RNG.uniform(-0.2, 0.2, w.shape).astype("float32") for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours = getattr(glassnet.layers, name)(UNITS, **kwargs)
    ours.build((None, STEPS, FEATURES))
    ours.set_weights(weights)
    return ours, theirs


def as_list(result):
    return [keras.ops.convert_to_numpy(r) for r in (result if isinstance(result, (list, tuple)) else [result])]


def assert_same(ours, theirs, x, **call_kwargs):
    mine = as_list(ours(x, **call_kwargs))
    reference = as_list(theirs(x, **call_kwargs))
    assert len(mine) == len(reference)
    for a, b in zip(mine, reference):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


LAYERS = [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False})]
OPTIONS = [
    {},
    {"return_sequences": True},
    {"return_state": True},
    {"go_backwards": True, "return_sequences": True},
    {"go_backwards": True, "return_state": True},
    {"use_bias": False, "return_sequences": True},
]


@pytest.mark.parametrize("name,layer_kwargs", LAYERS, ids=[n + str(k) for n, k in LAYERS])
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(o) or "default")
@pytest.mark.parametrize("masked", [False, True], ids=["unmasked", "masked"])
def test_layer_matches_keras(name, layer_kwargs, options, masked):
    ours, theirs = pair(name, **layer_kwargs, **options)
    call = {"mask": a_mask()} if masked else {}
    assert_same(ours, theirs, sequences(), **call)


@pytest.mark.parametrize("name,layer_kwargs", LAYERS, ids=[n + str(k) for n, k in LAYERS])
def test_zero_output_for_mask_matches_keras(name, layer_kwargs):
    ours, theirs = pair(name, return_sequences=True, return_state=True, zero_output_for_mask=True, **layer_kwargs)
    assert_same(ours, theirs, sequences(), mask=a_mask())


@pytest.mark.parametrize("name,layer_kwargs", LAYERS, ids=[n + str(k) for n, k in LAYERS])
@pytest.mark.parametrize("masked", [False, True], ids=["unmasked", "masked"])
def test_initial_state_matches_keras(name, layer_kwargs, masked):
    ours, theirs = pair(name, return_sequences=True, return_state=True, **layer_kwargs)
    count = 2 if name == "LSTM" else 1
    initial = [RNG.standard_normal((BATCH, UNITS)).astype("float32") for _ in range(count)]
    call = {"mask": a_mask()} if masked else {}
    assert_same(ours, theirs, sequences(), initial_state=initial, **call)


@pytest.mark.parametrize("name,layer_kwargs", [
    ("SimpleRNN", {"activation": "relu"}),
    ("SimpleRNN", {"activation": None}),
    ("LSTM", {"recurrent_activation": "hard_sigmoid", "activation": "relu"}),
    ("GRU", {"recurrent_activation": "hard_sigmoid"}),
    ("LSTM", {"activation": "softsign"}),  # not computed by the op: the step-by-step path
    ("GRU", {"recurrent_activation": "softsign", "reset_after": False}),
], ids=lambda v: str(v))
@pytest.mark.parametrize("masked", [False, True], ids=["unmasked", "masked"])
def test_other_activations_match_keras(name, layer_kwargs, masked):
    ours, theirs = pair(name, return_sequences=True, return_state=True, go_backwards=masked, **layer_kwargs)
    call = {"mask": a_mask()} if masked else {}
    assert_same(ours, theirs, sequences(), **call)


def test_stacked_cells_match_keras():
    def cells(k):
        return [k.layers.LSTMCell(4), k.layers.GRUCell(3), k.layers.SimpleRNNCell(2)]

    theirs = keras.layers.RNN(cells(keras), return_sequences=True, go_backwards=True)
    ours = glassnet.layers.RNN(cells(glassnet), return_sequences=True, go_backwards=True)
    theirs.build((None, STEPS, FEATURES))
    ours.build((None, STEPS, FEATURES))
    ours.set_weights(theirs.get_weights())
    assert_same(ours, theirs, sequences(), mask=a_mask())


def test_layer_in_a_masked_model_matches_keras():
    """Embedding(mask_zero=True) -> LSTM: the mask reaches the recurrent layer through the model."""
    tokens = np.array([[0, 0, 3, 4, 5, 6], [1, 2, 3, 0, 0, 0], [7, 0, 2, 0, 9, 1]])

    def model(k):
        return k.Sequential([k.Input((STEPS,)), k.layers.Embedding(10, FEATURES, mask_zero=True),
                             k.layers.LSTM(UNITS, return_sequences=True), k.layers.GRU(3), k.layers.Dense(1)])

    theirs, ours = model(keras), model(glassnet)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(tokens, verbose=0), theirs.predict(tokens, verbose=0), rtol=1e-5,
                               atol=1e-5)


# --- .keras files both ways -----------------------------------------------------------------------------------------
def recurrent_model(k):
    inputs = k.Input((STEPS, FEATURES))
    x = k.layers.SimpleRNN(6, return_sequences=True)(inputs)
    x = k.layers.LSTM(5, return_sequences=True, go_backwards=True)(x)
    x = k.layers.GRU(4, return_sequences=True)(x)
    x = k.layers.GRU(4, reset_after=False, return_sequences=True)(x)
    x = k.layers.RNN([k.layers.LSTMCell(3), k.layers.GRUCell(2)])(x)
    return k.Model(inputs, k.layers.Dense(1)(x))


def trained(k):
    model = recurrent_model(k)
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).standard_normal((16, STEPS, FEATURES)).astype("float32")
    model.fit(x, x.mean(axis=(1, 2))[:, None], epochs=1, batch_size=8, verbose=0)
    return model, x


def test_keras_file_loads_in_glassnet(tmp_path):
    keras.utils.set_random_seed(0)
    theirs, x = trained(keras)
    path = tmp_path / "recurrent.keras"
    theirs.save(path)
    ours = glassnet.models.load_model(path)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


def test_glassnet_file_loads_in_keras(tmp_path):
    glassnet.utils.set_random_seed(0)
    ours, x = trained(glassnet)
    path = tmp_path / "recurrent.keras"
    ours.save(path)
    theirs = keras.models.load_model(path)
    np.testing.assert_allclose(theirs.predict(x, verbose=0), ours.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    assert [w.shape for w in theirs.weights] == [tuple(w.shape) for w in ours.weights]


def test_masked_keras_model_file_loads_in_glassnet(tmp_path):
    """Masking -> LSTM -> Dense saved by Keras: the mask reaches the LSTM in glassnet too (padded steps skipped)."""
    keras.utils.set_random_seed(1)
    theirs = keras.Sequential([keras.Input((STEPS, FEATURES)), keras.layers.Masking(0.0),
                               keras.layers.LSTM(UNITS, return_sequences=True), keras.layers.GRU(3),
                               keras.layers.Dense(1)])
    path = tmp_path / "masked.keras"
    theirs.save(path)
    ours = glassnet.models.load_model(path)
    x = sequences()
    x[0, 3:] = 0.0
    x[1, :2] = 0.0
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
