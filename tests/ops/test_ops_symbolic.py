"""keras.ops called on symbolic inputs (``keras.Input``) while a functional model is built: each call
records an operation node named as Keras' op class, replayed on real data with gradients."""

import numpy as np

import glassnet
from glassnet import layers, ops
from glassnet.utils import set_random_seed

RNG = np.random.default_rng(5)
X = RNG.standard_normal((8, 6)).astype("float32")


def _model():
    set_random_seed(1)
    inputs = glassnet.Input((6,))
    hidden = layers.Dense(4)(inputs)
    mixed = ops.multiply(ops.add(1.0, hidden), ops.mean(hidden, axis=-1, keepdims=True))
    folded = ops.reshape(mixed, (-1, 2, 2))
    joined = ops.concatenate([ops.reshape(folded, (-1, 4)), ops.square(inputs)], axis=-1)
    return glassnet.Model(inputs, layers.Dense(1)(joined)), hidden, folded, joined


def test_ops_on_keras_tensors_record_nodes_with_keras_names_and_shapes():
    model, hidden, folded, joined = _model()
    assert folded.shape == (None, 2, 2) and joined.shape == (None, 10)
    assert ops.shape(folded) == (None, 2, 2)
    names = [type(layer).__name__ for layer in model.layers]
    for keras_name in ("Add", "Mean", "Multiply", "Reshape", "Square", "Concatenate"):
        assert keras_name in names
    assert ops.argmax(hidden, axis=-1).dtype == "int32"


def test_the_recorded_graph_computes_what_the_ops_compute_eagerly():
    model, *_ = _model()
    dense_in, dense_out = [layer for layer in model.layers if isinstance(layer, layers.Dense)]
    hidden = dense_in(X)
    mixed = ops.multiply(ops.add(1.0, hidden), ops.mean(hidden, axis=-1, keepdims=True))
    expected = dense_out(ops.concatenate([mixed, ops.square(X)], axis=-1))
    np.testing.assert_allclose(model.predict(X, verbose=0), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_gradients_flow_through_the_op_nodes():
    model, *_ = _model()
    model.compile(optimizer="sgd", loss="mse")
    first = next(layer for layer in model.layers if isinstance(layer, layers.Dense))
    before = first.kernel.numpy().copy()
    model.fit(X, RNG.standard_normal((8, 1)).astype("float32"), epochs=1, batch_size=8, verbose=0)
    assert not np.allclose(first.kernel.numpy(), before)


def test_plain_ops_stay_plain_functions_on_real_data():
    assert isinstance(ops.add(X, 1.0), glassnet.autodiff.Tensor)
    assert ops.add.__wrapped_op__(X, 1.0).shape == X.shape


def test_op_nodes_write_keras_configs():
    """Keras' form: the name and the op's keyword options; the tensors stay in the node's arguments."""
    model, *_ = _model()
    node = next(layer for layer in model.layers if type(layer).__name__ == "Mean")
    config = node.get_config()
    assert config["name"] == node.name and set(config) - {"name"} == set(node.options)
