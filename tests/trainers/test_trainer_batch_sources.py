"""fit/evaluate/predict on generators, iterables and PyDatasets; class_weight; Ctrl-C during fit."""

import os
import signal
import threading

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers


def _data(n=240, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 6)).astype("float32")
    y = (x[:, 0] > 0.5).astype("int64")
    return x, y


def _model():
    model = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class Batches:
    """A re-iterable source of (x, y) batches."""

    def __init__(self, x, y, size):
        self.x, self.y, self.size = x, y, size

    def __iter__(self):
        for start in range(0, len(self.x), self.size):
            yield self.x[start:start + self.size], self.y[start:start + self.size]


class Dataset(keras.utils.PyDataset):
    def __init__(self, x, y, size):
        super().__init__()
        self.x, self.y, self.size, self.epochs_ended = x, y, size, 0

    def __len__(self):
        return -(-len(self.x) // self.size)

    def __getitem__(self, index):
        part = slice(index * self.size, (index + 1) * self.size)
        return self.x[part], self.y[part]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_an_iterable_of_batches_trains_like_the_same_arrays_unshuffled():
    x, y = _data()
    keras.utils.set_random_seed(3)
    from_arrays = _model()
    history_arrays = from_arrays.fit(x, y, batch_size=40, epochs=2, shuffle=False, verbose=0)
    keras.utils.set_random_seed(3)
    from_batches = _model()
    history_batches = from_batches.fit(Batches(x, y, 40), epochs=2, verbose=0)
    assert history_batches.history["loss"] == pytest.approx(history_arrays.history["loss"], rel=1e-6)
    for a, b in zip(from_arrays.get_weights(), from_batches.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_pydataset_calls_on_epoch_end_and_evaluate_and_predict_accept_it():
    x, y = _data()
    dataset = Dataset(x, y, 50)
    model = _model()
    model.fit(dataset, epochs=3, verbose=0)
    assert dataset.epochs_ended == 3
    loss, accuracy = model.evaluate(Dataset(x, y, 50), verbose=0)
    expected = model.evaluate(x, y, batch_size=50, verbose=0)
    assert loss == pytest.approx(expected[0], rel=1e-6) and accuracy == pytest.approx(expected[1])
    predictions = model.predict(Dataset(x, y, 50), verbose=0)
    np.testing.assert_allclose(predictions, model.predict(x, verbose=0), rtol=1e-6)


def test_an_infinite_generator_needs_steps_per_epoch_and_a_finite_one_warns_when_it_runs_out():
    x, y = _data()

    def forever():
        while True:
            for batch in Batches(x, y, 30):
                yield batch

    model = _model()
    history = model.fit(forever(), steps_per_epoch=4, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(iter(list(Batches(x, y, 30))), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 1


def test_generator_batches_are_checked_for_nan_and_mismatched_lengths():
    x, y = _data()
    bad = x.copy()
    bad[3, 2] = np.nan
    model = _model()
    with pytest.raises(ValueError, match="NaN"):
        model.fit(iter([(bad[:30], y[:30])]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit(iter([(x[:30], y[:29])]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="do not pass y"):
        model.fit(Batches(x, y, 30), y, epochs=1, verbose=0)


def test_class_weight_equals_the_matching_sample_weight():
    x, y = _data()
    weights = {0: 1.0, 1: 4.0}
    keras.utils.set_random_seed(5)
    by_class = _model()
    by_class.fit(x, y, class_weight=weights, epochs=2, verbose=0)
    keras.utils.set_random_seed(5)
    by_sample = _model()
    by_sample.fit(x, y, sample_weight=np.where(y == 1, 4.0, 1.0), epochs=2, verbose=0)
    for a, b in zip(by_class.get_weights(), by_sample.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    with pytest.raises(ValueError, match="class_weight"):
        by_class.fit(x, y, class_weight=[1.0, 4.0], epochs=1, verbose=0)


def test_class_weight_reads_classes_from_one_hot_targets():
    from glassnet.trainers.class_weight import class_weights_for

    onehot = keras.utils.to_categorical([0, 2, 1, 2], 3)
    np.testing.assert_array_equal(class_weights_for(onehot, {2: 3.0}), [1.0, 3.0, 1.0, 3.0])


@pytest.mark.skipif(os.name != "posix" or threading.current_thread() is not threading.main_thread(),
                    reason="needs POSIX signals in the main thread")
def test_ctrl_c_stops_after_the_current_step_keeps_history_and_model(capsys):
    x, y = _data(2000)
    model = _model()
    seen = []

    class PressCtrlC(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)
            if len(seen) == 70:  # during the second epoch (63 steps per epoch)
                os.kill(os.getpid(), signal.SIGINT)

    history = model.fit(x, y, epochs=5, verbose=0, callbacks=[PressCtrlC()])
    assert len(history.history["loss"]) == 1  # the completed first epoch only
    assert len(seen) == 70  # no step ran after the one during which Ctrl-C came
    assert "interrupted" in capsys.readouterr().out.lower()
    assert all(np.isfinite(w).all() for w in model.get_weights())
    model.fit(x, y, epochs=1, verbose=0)  # the model trains again normally
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
