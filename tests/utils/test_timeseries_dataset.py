"""timeseries_dataset_from_array: Keras' windows (docstring examples, brute force), shuffling, fit, bad input."""

import itertools

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers
from glassnet.datasets.download import find_file
from glassnet.utils import timeseries_dataset_from_array


def collect(dataset):
    """All batches joined: x, or (x, y)."""
    batches = list(dataset)
    if isinstance(batches[0], tuple):
        return tuple(np.concatenate(parts) for parts in zip(*batches))
    return np.concatenate(batches)


def brute_force(data, targets, length, stride, rate, start, end):
    """The windows and targets, written out with Python loops from Keras' documented rule."""
    start = start or 0
    end = len(data) if end is None else end
    windows, window_targets = [], []
    p = 0
    while start + p + (length - 1) * rate < end and (targets is None or p < len(targets)):
        windows.append([data[start + p + j * rate] for j in range(length)])
        if targets is not None:
            window_targets.append(targets[start + p])
        p += stride
    return np.array(windows), np.array(window_targets)


def test_docstring_example_1():
    dataset = timeseries_dataset_from_array(np.arange(99), None, sequence_length=10, sampling_rate=2,
                                            sequence_stride=3, batch_size=128)
    x = collect(dataset)
    assert x[0].tolist() == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]
    assert x[1].tolist() == [3, 5, 7, 9, 11, 13, 15, 17, 19, 21]
    assert x[2].tolist() == [6, 8, 10, 12, 14, 16, 18, 20, 22, 24]
    assert x[-1].tolist() == [78, 80, 82, 84, 86, 88, 90, 92, 94, 96]
    assert len(x) == 27 and len(dataset) == 1


def test_docstring_example_2_temporal_regression():
    data = np.random.default_rng(0).random(100)
    dataset = timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10)
    inputs, targets = next(iter(dataset))
    assert np.array_equal(inputs[0], data[:10]) and targets[0] == data[10]
    assert inputs.shape == (81, 10) and np.array_equal(targets, data[10:91])


def test_docstring_example_3_many_to_many():
    x, y = np.arange(100), np.arange(100) * 2
    inputs_ds = timeseries_dataset_from_array(x, None, sequence_length=20, sequence_stride=20)
    targets_ds = timeseries_dataset_from_array(y, None, sequence_length=20, sequence_stride=20)
    inputs, targets = next(iter(zip(inputs_ds, targets_ds)))
    assert np.array_equal(inputs[0], x[:20]) and np.array_equal(targets[1], y[20:40])
    assert inputs.shape == (5, 20)


CASES = [case for case in itertools.product([1, 4], [1, 3], [1, 2], [(None, None), (5, None), (3, 40), (None, 33)],
                                            [7, None], ["full", "short", None])
         if not (case[-1] == "short" and case[3][0])]  # windows past the short targets' end: an error, tested below


