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
