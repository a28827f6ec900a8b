"""One data path: Keras 3's unpack/pack, the packed batch every train_step/test_step/predict_step gets,
the one floatx cast, and the named compile entries."""

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers
from glassnet.trainers.compile_utils import LossEntry, MetricEntry
from glassnet.trainers.data import pack_x_y_sample_weight, read_batch, unpack_x_y_sample_weight


def test_unpack_and_pack_follow_keras_3():
    x, y, w = np.zeros((2, 3)), np.zeros(2), np.ones(2)
    assert unpack_x_y_sample_weight(x)[0] is x and unpack_x_y_sample_weight(x)[1:] == (None, None)
    assert unpack_x_y_sample_weight((x,))[0] is x
    assert unpack_x_y_sample_weight([x, y])[:2] == (x, y)  # a list counts as a tuple, as in Keras 3
    assert unpack_x_y_sample_weight((x, y, w)) == (x, y, w)
    with pytest.raises(ValueError, match="x, \\(x,\\), \\(x, y\\) or \\(x, y, sample_weight\\); got a tuple of 4"):
        unpack_x_y_sample_weight((x, y, w, w))
    assert pack_x_y_sample_weight(x) == (x,)
    assert pack_x_y_sample_weight(x, y) == (x, y)
    assert pack_x_y_sample_weight(x, y, w) == (x, y, w)
    assert keras.utils.unpack_x_y_sample_weight((x, y)) == (x, y, None)


class Recorder(keras.Model):
    """Records the batch each step receives, then runs the built-in step."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = []

    def train_step(self, data):
        self.seen.append(("train", _structure(data)))
        return super().train_step(data)

    def test_step(self, data):
        self.seen.append(("test", _structure(data)))
        return super().test_step(data)

    def predict_step(self, data):
        self.seen.append(("predict", _structure(data)))
        return super().predict_step(data)


def _structure(data):
    assert isinstance(data, tuple)
    return tuple(None if part is None else (np.asarray(part).dtype.name, np.shape(part)) for part in data)


def _recorder():
    inputs = keras.Input(shape=(4,))
    model = Recorder(inputs, layers.Dense(2, activation="softmax")(inputs))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


def test_every_step_gets_the_packed_batch_built_in_and_custom_alike():
    rng = np.random.default_rng(0)
    x, y, w = rng.random((8, 4)), rng.integers(0, 2, 8), np.ones(8)  # float64 x: cast to float32 on the way
    model = _recorder()
    model.fit(x, y, batch_size=8, verbose=0)
    model.fit(x, y, sample_weight=w, batch_size=8, verbose=0)
    model.fit(iter([(x, y)]), verbose=0)
    model.train_on_batch(x, y)
    model.evaluate(x, y, batch_size=8, verbose=0)
    model.test_on_batch(x, y, sample_weight=w)
    model.predict(x, batch_size=8, verbose=0)
    model.predict_on_batch(x)
    xs, ys, ws = ("float32", (8, 4)), ("int64", (8,)), ("float32", (8,))
    assert model.seen == [("train", (xs, ys)), ("train", (xs, ys, ws)), ("train", (xs, ys)), ("train", (xs, ys)),
                          ("test", (xs, ys)), ("test", (xs, ys, ws)), ("predict", (xs,)), ("predict", (xs,))]


def test_generator_batches_are_read_like_arrays():
    x, y = np.zeros((3, 2), dtype="float64"), np.array([0.0, 1.0, 1.0])
    bx, by, bw = read_batch([x, y, np.array([1, 2, 3])])
    assert bx.dtype == np.float32 and by.dtype == np.float32 and bw.dtype == np.float32
    assert bx.dtype == by.dtype and read_batch((x.astype("int64"),))[0].dtype == np.int64  # ids stay integers
    with pytest.raises(ValueError, match="^sample_weight contains NaN"):
        read_batch((x, y, np.array([1.0, np.nan, 1.0])))


def test_compile_entries_have_field_names():
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, [layers.Dense(1, name="a")(inputs), layers.Dense(3, name="b")(inputs)])
    model.compile(optimizer="sgd", loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[1.0, 0.5],
                  metrics=[["mae"], ["accuracy"]])
    x = np.zeros((4, 4), dtype="float32")
    model.fit(x, [np.zeros((4, 1)), np.zeros(4)], verbose=0)
    losses, metrics = model._compile_loss.entries, model._compile_metrics.entries
    assert all(isinstance(e, LossEntry) for e in losses) and all(isinstance(e, MetricEntry) for e in metrics)
    assert [(e.index, e.key, e.loss.name, e.weight, e.tracker.name) for e in losses] == [
        (0, "a", "mse", 1.0, "a_loss"), (1, "b", "sparse_categorical_crossentropy", 0.5, "b_loss")]
    assert [(e.name, e.index, e.weighted) for e in metrics] == [("a_mae", 0, False), ("b_accuracy", 1, False)]
