"""Finite-difference gradient checks (float64) of the recurrent ops in ``glassnet.ops.rnn``: every input (sequence,
initial states, kernel, recurrent kernel, bias) and every output (outputs or last output, final states), with and
without a mask, forwards and backwards, with repeated or zeroed masked outputs, and with each activation the ops
compute.
"""

import itertools

import numpy as np
import pytest

from glassnet.autodiff import gradcheck
from glassnet.ops import rnn

RNG = np.random.default_rng(2024)
BATCH, STEPS, FEATURES, UNITS = 3, 5, 4, 3


def mask():
    """A gap, a masked first step and a masked last step (and one sample fully real)."""
    m = np.ones((BATCH, STEPS), bool)
    m[0, 1:3] = False
    m[1, 0] = False
    m[1, -1] = False
    return m


CELLS = {  # name -> (gates, number of states, bias shape, function of (x, *states, W, U, b, **kwargs))
    "simple_rnn": (1, 1, (UNITS,), lambda x, h, w, u, b, **kw: rnn.simple_rnn(x, h, w, u, b, **kw)),
    "lstm": (4, 2, (4 * UNITS,), lambda x, h, c, w, u, b, **kw: rnn.lstm(x, h, c, w, u, b, **kw)),
    "gru": (3, 1, (2, 3 * UNITS), lambda x, h, w, u, b, **kw: rnn.gru(x, h, w, u, b, **kw)),
    "gru_reset_before": (3, 1, (3 * UNITS,),
                         lambda x, h, w, u, b, **kw: rnn.gru(x, h, w, u, b, reset_after=False, **kw)),
}


def inputs(cell):
    gates, states, bias_shape, _ = CELLS[cell]
    return ([RNG.standard_normal((BATCH, STEPS, FEATURES))]
            + [RNG.standard_normal((BATCH, UNITS)) * 0.5 for _ in range(states)]
            + [RNG.standard_normal((FEATURES, gates * UNITS)) * 0.5,
               RNG.standard_normal((UNITS, gates * UNITS)) * 0.5,
               RNG.standard_normal(bias_shape) * 0.3])


OPTIONS = [dict(masked=m, go_backwards=g, return_sequences=r, zero_output_for_mask=z)
           for m, g, r, z in itertools.product([False, True], [False, True], [True, False], [False, True])
           if m or not z]


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(k for k, v in o.items() if v) or "plain")
def test_recurrent_op_gradcheck(cell, options):
    kwargs = dict(options)
    kwargs["mask"] = mask() if kwargs.pop("masked") else None
    function = CELLS[cell][3]
    assert gradcheck(lambda *args: function(*args, **kwargs), inputs(cell))


@pytest.mark.parametrize("cell", list(CELLS))
def test_recurrent_op_gradcheck_without_bias(cell):
    function = CELLS[cell][3]
    arrays = inputs(cell)[:-1]
    assert gradcheck(lambda *args: function(*args, None, mask=mask()), arrays)


ACTIVATION_CASES = [("simple_rnn", {"activation": "relu"}), ("simple_rnn", {"activation": None}),
                    ("lstm", {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
                    ("lstm", {"activation": None, "recurrent_activation": "tanh"}),
                    ("gru", {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
                    ("gru_reset_before", {"activation": "sigmoid", "recurrent_activation": None})]


@pytest.mark.parametrize("cell,activations", ACTIVATION_CASES, ids=lambda v: str(v))
def test_recurrent_op_gradcheck_other_activations(cell, activations):
    """relu and hard_sigmoid have kinks: the inputs are random, so none lands within eps of one."""
    function = CELLS[cell][3]
    assert gradcheck(lambda *args: function(*args, mask=mask(), **activations), inputs(cell))


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="softsign"):
        rnn.simple_rnn(*inputs("simple_rnn"), activation="softsign")


def test_mask_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"\(batch, time\)"):
        rnn.lstm(*inputs("lstm"), mask=np.ones((BATCH, STEPS + 1), bool))


@pytest.mark.parametrize("cell", list(CELLS))
def test_weight_gradients_do_not_depend_on_which_other_inputs_need_one(cell):
    """Constant inputs and states (as in a layer): the weights get the same gradients as when everything needs one."""
    from glassnet.autodiff.tensor import Tensor

    arrays = inputs(cell)
    n_inputs = 1 + CELLS[cell][1]

    def weight_gradients(constants):
        tensors = [a if i < n_inputs and constants else Tensor(a.copy(), requires_grad=True)
                   for i, a in enumerate(arrays)]
        outputs = CELLS[cell][3](*tensors, mask=mask())
        total = sum(((o * o).sum() for o in outputs), Tensor(np.zeros(())))
        total.backward()
        return [t.grad for t in tensors[n_inputs:]]

    for alone, together in zip(weight_gradients(True), weight_gradients(False)):
        assert alone is not None
        np.testing.assert_allclose(alone, together, rtol=1e-12)
