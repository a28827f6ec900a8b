"""map / take / cache / prefetch on the datasets of text_dataset_from_directory and timeseries_dataset_from_array."""

import numpy as np
import pytest

import glassnet as keras


def _series():
    data = np.arange(40, dtype="float32").reshape(20, 2)
    return keras.utils.timeseries_dataset_from_array(data, data[3:, 0], sequence_length=3, batch_size=4)


def test_map_applies_to_every_batch_with_its_elements_as_arguments():
    dataset = _series()
    doubled = dataset.map(lambda x, y: (x * 2, y + 1))
    assert len(doubled) == len(dataset)
    for (x, y), (x2, y2) in zip(dataset, doubled):
        np.testing.assert_array_equal(x2, x * 2)
        np.testing.assert_array_equal(y2, y + 1)


def test_take_cache_prefetch_and_numpy_iteration():
    dataset = _series()
    first = list(dataset.take(2).as_numpy_iterator())
    assert len(first) == 2 and len(list(dataset.take(-1))) == len(dataset)
    np.testing.assert_array_equal(first[1][0], dataset[1][0])
    assert dataset.cache().prefetch(buffer_size=10) is dataset and dataset.cardinality() == len(dataset) == 5
    with pytest.raises(ValueError, match="number of batches"):
        dataset.take(-3)
    with pytest.raises(ValueError, match="expects a function"):
        dataset.map(3)


def test_a_mapped_text_dataset_trains_as_the_guides_write_it(tmp_path):
    for label, words in (("neg", "bad awful dull"), ("pos", "good great fine")):
        (tmp_path / label).mkdir()
        for i in range(12):
            (tmp_path / label / f"{i}.txt").write_text(f"{words} film {i}", encoding="utf-8")
    train = keras.utils.text_dataset_from_directory(tmp_path, batch_size=8, seed=3, verbose=False)
    vectorizer = keras.layers.TextVectorization(max_tokens=20, output_mode="multi_hot")
    vectorizer.adapt(train.map(lambda x, y: x))
    ready = train.map(lambda x, y: (vectorizer(x), y)).cache().prefetch(buffer_size=10)
    model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(ready, epochs=10, verbose=0)
    assert history.history["accuracy"][-1] == 1.0


def _all_samples(dataset):
    xs, ys = zip(*dataset.as_numpy_iterator())
    return np.concatenate(xs), np.concatenate(ys)


def test_unbatch_serves_every_sample_and_batch_regroups_them():
    dataset = _series()
    x, y = _all_samples(dataset)
    samples = dataset.unbatch()
    assert len(samples) == len(x) == 17
    np.testing.assert_array_equal(samples[5][0], x[5])
    assert samples[5][0].shape == (3, 2) and np.ndim(samples[5][1]) == 0
    rebatched = samples.batch(6)
    assert len(rebatched) == 3 and len(samples.batch(6, drop_remainder=True)) == 2
    x2, y2 = _all_samples(rebatched)
    np.testing.assert_array_equal(x2, x)
    np.testing.assert_array_equal(y2, y)
    assert rebatched[2][0].shape == (5, 3, 2)


def test_shuffle_is_a_seeded_permutation_redrawn_each_epoch():
    samples = _series().unbatch()
    labels = [float(samples[i][1]) for i in range(len(samples))]
    shuffled = samples.shuffle(100, seed=4)
    first = [float(shuffled[i][1]) for i in range(len(shuffled))]
    assert sorted(first) == sorted(labels) and first != labels
    assert first == [float(e[1]) for e in samples.shuffle(100, seed=4)]
    shuffled.on_epoch_end()
    assert [float(shuffled[i][1]) for i in range(len(shuffled))] != first
    fixed = samples.shuffle(100, seed=4, reshuffle_each_iteration=False)
    before = [float(e[1]) for e in fixed]
    fixed.on_epoch_end()
    assert [float(e[1]) for e in fixed] == before


def test_iterated_batches_answer_numpy_as_tf_tensors_do():
    for x, y in _series().take(1):
        assert type(x.numpy()) is np.ndarray and type(y.numpy()) is np.ndarray
        np.testing.assert_array_equal(x.numpy(), _series()[0][0])
    x, _ = next(_series().as_numpy_iterator())
    assert type(x) is np.ndarray


def test_a_shuffled_rebatched_dataset_trains():
    data = np.random.default_rng(0).standard_normal((30, 2)).astype("float32")
    dataset = keras.utils.timeseries_dataset_from_array(data, data[2:, 0], sequence_length=3, batch_size=5)
    pipeline = dataset.unbatch().shuffle(64, seed=1).batch(7)
    model = keras.Sequential([keras.Input((3, 2)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(pipeline, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()


@pytest.mark.parametrize("call", [lambda d: d.batch(0), lambda d: d.batch(2.5), lambda d: d.shuffle(0)])
def test_bad_sizes_are_refused(call):
    with pytest.raises(ValueError, match="expects"):
        call(_series())