@pytest.mark.parametrize("length, stride, rate, bounds, batch_size, targets_kind", CASES)
def test_matches_brute_force(length, stride, rate, bounds, batch_size, targets_kind):
    rng = np.random.default_rng(length * 100 + stride * 10 + rate)
    data = rng.random((50, 3)).astype("float32")
    targets = {"full": rng.random(50), "short": rng.random(30), None: None}[targets_kind]
    start, end = bounds
    dataset = timeseries_dataset_from_array(data, targets, length, sequence_stride=stride, sampling_rate=rate,
                                            batch_size=batch_size, start_index=start, end_index=end)
    expected_x, expected_y = brute_force(data, targets, length, stride, rate, start, end)
    if batch_size is None:
        items = list(dataset)
        assert len(items) == len(expected_x)
        got = tuple(np.stack(parts) for parts in zip(*items)) if targets is not None else np.stack(items)
    else:
        assert len(dataset) == -(-len(expected_x) // batch_size)
        assert all(len(b[0] if targets is not None else b) <= batch_size for b in dataset)
        got = collect(dataset)
    if targets is None:
        assert np.array_equal(got, expected_x) and got.dtype == data.dtype
    else:
        assert np.array_equal(got[0], expected_x) and np.array_equal(got[1], expected_y)
        assert got[0].shape == (len(expected_x), length, 3)


def test_shuffle_is_keras_order_from_the_seed():
    data = np.arange(200)
    dataset = timeseries_dataset_from_array(data, data, sequence_length=5, sequence_stride=2, batch_size=16,
                                            shuffle=True, seed=42)
    x, y = collect(dataset)
    starts = np.arange(0, 196, 2)
    np.random.RandomState(42).shuffle(starts)
    assert np.array_equal(x[:, 0], starts) and np.array_equal(y, starts)
    assert np.array_equal(x, starts[:, None] + np.arange(5))
    again = timeseries_dataset_from_array(data, data, sequence_length=5, sequence_stride=2, batch_size=16,
                                          shuffle=True, seed=42)
    assert np.array_equal(collect(again)[0], x)
    dataset.on_epoch_end()
    next_epoch = collect(dataset)[0]
    assert not np.array_equal(next_epoch, x)
    assert sorted(map(tuple, next_epoch.tolist())) == sorted(map(tuple, x.tolist()))


def test_shuffle_without_seed_follows_set_random_seed():
    data = np.arange(100)

    def first_starts():
        keras.utils.set_random_seed(5)
        return collect(timeseries_dataset_from_array(data, None, 4, shuffle=True))[:, 0]

    assert np.array_equal(first_starts(), first_starts())
    assert not np.array_equal(first_starts(), np.arange(97))


def test_unshuffled_order_is_kept_across_epochs():
    dataset = timeseries_dataset_from_array(np.arange(30), None, 3, batch_size=4)
    before = collect(dataset)
    dataset.on_epoch_end()
    assert np.array_equal(collect(dataset), before)


def test_fit_evaluate_predict_take_it():
    series = np.sin(np.arange(400) * 0.1).astype("float32")
    window = 8
    train = timeseries_dataset_from_array(series[:-window], series[window:], window, batch_size=32, shuffle=True,
                                          seed=0, end_index=300)
    test = timeseries_dataset_from_array(series[:-window], series[window:], window, batch_size=32, start_index=300)
    model = keras.Sequential([keras.Input(shape=(window,)), layers.Dense(16, activation="tanh"), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    before = model.evaluate(test, verbose=0)
    history = model.fit(train, epochs=15, validation_data=test, verbose=0)
    after = model.evaluate(test, verbose=0)
    assert after < before / 10 and history.history["loss"][-1] < history.history["loss"][0]
    inputs_only = timeseries_dataset_from_array(series[:-window], None, window, batch_size=32, start_index=300)
    predictions = model.predict(inputs_only, verbose=0)
    expected_x, expected_y = brute_force(series[:-window], series[window:], window, 1, 1, 300, None)
    assert predictions.shape == (len(expected_x), 1) and predictions.dtype == np.float32
    assert np.allclose(predictions, model.predict(expected_x, verbose=0), atol=1e-6)
    assert np.mean((predictions[:, 0] - expected_y) ** 2) == pytest.approx(after, rel=1e-4)


@pytest.mark.skipif(find_file(("timeseries/ETTh1.csv",)) is None, reason="ETTh1.csv is not on disk")
def test_on_the_etth1_series():
    path = find_file(("timeseries/ETTh1.csv",))
    table = np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(1, 8), dtype=np.float32)
    assert table.shape == (17420, 7)
    past, ahead = 96, 24
    dataset = timeseries_dataset_from_array(table[:-ahead], table[past + ahead - 1:, 6], past, sampling_rate=4,
                                            batch_size=256)
    x, y = dataset[len(dataset) - 1]
    count = len(table) - ahead - (past - 1) * 4
    assert len(dataset) == -(-count // 256)
    last = count - 1
    assert np.array_equal(x[-1], table[last: last + past * 4: 4]) and y[-1] == table[last + past + ahead - 1, 6]


@pytest.mark.parametrize("arguments, message", [
    ({"sequence_length": 11}, "spans 11 steps, but the data .* has only 10"),
    ({"sequence_length": 4, "sampling_rate": 4}, "spans 13 steps"),
    ({"sequence_length": 0}, "sequence_length must be a positive integer, got 0"),
    ({"sequence_length": 2.0}, "sequence_length must be a positive integer"),
    ({"sequence_length": 3, "sampling_rate": 0}, "sampling_rate must be a positive integer"),
    ({"sequence_length": 3, "sampling_rate": 10}, "sampling_rate must be lower than the length of the data"),
    ({"sequence_length": 3, "sequence_stride": 10}, "sequence_stride must be lower"),
    ({"sequence_length": 3, "batch_size": 0}, "batch_size must be a positive integer or None"),
    ({"sequence_length": 3, "start_index": -1}, r"start_index must be in \[0, 10\)"),
    ({"sequence_length": 3, "start_index": 10}, "start_index must be in"),
    ({"sequence_length": 3, "end_index": 10}, r"end_index must be in \(0, 10\)"),
    ({"sequence_length": 3, "start_index": 5, "end_index": 5}, "end_index .5. must be higher than start_index"),
    ({"sequence_length": 3, "start_index": 4, "targets": np.arange(5)}, "targets has 5 entries"),
    ({"sequence_length": 3, "targets": np.float64(1.0)}, "targets must be an array"),
    ({"sequence_length": 3, "seed": "a", "shuffle": True}, "seed must be an integer"),
])
def test_bad_arguments(arguments, message):
    arguments.setdefault("targets", None)
    with pytest.raises(ValueError, match=message):
        timeseries_dataset_from_array(np.arange(10), **arguments)


def test_bad_data():
    with pytest.raises(ValueError, match="data must be an array whose first axis is time"):
        timeseries_dataset_from_array(3.0, None, 1)
    with pytest.raises(ValueError, match="must hold numbers"):
        timeseries_dataset_from_array(np.array([[1], [2, 3]], dtype=object), None, 1)


def test_index_out_of_range():
    dataset = timeseries_dataset_from_array(np.arange(10), None, 3, batch_size=4)
    assert len(dataset) == 2
    with pytest.raises(IndexError, match="has 2 batches"):
        dataset[2]
