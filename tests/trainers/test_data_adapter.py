"""From arrays to batches: every sample once per epoch, partial last batch, float32, array-likes."""

import math

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers
from glassnet.trainers.data import count_samples, to_array
from glassnet.trainers.data_adapter import ArrayBatches, train_validation_split


def ids(n, features=3, dtype="float32"):
    x = np.zeros((n, features), dtype=dtype)
    x[:, 0] = np.arange(n)
    return x


def collect(batches, generator=None):
    """Copies of every batch of one epoch (batches may reuse buffers, so copy)."""
    return [tuple(None if part is None else np.array(part) for part in batch)
            for batch in batches.epoch_batches(generator)]


@pytest.mark.parametrize("n,batch_size", [(103, 10), (100, 10), (5, 32), (1, 1), (33, 32)])
def test_every_sample_once_and_the_last_partial_batch_kept(n, batch_size):
    x, y = ids(n), np.arange(n)
    batches = ArrayBatches(x, y, None, batch_size)
    assert batches.steps == math.ceil(n / batch_size)
    epoch = collect(batches)
    sizes = [len(bx) for bx, _, _ in epoch]
    assert len(epoch) == batches.steps
    assert sizes == [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    seen = np.concatenate([bx[:, 0] for bx, _, _ in epoch])
    np.testing.assert_array_equal(seen, np.arange(n))
    np.testing.assert_array_equal(np.concatenate([by for _, by, _ in epoch]), np.arange(n))


def test_shuffled_epochs_are_permutations_with_x_and_y_kept_together():
    n = 57
    x, y = ids(n), np.arange(n) * 10
    w = np.arange(n, dtype="float32") / 100
    batches = ArrayBatches(x, y, w, 8, shuffle=True)
    generator = np.random.default_rng(3)
    first, second = collect(batches, generator), collect(batches, generator)
    for epoch in (first, second):
        seen = np.concatenate([bx[:, 0] for bx, _, _ in epoch]).astype(int)
        assert sorted(seen) == list(range(n))
        np.testing.assert_array_equal(np.concatenate([by for _, by, _ in epoch]), seen * 10)
        np.testing.assert_allclose(np.concatenate([bw for _, _, bw in epoch]), seen / 100, rtol=1e-6)
        assert [len(b[0]) for b in epoch][-1] == n % 8
    order_1 = np.concatenate([b[0][:, 0] for b in first])
    order_2 = np.concatenate([b[0][:, 0] for b in second])
    assert not np.array_equal(order_1, np.arange(n)) and not np.array_equal(order_1, order_2)


def test_shuffle_needs_a_generator_and_is_off_by_default():
    x = ids(20)
    in_order = np.concatenate([b[0][:, 0] for b in collect(ArrayBatches(x, None, None, 6), np.random.default_rng(0))])
    np.testing.assert_array_equal(in_order, np.arange(20))
    no_generator = np.concatenate([b[0][:, 0] for b in collect(ArrayBatches(x, None, None, 6, shuffle=True))])
    np.testing.assert_array_equal(no_generator, np.arange(20))


@pytest.mark.parametrize("shuffle", [False, True])
def test_float64_inputs_become_float32_batches(shuffle):
    x = ids(21, dtype="float64") + 0.25
    y = np.arange(21, dtype="int64")
    w = np.ones(21, dtype="float64")
    batches = ArrayBatches(x, y, w, 4, shuffle=shuffle)
    for bx, by, bw in batches.epoch_batches(np.random.default_rng(0)):
        assert bx.dtype == np.float32
        assert by.dtype == np.int64  # labels keep their integer type
        assert bw.dtype == np.float32
    assert x.dtype == np.float64  # the caller's array is not converted in place


def test_uint8_images_are_not_silently_rescaled():
    x = np.full((4, 2), 200, dtype=np.uint8)
    (bx, _, _), = collect(ArrayBatches(x, None, None, 4))
    np.testing.assert_array_equal(bx, x)


def test_fit_on_float64_data_trains_in_float32():
    dtypes = []

    class Probe(layers.Layer):
        def call(self, inputs, training=None):
            dtypes.append(inputs.dtype)
            return inputs

    model = keras.Sequential([keras.Input(shape=(3,)), Probe(), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.random.default_rng(0).random((10, 3)), np.zeros((10, 2)), epochs=1, batch_size=4, verbose=0)
    model.predict(np.ones((3, 3), dtype="float64"), verbose=0)
    assert dtypes and set(dtypes) == {np.dtype("float32")}
    assert all(w.dtype == np.float32 for w in model.get_weights())


class FrameLike:
    """Quacks like a pandas DataFrame/Series: only ``to_numpy`` and ``__len__``."""

    def __init__(self, values):
        self._values = np.asarray(values)

    def to_numpy(self):
        return self._values.copy()

    def __len__(self):
        return len(self._values)


def test_pandas_like_objects_are_accepted():
    rng = np.random.default_rng(0)
    x = rng.random((40, 4)).astype("float32")
    y = (x.sum(axis=1) > 2).astype("int64")
    np.testing.assert_array_equal(to_array(FrameLike(x), "x"), x)

    def run(features, labels):
        keras.utils.set_random_seed(5)
        model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(features, labels, epochs=2, batch_size=8, validation_split=0.25, verbose=0)
        return history.history, model.predict(features, verbose=0), model.evaluate(features, labels, verbose=0)

    from_frames = run(FrameLike(x), FrameLike(y))
    from_arrays = run(x, y)
    assert from_frames[0] == from_arrays[0]
    np.testing.assert_array_equal(from_frames[1], from_arrays[1])
    assert from_frames[2] == from_arrays[2]


def test_object_arrays_are_rejected_with_a_hint():
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = [1.0, 2.0], [3.0]
    with pytest.raises(ValueError, match="Python objects.*different lengths"):
        to_array(ragged, "x")


def test_train_validation_split_floor_rule():
    x, y = ids(10), np.arange(10)
    (tx, ty, tw), (vx, vy, vw) = train_validation_split((x, y, None), 0.33)  # floor(6.7) = 6
    np.testing.assert_array_equal(ty, np.arange(6))
    np.testing.assert_array_equal(vy, np.arange(6, 10))
    assert tw is None and vw is None


def test_count_samples_reports_every_length():
    with pytest.raises(ValueError) as info:
        count_samples(np.zeros((5, 2)), np.zeros(4), np.zeros(3))
    message = str(info.value)
    assert "x has 5 samples" in message and "y has 4 samples" in message and "sample_weight has 3 samples" in message
    assert count_samples(np.zeros((5, 2)), np.zeros(5), None) == 5


def test_python_lists_are_accepted_like_arrays():
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], [0, 1, 2], epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
