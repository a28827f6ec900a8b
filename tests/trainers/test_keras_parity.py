"""The same network, weights and data give the same numbers in glassnet and in the installed Keras 3."""

import os

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"  # before keras is imported

import glassnet as gn  # noqa: E402
from glassnet import layers  # noqa: E402

k = pytest.importorskip("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")


def data(n=160):
    (x, y), _ = gn.datasets.digits.load_data()
    return x[:n].astype("float32") / 255.0, y[:n].astype("int64")


def pair(optimizer, regularizer=None, loss="sparse_categorical_crossentropy", metrics=("accuracy",)):
    ours = gn.Sequential([gn.Input(shape=(8, 8)), layers.Flatten(),
                          layers.Dense(32, activation="relu", kernel_regularizer=regularizer and gn.regularizers.L2(regularizer)),
                          layers.Dense(10, activation="softmax")])
    theirs = k.Sequential([k.Input(shape=(8, 8)), k.layers.Flatten(),
                           k.layers.Dense(32, activation="relu", kernel_regularizer=regularizer and k.regularizers.L2(regularizer)),
                           k.layers.Dense(10, activation="softmax")])
    theirs.set_weights(ours.get_weights())
    ours.compile(optimizer=optimizer(gn), loss=loss, metrics=list(metrics))
    theirs.compile(optimizer=optimizer(k), loss=loss, metrics=list(metrics))
    return ours, theirs


def assert_histories_close(ours, theirs, rtol):
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=rtol, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("name,optimizer", [
    ("sgd", lambda m: m.optimizers.SGD(learning_rate=0.1)),
    ("sgd_momentum", lambda m: m.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True)),
    ("adam", lambda m: m.optimizers.Adam()),
    ("rmsprop", lambda m: m.optimizers.RMSprop()),
])
def test_fit_matches_keras(name, optimizer):
    x, y = data()
    ours, theirs = pair(optimizer)
    kwargs = dict(epochs=3, batch_size=16, shuffle=False, validation_split=0.25, verbose=0)
    ours_history = ours.fit(x, y, **kwargs).history
    theirs_history = theirs.fit(x, y, **kwargs).history
    assert_histories_close(ours_history, theirs_history, rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-4, atol=1e-5)


def test_evaluate_and_predict_match_keras():
    x, y = data()
    ours, theirs = pair(lambda m: "adam")
    np.testing.assert_allclose(ours.evaluate(x, y, batch_size=7, verbose=0),
                               theirs.evaluate(x, y, batch_size=7, verbose=0), rtol=1e-5)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), atol=1e-6)
    assert ours.evaluate(x, y, verbose=0, return_dict=True).keys() == theirs.evaluate(x, y, verbose=0, return_dict=True).keys()


def test_several_metrics_keep_keras_order_and_names():
    x, y = data()
    metrics = ("sparse_categorical_accuracy", "accuracy")
    ours, theirs = pair(lambda m: "adam", metrics=metrics)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), rtol=1e-5)
    kwargs = dict(epochs=1, validation_split=0.2, shuffle=False, verbose=0)
    assert list(ours.fit(x, y, **kwargs).history) == list(theirs.fit(x, y, **kwargs).history)


def test_categorical_crossentropy_with_to_categorical_matches_keras():
    x, y = data()
    one_hot = gn.utils.to_categorical(y)
    np.testing.assert_array_equal(one_hot, k.utils.to_categorical(y))
    ours, theirs = pair(lambda m: m.optimizers.SGD(learning_rate=0.1), loss="categorical_crossentropy")
    kwargs = dict(epochs=2, batch_size=32, shuffle=False, verbose=0)
    assert_histories_close(ours.fit(x, one_hot, **kwargs).history, theirs.fit(x, one_hot, **kwargs).history, 1e-4)


def test_training_loss_with_a_regularizer_matches_keras():
    x, y = data()
    ours, theirs = pair(lambda m: m.optimizers.SGD(learning_rate=0.1), regularizer=0.01)
    kwargs = dict(epochs=2, batch_size=16, shuffle=False, verbose=0)
    assert_histories_close(ours.fit(x, y, **kwargs).history, theirs.fit(x, y, **kwargs).history, rtol=1e-4)


def test_evaluate_with_a_regularizer_matches_keras():
    x, y = data()
    ours, theirs = pair(lambda m: "sgd", regularizer=0.01)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), rtol=1e-5)
